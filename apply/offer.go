package apply

import (
	"context"

	"zhupei/notify"
	"zhupei/recruit"
)

// errNoOffer refuses an answer from an applicant without an application.
var errNoOffer = recruit.Errorf(recruit.EFORBIDDEN, "当前没有待确认的拟录取")

// AnswerOffer accepts (确认接受) or declines (放弃) the applicant's open
// offer before its deadline (recruit.CheckOfferMove). Accepting keeps the
// seat and locks the choice: nothing can be changed or declined after it.
// Declining gives the seat back at once and tells the applicant and the
// base's staff (notify.OfferEndedNotes), in the same store operation.
func (s *Service) AnswerOffer(ctx context.Context, a *Applicant, accept bool) (app recruit.Application, err error) {
	defer func() { err = recruit.WithOp("apply.AnswerOffer", err) }()
	if a.App == nil {
		return recruit.Application{}, errNoOffer
	}
	now := s.now()
	to := recruit.OfferDeclined
	if accept {
		to = recruit.OfferAccepted
	}
	// Checked before the staff are read: the store checks again in its
	// operation.
	if err := recruit.CheckOfferMove(*a.App, to, now); err != nil {
		return recruit.Application{}, err
	}
	var notes recruit.Notes
	if !accept {
		prog, err := s.store.GetProgram(ctx, a.App.ProgramID)
		if err != nil {
			return recruit.Application{}, err
		}
		staff, err := s.store.ListStaff(ctx, recruit.StaffFilter{BaseID: prog.BaseID})
		if err != nil {
			return recruit.Application{}, err
		}
		notes = notify.OfferEndedNotes(prog, staff, now)
	}
	app, err = s.store.MoveOffer(ctx, a.App.ID, to, "", now, notes)
	if err != nil {
		return recruit.Application{}, err
	}
	a.App = &app
	return app, nil
}
