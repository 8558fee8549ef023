package recruit

import (
	"context"
	"fmt"
	"time"
)

// PhaseStart is the start of one phase of a calendar.
type PhaseStart struct {
	Phase Phase
	At    time.Time
}

// Starts returns the start of every phase after PhaseBefore, in calendar
// order.
func (c Calendar) Starts() []PhaseStart {
	return []PhaseStart{
		{PhaseRegistration, c.Registration}, {PhaseRound1, c.Round1}, {PhaseRound2, c.Round2},
		{PhaseAdjustment, c.Adjustment}, {PhaseConfirmation, c.Confirmation}, {PhaseClosed, c.Closed},
	}
}

// Start returns when phase p starts and when the next phase does (the end
// of p's window); ok is false for PhaseBefore and unknown phases, and end
// is zero for PhaseClosed.
func (c Calendar) Start(p Phase) (start, end time.Time, ok bool) {
	starts := c.Starts()
	for i, s := range starts {
		if s.Phase == p {
			if i+1 < len(starts) {
				end = starts[i+1].At
			}
			return s.At, end, true
		}
	}
	return time.Time{}, time.Time{}, false
}

// shanghaiOffset is the UTC offset of Asia/Shanghai, which has no daylight
// saving time.
const shanghaiOffset = 8 * 3600

// CheckCalendar refuses a calendar with a missing start, a start given in
// another time zone than Asia/Shanghai (+08:00), or starts not strictly in
// calendar order, with one field-level message per phase. The starts come
// back in Asia/Shanghai.
func CheckCalendar(c Calendar) (Calendar, error) {
	fe := FieldErrors{}
	var prev PhaseStart
	for _, s := range c.Starts() {
		field := string(s.Phase)
		switch _, off := s.At.Zone(); {
		case s.At.IsZero():
			fe.Add(field, s.Phase.Label()+"的开始时间不能为空")
		case off != shanghaiOffset:
			fe.Add(field, s.Phase.Label()+"的开始时间须为北京时间（+08:00）")
		case !prev.At.IsZero() && !s.At.After(prev.At):
			fe.Add(field, s.Phase.Label()+"须晚于"+prev.Phase.Label()+"开始")
		}
		if !s.At.IsZero() {
			prev = s
		}
	}
	if err := fe.Err(); err != nil {
		return Calendar{}, err
	}
	return c.InShanghai(), nil
}

// InShanghai returns c with every start in Asia/Shanghai.
func (c Calendar) InShanghai() Calendar {
	in := func(t time.Time) time.Time { return t.In(Shanghai) }
	return Calendar{
		Registration: in(c.Registration), Round1: in(c.Round1), Round2: in(c.Round2),
		Adjustment: in(c.Adjustment), Confirmation: in(c.Confirmation), Closed: in(c.Closed),
	}
}

// BegunMovedLater returns the phases that had begun at now under old and
// start after now under next: moving them needs an explicit override.
func BegunMovedLater(old, next Calendar, now time.Time) []Phase {
	var out []Phase
	ns := next.Starts()
	for i, s := range old.Starts() {
		if !s.At.IsZero() && !s.At.After(now) && ns[i].At.After(now) {
			out = append(out, s.Phase)
		}
	}
	return out
}

// Rounds are the phases in which bases review and provisionally admit, and
// for which they set their dates.
var Rounds = []Phase{PhaseRound1, PhaseRound2, PhaseAdjustment}

// ParseRound returns the round named s, EINVALID for anything else.
func ParseRound(s string) (Phase, error) {
	for _, r := range Rounds {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "招录批次只能是 round1（一志愿）、round2（二志愿）或 adjustment（调剂）")
}

// DatesRounds returns the rounds whose base dates an applicant sees in
// phase p, the first one set wins: the current round while one runs, round1
// before it, and after the last round the latest round with dates.
func DatesRounds(p Phase) []Phase {
	switch p {
	case PhaseBefore, PhaseRegistration, PhaseRound1:
		return []Phase{PhaseRound1}
	case PhaseRound2, PhaseAdjustment:
		return []Phase{p}
	}
	return []Phase{PhaseAdjustment, PhaseRound2, PhaseRound1}
}

// BaseDates are one base's dates for one round: its review deadline and
// the dates of the written exam, the interview and the provisional
// admission, and how many hours its offers stay open (OfferHours, 0: the
// default DefaultOfferHours; see OfferDeadline). A zero date is not set.
type BaseDates struct {
	Year                 int       `json:"year"`
	BaseID               int64     `json:"base_id"`
	Round                Phase     `json:"round"`
	ReviewDeadline       time.Time `json:"review_deadline,omitzero"`
	WrittenExam          time.Time `json:"written_exam,omitzero"`
	Interview            time.Time `json:"interview,omitzero"`
	ProvisionalAdmission time.Time `json:"provisional_admission,omitzero"`
	OfferHours           int       `json:"offer_hours,omitempty"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// Labelled returns the dates with their Chinese names, in the order
// applicants read them.
func (d BaseDates) Labelled() []LabelledDate {
	return []LabelledDate{
		{"review_deadline", "审核截止", d.ReviewDeadline},
		{"written_exam", "笔试", d.WrittenExam},
		{"interview", "面试", d.Interview},
		{"provisional_admission", "拟录取", d.ProvisionalAdmission},
	}
}

// LabelledDate is one date of BaseDates with its field and Chinese names.
type LabelledDate struct {
	Field string
	Label string
	At    time.Time
}

// CheckBaseDates refuses dates outside their round's window of cal (from
// the round's start, before the next phase's), with one field-level message
// per date, an offer window outside 0–MaxOfferHours hours, and an unknown
// round. The dates come back in Asia/Shanghai.
// In JSON a date that is not set is left out.
func CheckBaseDates(d BaseDates, cal Calendar) (BaseDates, error) {
	if _, err := ParseRound(string(d.Round)); err != nil {
		return BaseDates{}, err
	}
	start, end, _ := cal.Start(d.Round)
	fe := FieldErrors{}
	for _, ld := range d.Labelled() {
		if !ld.At.IsZero() && (ld.At.Before(start) || !ld.At.Before(end)) {
			fe.Add(ld.Field, ld.Label+"日期须在"+d.Round.Label()+"内（"+
				start.In(Shanghai).Format("2006-01-02 15:04")+" 至 "+end.In(Shanghai).Format("2006-01-02 15:04")+" 之前）")
		}
	}
	if d.OfferHours < 0 || d.OfferHours > MaxOfferHours {
		fe.Add("offer_hours", fmt.Sprintf("拟录取确认期限须为 1 至 %d 小时（不填为 %d 小时）", MaxOfferHours, DefaultOfferHours))
	}
	if err := fe.Err(); err != nil {
		return BaseDates{}, err
	}
	return d.InShanghai(), nil
}

// InShanghai returns d with every date set in Asia/Shanghai.
func (d BaseDates) InShanghai() BaseDates {
	in := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.In(Shanghai)
	}
	d.ReviewDeadline, d.WrittenExam = in(d.ReviewDeadline), in(d.WrittenExam)
	d.Interview, d.ProvisionalAdmission, d.UpdatedAt = in(d.Interview), in(d.ProvisionalAdmission), in(d.UpdatedAt)
	return d
}

// CheckBaseDatesKey refuses a year, base or round no dates can belong to.
func CheckBaseDatesKey(d BaseDates) error {
	if err := CheckYear(d.Year); err != nil {
		return err
	}
	if d.BaseID <= 0 {
		return BaseNotFound(d.BaseID)
	}
	_, err := ParseRound(string(d.Round))
	return err
}

// MsgNoBaseDates is the ENOTFOUND of a base and round without dates.
const MsgNoBaseDates = "该培训基地尚未设定本批次的日期"

// BaseDatesStore keeps the bases' dates per year and round.
type BaseDatesStore interface {
	// PutBaseDates creates or replaces the dates of d's year, base and
	// round. EINVALID for an unknown round or a year that is not positive,
	// ENOTFOUND (BaseNotFound) for a missing base.
	PutBaseDates(ctx context.Context, d BaseDates) error
	// GetBaseDates returns the dates of one base and round,
	// ENOTFOUND (MsgNoBaseDates) when none were set.
	GetBaseDates(ctx context.Context, year int, baseID int64, round Phase) (BaseDates, error)
	// ListBaseDates returns the dates of every base and round of the year,
	// ordered by base id and round name.
	ListBaseDates(ctx context.Context, year int) ([]BaseDates, error)
}
