package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
)

// errIncomplete refuses a choice before the four sections are filled.
var errIncomplete = recruit.Errorf(recruit.EFORBIDDEN, "请先完成基本信息、工作信息、教育经历、证书信息的填写")

// ChoiceRefusal says why the applicant cannot submit (or change) a choice
// now, for any program; nil when some choice may be submitted.
func (a *Applicant) ChoiceRefusal() error {
	if !a.Profile.Complete() {
		return errIncomplete
	}
	action := recruit.ActionRegister
	if a.Submitted() {
		action = recruit.ActionChangeSpecialty
	}
	return a.May(action)
}

// Choose submits or changes the applicant's choice (志愿): the four
// sections must be filled, the program must be of the applicant's year, the
// phase and state must allow registering, changing the specialty or
// changing the base (recruit.ApplicantMay), and 本单位培训 must choose the
// employer's base. appVersion is the application version the page was
// loaded with (0 before the first choice): a stale page gets ECONFLICT,
// checked by the store in the write itself, so that of concurrent
// submissions of one page only one wins. The
// counters, the history entry and the registration-success notification
// are written by the store with the choice. On success a.App is the new
// application.
func (s *Service) Choose(ctx context.Context, a *Applicant, appVersion int, ch recruit.Choice) (app recruit.Application, err error) {
	defer func() { err = recruit.WithOp("apply.Choose", err) }()
	if !a.Profile.Complete() {
		return recruit.Application{}, errIncomplete
	}
	prog, err := s.store.GetProgram(ctx, ch.ProgramID)
	if err != nil || prog.Year != a.Year.Year {
		if err != nil && recruit.ErrorCode(err) != recruit.ENOTFOUND {
			return recruit.Application{}, err
		}
		return recruit.Application{}, &recruit.Error{Code: recruit.EINVALID, Message: "请选择本年度的培训基地和培训专业",
			Fields: map[string]string{"program_id": "请选择培训专业"}}
	}
	action := recruit.ActionRegister
	if a.Submitted() {
		action = recruit.ActionChangeSpecialty
		old, err := s.store.GetProgram(ctx, a.App.ProgramID)
		if err != nil {
			return recruit.Application{}, err
		}
		if old.BaseID != prog.BaseID {
			action = recruit.ActionChangeBase
		}
	}
	if err := a.May(action); err != nil {
		return recruit.Application{}, err
	}
	if err := recruit.CheckOwnUnit(*a.Profile.Basic, *a.Profile.Work, prog.BaseName); err != nil {
		return recruit.Application{}, err
	}
	now := s.now()
	app, err = s.store.SubmitChoice(ctx, a.Identity.ID, a.Year.Year, appVersion, ch, now, func(app recruit.Application) (recruit.Revision, recruit.Notification, error) {
		return choiceRecords(a.Identity.ID, prog, app, now)
	})
	if err != nil {
		return recruit.Application{}, err
	}
	a.App = &app
	return app, nil
}

// choiceRecords builds the history entry and the registration-success
// notification of a submitted choice; the store records them with it.
func choiceRecords(identityID int64, prog recruit.Program, app recruit.Application, now time.Time) (recruit.Revision, recruit.Notification, error) {
	adj := "不接受调剂"
	if app.AcceptsAdjustment {
		adj = "接受调剂"
	}
	snap, err := json.Marshal(choiceSnapshot{
		Choice: recruit.Choice{ProgramID: app.ProgramID, AcceptsAdjustment: app.AcceptsAdjustment},
		Base:   prog.BaseName, Specialty: prog.SpecialtyName, Version: app.Version,
	})
	if err != nil {
		return recruit.Revision{}, recruit.Notification{}, recruit.Internal(err)
	}
	rev := recruit.Revision{IdentityID: identityID, Kind: SectionChoice,
		Summary:  fmt.Sprintf("提交志愿：%s %s（%s）", prog.BaseName, prog.SpecialtyName, adj),
		Snapshot: string(snap), By: revisionBy, At: now}
	return rev, notify.Registered(app, prog, now), nil
}

// choiceSnapshot is the history snapshot of a submitted choice.
type choiceSnapshot struct {
	recruit.Choice
	Base      string `json:"base"`
	Specialty string `json:"specialty"`
	Version   int    `json:"version"`
}

// ChoiceOptions is what the choice form offers for one base.
type ChoiceOptions struct {
	// Current is the program of the submitted choice, nil when none is.
	Current *recruit.Program
	// Programs are the programs of the base asked for in the applicant's
	// year, with their counters (none for base 0).
	Programs []recruit.Program
}

// ChoiceOptions returns the current choice and the programs of base (0:
// the current choice's base, if any).
func (s *Service) ChoiceOptions(ctx context.Context, a *Applicant, base int64) (o ChoiceOptions, err error) {
	defer func() { err = recruit.WithOp("apply.ChoiceOptions", err) }()
	if a.Submitted() {
		cur, err := s.store.GetProgram(ctx, a.App.ProgramID)
		if err != nil {
			return o, err
		}
		o.Current = &cur
		if base == 0 {
			base = cur.BaseID
		}
	}
	if base != 0 {
		if o.Programs, err = s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: a.Year.Year, BaseID: base}); err != nil {
			return o, err
		}
	}
	return o, nil
}
