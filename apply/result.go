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
