package apply

import (
	"context"

	"zhupei/recruit"
)

// Result is the applicant's own result (结果查询, seed 6.2 and 6.7) besides
// the application itself (Applicant.App).
type Result struct {
	// Program is the chosen program, nil without an application.
	Program *recruit.Program
	// CanEdit: the profile may be edited now. CanGenerate: the PDF form may
	// be generated. CanChoose: the choice may be changed.
	CanEdit, CanGenerate, CanChoose bool
	// Form is the state of the newest generated registration form.
	Form FormState
	// Dates are the chosen base's dates for the applicant's round
	// (recruit.DatesRounds), nil when the base set none.
	Dates *recruit.BaseDates
}

// FormState says whether a registration form (报名表) was generated and
// whether it still shows the current application version.
type FormState int

// The states of the newest form.
const (
	FormNone     FormState = iota // never generated: the button reads 生成报名表
	FormCurrent                   // shows the current version
	FormOutdated                  // generated before a later change: regenerate
)

// OutdatedFormNotice tells the applicant that a form already downloaded no
// longer shows what is saved.
const OutdatedFormNotice = "您在生成报名表后修改了信息，请重新生成并以最新版本为准"

// Result returns what the result page shows of the applicant's application.
func (s *Service) Result(ctx context.Context, a *Applicant) (r Result, err error) {
	defer func() { err = recruit.WithOp("apply.Result", err) }()
	r.CanEdit = a.EditRefusal() == nil
	if a.App == nil {
		return r, nil
	}
	prog, err := s.store.GetProgram(ctx, a.App.ProgramID)
	if err != nil {
		return r, err
	}
	r.Program = &prog
	for _, round := range recruit.DatesRounds(a.Phase) {
		d, err := s.store.GetBaseDates(ctx, a.Year.Year, prog.BaseID, round)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND {
			continue
		}
		if err != nil {
			return r, recruit.WithOp("apply.Result", err)
		}
		r.Dates = &d
		break
	}
	r.CanGenerate = a.May(recruit.ActionGenerateForm) == nil
	r.CanChoose = a.Profile.Complete() && a.May(recruit.ActionChangeSpecialty) == nil
	r.Form, err = s.formState(ctx, a)
	return r, err
}

// FormState returns the state of the applicant's newest registration form.
func (s *Service) FormState(ctx context.Context, a *Applicant) (FormState, error) {
	st, err := s.formState(ctx, a)
	return st, recruit.WithOp("apply.FormState", err)
}

func (s *Service) formState(ctx context.Context, a *Applicant) (FormState, error) {
	if a.App == nil {
		return FormNone, nil
	}
	rec, err := s.store.LatestForm(ctx, a.App.ID)
	switch {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		return FormNone, nil
	case err != nil:
		return FormNone, err
	case rec.Version < a.App.Version:
		return FormOutdated, nil
	}
	return FormCurrent, nil
}

// Landing returns where a login of identityID goes when it asked for next:
// for the registration and result entries (立即报名, 结果查询) the
// basic-information page while the person has no profile yet, else the
// result page (seed 6.1, 6.2); any other page asked for as next.
func (s *Service) Landing(ctx context.Context, identityID int64, next string) (string, error) {
	switch next {
	case "", "/", "/apply", "/result":
	default:
		return next, nil
	}
	p, err := s.store.GetProfile(ctx, identityID)
	if err != nil {
		return "", recruit.WithOp("apply.Landing", err)
	}
	if p.Version == 0 {
		return "/apply/basic", nil
	}
	return "/result", nil
}
