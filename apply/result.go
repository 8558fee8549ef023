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
}

// Result returns what the result page shows of the applicant's application.
func (s *Service) Result(ctx context.Context, a *Applicant) (Result, error) {
	r := Result{CanEdit: a.EditRefusal() == nil}
	if a.App == nil {
		return r, nil
	}
	prog, err := s.store.GetProgram(ctx, a.App.ProgramID)
	if err != nil {
		return r, recruit.WithOp("apply.Result", err)
	}
	r.Program = &prog
	r.CanGenerate = a.May(recruit.ActionGenerateForm) == nil
	r.CanChoose = a.Profile.Complete() && a.May(recruit.ActionChangeSpecialty) == nil
	return r, nil
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
