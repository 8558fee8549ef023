package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
)

// Audit actions of the admission use-cases.
const (
	ActionAdmitProvisionally = "admit_provisionally"
	ActionUndoProvisional    = "undo_provisional"
	ActionPublishList        = "publish_list"
	ActionAdmitApplication   = "admit_application"
	ActionSendNotice         = "send_notice"
)

// MaxPlace bounds the place of an exam or interview notice, in characters;
// MaxNoticeRecipients the applications of one notice.
const (
	MaxPlace            = 100
	MaxNoticeRecipients = 500
)

// adminOnly refuses a reviewer an action only base admins and the province
// take.
func adminOnly(by recruit.Staff, a recruit.Action) error {
	if by.Role == recruit.RoleReviewer {
		return recruit.Errorf(recruit.EFORBIDDEN, "仅基地管理员或省级管理员可以%s", a.Label())
	}
	return nil
}

// staffAct is what the application use-cases share: the caller's account
// may act (enabled; another base's application is ENOTFOUND, a reviewer
// EFORBIDDEN), the phase and the state allow the action at now.
type staffAct struct {
	app  recruit.Application
	prog recruit.Program
	year recruit.Year
	now  time.Time
}

func (s *Service) act(ctx context.Context, by recruit.Staff, appID int64, a recruit.Action) (staffAct, error) {
	if by.Disabled {
		return staffAct{}, recruit.ErrStaffDisabled
	}
	app, prog, err := s.visible(ctx, by, appID)
	if err != nil {
		return staffAct{}, err
	}
	if err := adminOnly(by, a); err != nil {
		return staffAct{}, err
	}
	y, err := s.store.GetYear(ctx, app.Year)
	if err != nil {
		return staffAct{}, err
	}
	now := s.now()
	phase := y.Calendar.PhaseAt(now)
	if err := recruit.BaseMay(phase, &app, a); err != nil {
		return staffAct{}, err
	}
	if phase == recruit.PhaseAdjustment && a == recruit.ActionProvisionalAdmit {
		if err := recruit.AdjustmentPlaceable(app, y.Calendar); err != nil {
			return staffAct{}, err
		}
	}
	return staffAct{app: app, prog: prog, year: y, now: now}, nil
}

// move is one application use-case: act checks by, the phase and the
// state for action a; then check (when not nil) refuses what else must
// hold, change makes the store's move with the notification note builds,
// and the audit entry records it as auditAction with remark.
func (s *Service) move(ctx context.Context, op string, by recruit.Staff, appID int64, a recruit.Action, check func(staffAct) error,
	change func(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error),
	note func(app recruit.Application, act staffAct) recruit.Notification, auditAction, remark string) (recruit.Application, error) {
	act, err := s.act(ctx, by, appID, a)
	if err == nil && check != nil {
		err = check(act)
	}
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	out, err := change(ctx, appID, act.now, func(app recruit.Application) (recruit.Notification, error) { return note(app, act), nil })
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	err = recruit.RecordStaffAction(ctx, s.store, by, s.now(), act.prog.BaseID, auditAction,
		fmt.Sprintf("application:%d", act.app.ID), act.app.State, out.State, remark)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	return out, nil
}

// AdmitProvisionally marks an approved application 拟录取: it takes a seat
// of its program, never above the plan (ECONFLICT saying the program is
// full), queues the 拟录取 notification with the change and writes the audit
// entry. Base admins of the application's base and the province may, in
// round1, round2 and adjustment (where only applicants who accept
// adjustment or are new may be placed). When the year requires acceptance
// the admission is an offer with a deadline (see provisionallyAdmit).
func (s *Service) AdmitProvisionally(ctx context.Context, by recruit.Staff, appID int64) (recruit.Application, error) {
	var offer staffAct
	seat := func(ctx context.Context, _ int64, _ time.Time, note recruit.Note) (recruit.Application, error) {
		out, err := s.provisionallyAdmit(ctx, offer, note)
		if recruit.ErrorMessage(err) == recruit.MsgProgramFull {
			err = recruit.Errorf(recruit.ECONFLICT, "%s %s的招收计划（%d 人）已满，不能再拟录取；如需录取该人员，请先撤销一名未公示的拟录取人员",
				offer.prog.BaseName, offer.prog.SpecialtyName, offer.prog.Plan)
		}
		return out, err
	}
	return s.move(ctx, "review.AdmitProvisionally", by, appID, recruit.ActionProvisionalAdmit,
		func(act staffAct) error { offer = act; return nil }, seat,
		func(app recruit.Application, act staffAct) recruit.Notification {
			return notify.Provisional(app, act.prog, app.OfferDeadline, act.now)
		}, ActionAdmitProvisionally, "")
}

// UndoProvisional gives back the seat of a provisionally admitted
// application, which is approved again, queues the notification that the
// offer is void (with remark, at most MaxRemark characters, when given) and
// writes the audit entry. Who and when as AdmitProvisionally; refused
// (EFORBIDDEN) once the application is on a published list.
func (s *Service) UndoProvisional(ctx context.Context, by recruit.Staff, appID int64, remark string) (recruit.Application, error) {
	const op = "review.UndoProvisional"
	remark = strings.TrimSpace(remark)
	if utf8.RuneCountInString(remark) > MaxRemark {
		return recruit.Application{}, recruit.WithOp(op, errLongRemark)
	}
	unpublished := func(act staffAct) error {
		pubs, err := s.store.ListPublications(ctx, act.app.Year, act.prog.BaseID)
		if err != nil {
			return err
		}
		for _, p := range pubs {
			if p.Includes(appID) {
				return recruit.Errorf(recruit.EFORBIDDEN, "该人员已在%s公示的%s中，公示后不能撤销拟录取", formatTime(p.PublishedAt), p.Title())
			}
		}
		return nil
	}
	reason := cmp.Or(remark, "培训基地撤销了拟录取")
	return s.move(ctx, op, by, appID, recruit.ActionUndoProvisional, unpublished, s.store.UndoProvisional,
		func(app recruit.Application, act staffAct) recruit.Notification {
			return notify.OfferVoid(app, act.prog, reason, act.now)
		}, ActionUndoProvisional, remark)
}

// AdmitApplication confirms the admission (录取) of a provisionally admitted
// application in the confirmation phase, queues the 录取 notification with
// the change and writes the audit entry; who as AdmitProvisionally. When
// the year requires acceptance, only an accepted offer is admitted
// (recruit.CheckAdmitOffer).
func (s *Service) AdmitApplication(ctx context.Context, by recruit.Staff, appID int64) (recruit.Application, error) {
	return s.move(ctx, "review.AdmitApplication", by, appID, recruit.ActionConfirmAdmission,
		func(act staffAct) error { return recruit.CheckAdmitOffer(act.app, act.year.Offers.RequireAcceptance) }, s.store.Admit,
		func(app recruit.Application, act staffAct) recruit.Notification {
			return notify.Admitted(app, act.prog, act.now)
		},
		ActionAdmitApplication, "")
}

// formatTime is t as the Chinese messages write it.
func formatTime(t time.Time) string { return t.In(recruit.Shanghai).Format("2006年01月02日 15:04") }

// baseAdmin checks that by may take base action a at base: enabled, of
// that base or the province (another base is ENOTFOUND), not a reviewer.
func baseAdmin(by recruit.Staff, base int64, a recruit.Action) error {
	if by.Disabled {
		return recruit.ErrStaffDisabled
	}
	if !reaches(by, base) {
		return recruit.BaseNotFound(base)
	}
	return adminOnly(by, a)
}

// PublishList publishes (对外公示) base's list of the current phase: in
// round1, round2 or adjustment its provisional list of that round (the
// applications provisionally admitted since the round began), in
// confirmation its final list (every admitted application). Names are
// masked (recruit.MaskName). The publication is added to the earlier ones,
// which stay visible as superseded; a list equal to the base's last one of
// the round, or an empty one, is refused (ECONFLICT). Base admins of base
// and the province may; the audit entry names the publication.
func (s *Service) PublishList(ctx context.Context, by recruit.Staff, base int64) (recruit.Publication, error) {
	const op = "review.PublishList"
	if err := baseAdmin(by, base, recruit.ActionPublish); err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	now := s.now()
	round := y.Calendar.PhaseAt(now)
	if err := recruit.BaseMay(round, nil, recruit.PublishAction(round)); err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	entries, err := s.listEntries(ctx, y, base, round)
	if err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	p := recruit.Publication{Year: y.Year, BaseID: base, Round: round, StaffID: by.ID, PublishedAt: now, Entries: entries}
	if len(entries) == 0 {
		return recruit.Publication{}, recruit.WithOp(op, recruit.Errorf(recruit.ECONFLICT, "当前没有可公示的人员，%s为空", p.Title()))
	}
	pubs, err := s.store.ListPublications(ctx, y.Year, base)
	if err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	if i := slices.IndexFunc(pubs, func(q recruit.Publication) bool { return q.Round == round }); i >= 0 && pubs[i].Lists(p) {
		return recruit.Publication{}, recruit.WithOp(op, recruit.Errorf(recruit.ECONFLICT,
			"%s与%s公示的相同，无需重新公示", p.Title(), formatTime(pubs[i].PublishedAt)))
	}
	if p, err = s.store.AddPublication(ctx, p); err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	target := fmt.Sprintf("publication:%d", p.ID)
	after := map[string]any{"round": round, "entries": len(entries)}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), base, ActionPublishList, target, nil, after, ""); err != nil {
		return recruit.Publication{}, recruit.WithOp(op, err)
	}
	return p, nil
}

// listEntries returns the entries of base's list of round (see
// PublishList), by specialty code and application id.
func (s *Service) listEntries(ctx context.Context, y recruit.Year, base int64, round recruit.Phase) ([]recruit.PublishedEntry, error) {
	start, _, _ := y.Calendar.Start(round)
	cs, err := s.candidates(ctx, y.Year, base, func(a recruit.Application) bool {
		if round == recruit.PhaseConfirmation {
			return a.State == recruit.StateAdmitted
		}
		return a.State == recruit.StateProvisional && !a.StateAt.Before(start)
	})
	out := make([]recruit.PublishedEntry, len(cs))
	for i, c := range cs {
		out[i] = recruit.PublishedEntry{ApplicationID: c.App.ID, Name: recruit.MaskName(c.Name), SpecialtyCode: c.Program.SpecialtyCode, SpecialtyName: c.Program.SpecialtyName}
	}
	return out, err
}

// Candidate is an application of a base on the admission screen, with
// its applicant's name (in full: staff see it) and its program.
type Candidate struct {
	App     recruit.Application
	Name    string
	Program recruit.Program
	// Published tells that the application is on a published list, so
	// its provisional admission can no longer be undone.
	Published bool
}

// candidates returns the base's applications of year that keep accepts,
// by specialty code and application id.
func (s *Service) candidates(ctx context.Context, year int, base int64, keep func(recruit.Application) bool) ([]Candidate, error) {
	progs, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: year, BaseID: base})
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, p := range progs {
		apps, err := s.store.ListApplications(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			if !keep(a) {
				continue
			}
			id, err := s.store.GetIdentity(ctx, a.IdentityID)
			if err != nil {
				return nil, err
			}
			out = append(out, Candidate{App: a, Name: id.Name, Program: p})
		}
	}
	return out, nil
}

// Admission is what a base's admission screen shows: the phase, the
// programs with their live counts, the candidates (approved, provisionally
// admitted and admitted applications) and the base's publications, newest
// first.
type Admission struct {
	Year         recruit.Year
	Phase        recruit.Phase
	Programs     []recruit.Program
	Candidates   []Candidate
	Publications []recruit.Publication
	Dates        []recruit.BaseDates // the base's dates of each round that has some
}

// Admission reads base's admission screen for by: base admins of base and
// the province (another base is ENOTFOUND, a reviewer EFORBIDDEN).
func (s *Service) Admission(ctx context.Context, by recruit.Staff, base int64) (Admission, error) {
	const op = "review.Admission"
	if err := baseAdmin(by, base, recruit.ActionProvisionalAdmit); err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	a := Admission{Year: y, Phase: y.Calendar.PhaseAt(s.now())}
	if a.Programs, err = s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year, BaseID: base}); err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	if a.Publications, err = s.store.ListPublications(ctx, y.Year, base); err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	a.Candidates, err = s.candidates(ctx, y.Year, base, func(app recruit.Application) bool {
		return app.State == recruit.StateApproved || app.State.HoldsSeat()
	})
	if err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	for i, c := range a.Candidates {
		a.Candidates[i].Published = slices.ContainsFunc(a.Publications, func(p recruit.Publication) bool { return p.Includes(c.App.ID) })
	}
	dates, err := s.store.ListBaseDates(ctx, y.Year)
	if err != nil {
		return Admission{}, recruit.WithOp(op, err)
	}
	for _, d := range dates {
		if d.BaseID == base {
			a.Dates = append(a.Dates, d.InShanghai())
		}
	}
	return a, nil
}

// Notice kinds of SendNotice.
const (
	NoticeExam      = "exam"
	NoticeInterview = "interview"
)

// Notice is an exam or interview notice (Kind NoticeExam or
// NoticeInterview) of base BaseID: when (At, in the future) and where
// (Place) to the approved applications ApplicationIDs.
type Notice struct {
	BaseID         int64     `json:"base_id"`
	Kind           string    `json:"kind"`
	At             time.Time `json:"at"`
	Place          string    `json:"place"`
	ApplicationIDs []int64   `json:"application_ids"`
}

// NoticeResult is what SendNotice did: Queued notifications, and Already
// those that had been queued by an earlier identical notice.
type NoticeResult struct {
	Queued  int `json:"queued"`
	Already int `json:"already"`
}

// SendNotice queues an exam or interview notice to each chosen application
// (notify.ExamNotice, notify.InterviewNotice) and writes one audit entry.
// Every application is checked first — it must be an approved application
// of the base in a review round — and nothing is queued if one fails;
// another base's application is ENOTFOUND. Sending the same notice again
// queues nothing twice (one notification per kind, application and time).
// Base admins of the base and the province may.
func (s *Service) SendNotice(ctx context.Context, by recruit.Staff, n Notice) (NoticeResult, error) {
	const op = "review.SendNotice"
	if err := baseAdmin(by, n.BaseID, recruit.ActionSendNotice); err != nil {
		return NoticeResult{}, recruit.WithOp(op, err)
	}
	build, err := checkNotice(&n, s.now())
	if err != nil {
		return NoticeResult{}, recruit.WithOp(op, err)
	}
	type target struct {
		app  recruit.Application
		prog recruit.Program
	}
	targets := make([]target, 0, len(n.ApplicationIDs))
	for _, id := range n.ApplicationIDs {
		act, err := s.act(ctx, by, id, recruit.ActionSendNotice)
		if err == nil && act.prog.BaseID != n.BaseID {
			err = errNoApp
		}
		if err != nil {
			return NoticeResult{}, recruit.WithOp(op, forApplication(id, err))
		}
		targets = append(targets, target{act.app, act.prog})
	}
	now := s.now()
	var res NoticeResult
	for _, t := range targets {
		_, err := s.store.AddNotification(ctx, build(t.app, t.prog, n.At, n.Place, now))
		switch {
		case err == nil:
			res.Queued++
		case recruit.ErrorCode(err) == recruit.ECONFLICT:
			res.Already++
		default:
			return res, recruit.WithOp(op, err)
		}
	}
	after := map[string]any{"kind": n.Kind, "at": n.At.In(recruit.Shanghai), "place": n.Place, "application_ids": n.ApplicationIDs}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), n.BaseID, ActionSendNotice, fmt.Sprintf("base:%d", n.BaseID), nil, after, ""); err != nil {
		return res, recruit.WithOp(op, err)
	}
	return res, nil
}

// forApplication names application id in the refusal err (an internal
// error stays as it is).
func forApplication(id int64, err error) error {
	if code := recruit.ErrorCode(err); code != recruit.EINTERNAL {
		return recruit.Errorf(code, "报名编号 %d：%s", id, recruit.ErrorMessage(err))
	}
	return err
}

// checkNotice trims and checks n (kind, a time after now, a place, 1 to
// MaxNoticeRecipients distinct applications) and returns its builder.
func checkNotice(n *Notice, now time.Time) (func(recruit.Application, recruit.Program, time.Time, string, time.Time) recruit.Notification, error) {
	fe := recruit.FieldErrors{}
	var build func(recruit.Application, recruit.Program, time.Time, string, time.Time) recruit.Notification
	switch n.Kind {
	case NoticeExam:
		build = notify.ExamNotice
	case NoticeInterview:
		build = notify.InterviewNotice
	default:
		fe.Add("kind", "通知类型只能是 exam（笔试）或 interview（面试）")
	}
	if !n.At.After(now) {
		fe.Add("at", "笔试或面试时间须晚于当前时间")
	}
	n.Place = strings.TrimSpace(n.Place)
	if n.Place == "" || utf8.RuneCountInString(n.Place) > MaxPlace {
		fe.Add("place", fmt.Sprintf("请填写地点（不超过 %d 个字）", MaxPlace))
	}
	ids := slices.Clone(n.ApplicationIDs)
	slices.Sort(ids)
	if len(ids) == 0 || len(ids) > MaxNoticeRecipients || len(slices.Compact(ids)) != len(n.ApplicationIDs) {
		fe.Add("application_ids", fmt.Sprintf("请选择 1 至 %d 名不重复的报名人员", MaxNoticeRecipients))
	}
	return build, fe.Err()
}
