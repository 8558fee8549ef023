package review

import (
	"context"

	"zhupei/recruit"
)

// provisionallyAdmit makes the provisional admission of act, with the
// notification of note: when the year requires acceptance
// (recruit.OfferSettings) an offer answerable until
// recruit.BaseOfferDeadline, otherwise a provisional admission as in the
// seed.
func (s *Service) provisionallyAdmit(ctx context.Context, act staffAct, note recruit.Note) (recruit.Application, error) {
	deadline, err := recruit.BaseOfferDeadline(ctx, s.store, act.year, act.prog.BaseID, act.now)
	if err != nil {
		return recruit.Application{}, err
	}
	if deadline.IsZero() {
		return s.store.ProvisionallyAdmit(ctx, act.app.ID, act.now, note)
	}
	return s.store.MakeOffer(ctx, act.app.ID, deadline, act.now, note)
}
