package apply

import (
	"context"
	"time"

	"zhupei/recruit"
)

// Rebind is what unbinding now would cost a bound account (解除认证): when
// this account and this ID number could bind again, and whether that is
// after the year's current (or next) registration window has closed, in
// which case the person cannot register or change anything through this
// account until then.
type Rebind struct {
	// At is the first moment both the account and the ID number may bind
	// again after an unbinding now (now itself when nothing holds them).
	At time.Time
	// WindowEnd is the end of the current or next registration window of
	// the latest year, zero when none is left; WindowLastDay is its last
	// day, for display.
	WindowEnd, WindowLastDay time.Time
	// AfterWindow reports that At is not before WindowEnd.
	AfterWindow bool
}

// rebindAfterUnbind computes the Rebind of the bound identity id of account
// openID at the service's now.
func (s *Service) rebindAfterUnbind(ctx context.Context, openID string, id recruit.Identity) (Rebind, error) {
	now := s.now()
	r := Rebind{At: now}
	for _, key := range []string{bindAcctKey + openID, bindIDKey + recruit.IdentityIndex(s.sealer, id.IDType, id.IDNumber)} {
		if t := s.lockedUntil(ctx, key); t.After(r.At) {
			r.At = t
		}
	}
	y, err := s.store.LatestYear(ctx)
	switch recruit.ErrorCode(err) {
	case "":
	case recruit.ENOTFOUND:
		return r, nil
	default:
		return r, err
	}
	if _, end, ok := y.Calendar.RegistrationWindow(now); ok {
		r.WindowEnd, r.WindowLastDay = end, end.Add(-time.Nanosecond)
		r.AfterWindow = !r.At.Before(end)
	}
	return r, nil
}
