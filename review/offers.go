package review

import (
	"context"

	"zhupei/recruit"
)

// provisionallyAdmit makes the provisional admission of act, with the
// notification of note: when the year requires acceptance
// (recruit.OfferSettings) an offer answerable until recruit.OfferDeadline
// with the window the base set for the round (BaseDates.OfferHours, else
// the default), otherwise a provisional admission as in the seed.
func (s *Service) provisionallyAdmit(ctx context.Context, act staffAct, note recruit.Note) (recruit.Application, error) {
	if !act.year.Offers.RequireAcceptance {
		return s.store.ProvisionallyAdmit(ctx, act.app.ID, act.now, note)
	}
	hours := 0
	d, err := s.store.GetBaseDates(ctx, act.year.Year, act.prog.BaseID, act.year.Calendar.PhaseAt(act.now))
	switch {
	case err == nil:
		hours = d.OfferHours
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return recruit.Application{}, err
	}
	deadline := recruit.OfferDeadline(act.year.Calendar, hours, act.now)
	return s.store.MakeOffer(ctx, act.app.ID, deadline, act.now, note)
}
