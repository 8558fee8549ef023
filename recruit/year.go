package recruit

import (
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database
)

// Phase is a stage of the recruitment year.
type Phase string

// Phases in calendar order.
const (
	PhaseBefore       Phase = "before"
	PhaseRegistration Phase = "registration"
	PhaseRound1       Phase = "round1"
	PhaseRound2       Phase = "round2"
	PhaseAdjustment   Phase = "adjustment"
	PhaseConfirmation Phase = "confirmation"
	PhaseClosed       Phase = "closed"
)

// Label returns the Chinese name of the phase.
func (p Phase) Label() string {
	switch p {
	case PhaseBefore:
		return "报名未开始"
	case PhaseRegistration:
		return "报名阶段"
	case PhaseRound1:
		return "一志愿审核、拟录取阶段"
	case PhaseRound2:
		return "二志愿审核、拟录取阶段"
	case PhaseAdjustment:
		return "调剂阶段"
	case PhaseConfirmation:
		return "录取确认阶段"
	case PhaseClosed:
		return "招录已结束"
	}
	return string(p)
}

// Calendar holds the start of each phase; each phase lasts until the next one
// starts. Times are instants; the defaults are midnight Asia/Shanghai.
type Calendar struct {
	Registration time.Time `json:"registration"`
	Round1       time.Time `json:"round1"`
	Round2       time.Time `json:"round2"`
	Adjustment   time.Time `json:"adjustment"`
	Confirmation time.Time `json:"confirmation"`
	Closed       time.Time `json:"closed"`
}

// Year is one recruitment year: its calendar, the notice (温馨提示) and its
// settings.
type Year struct {
	Year     int           `json:"year"`
	Title    string        `json:"title"`
	Notice   string        `json:"notice"`
	Calendar Calendar      `json:"calendar"`
	Offers   OfferSettings `json:"offers"`
}

// Shanghai is the time zone of every calendar date of the system, loaded
// from the time zone database embedded in the binary (time/tzdata), so a
// machine without one schedules the same.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// ChineseDate formats t as 2025年7月1日 in Asia/Shanghai, 未设置 when t is
// zero.
func ChineseDate(t time.Time) string {
	if t.IsZero() {
		return "未设置"
	}
	return t.In(Shanghai).Format("2006年1月2日")
}

// DefaultCalendar returns the seed manual's calendar for year y: registration
// Jul 1–10, round 1 Jul 11–31, round 2 Aug 1–10, adjustment Aug 11–15,
// confirmation Aug 16–31, closed from Sep 1 (all Asia/Shanghai).
func DefaultCalendar(y int) Calendar {
	d := func(m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, Shanghai) }
	return Calendar{
		Registration: d(time.July, 1),
		Round1:       d(time.July, 11),
		Round2:       d(time.August, 1),
		Adjustment:   d(time.August, 11),
		Confirmation: d(time.August, 16),
		Closed:       d(time.September, 1),
	}
}

// PhaseAt returns the phase in force at t.
func (c Calendar) PhaseAt(t time.Time) Phase {
	switch {
	case t.Before(c.Registration):
		return PhaseBefore
	case t.Before(c.Round1):
		return PhaseRegistration
	case t.Before(c.Round2):
		return PhaseRound1
	case t.Before(c.Adjustment):
		return PhaseRound2
	case t.Before(c.Confirmation):
		return PhaseAdjustment
	case t.Before(c.Closed):
		return PhaseConfirmation
	}
	return PhaseClosed
}

// RegistrationWindow returns the span of the calendar, around or after t,
// in which people without an application may register (registrationOpen):
// registration itself, or round 2 with adjustment. It gives the span that
// holds t, else the next one; ok is false when none is left this year.
func (c Calendar) RegistrationWindow(t time.Time) (start, end time.Time, ok bool) {
	for _, w := range [][2]time.Time{{c.Registration, c.Round1}, {c.Round2, c.Confirmation}} {
		if t.Before(w[1]) {
			return w[0], w[1], true
		}
	}
	return time.Time{}, time.Time{}, false
}
