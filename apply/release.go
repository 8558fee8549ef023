package apply

import (
	"context"
	"strings"
	"time"

	"zhupei/recruit"
)

// releasedKey + openid records, for 30 days, that the province released
// the account's binding: when and why (releaseNote), for its binding page.
const releasedKey = "bind:released:"

// Released is the province's release of an account's binding, as the
// account's binding page tells it.
type Released struct {
	At     time.Time
	Reason string
}

// ReleaseBinding carries out the province's release of the binding of an
// ID number on appeal (its real owner found it bound by someone else): the
// account bound to it, if any, is detached, and the number's 30-day
// records are removed, so that the owner can bind the number at once from
// any account (re-attaching the person's record, as after an unbinding).
// The detached account keeps its own 30-day record and is told on its
// binding page (BindStatus.Released). It returns the identity with the
// openid of the detached account ("" when none was bound); ENOTFOUND when
// the number was never bound. The caller checks who may (province).
func (s *Service) ReleaseBinding(ctx context.Context, idType, number, reason string) (_ recruit.Identity, err error) {
	defer func() { err = recruit.WithOp("apply.ReleaseBinding", err) }()
	number = recruit.NormalizeCode(number)
	id, err := s.store.IdentityByNumber(ctx, idType, number)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Identity{}, recruit.Errorf(recruit.ENOTFOUND, "该证件号码没有实名认证记录")
	}
	if err != nil {
		return recruit.Identity{}, err
	}
	if id.OpenID != "" {
		if err := s.store.SetKV(ctx, releasedKey+id.OpenID, s.now().Format(time.RFC3339)+"\n"+reason, bindWindow, s.now()); err != nil {
			return recruit.Identity{}, err
		}
		if err := s.store.UnbindIdentity(ctx, id.ID); err != nil {
			return recruit.Identity{}, err
		}
	}
	index := recruit.IdentityIndex(s.sealer, idType, number)
	for _, key := range []string{bindIDKey + index, unbindIDKey + index} {
		if err := s.store.DeleteKV(ctx, key); err != nil {
			return recruit.Identity{}, err
		}
	}
	return id, nil
}

// released returns the province's release of the account openID's
// binding within the last 30 days, nil when there is none.
func (s *Service) released(ctx context.Context, openID string) *Released {
	v, err := s.store.GetKV(ctx, releasedKey+openID, s.now())
	if err != nil {
		return nil
	}
	at, reason, _ := strings.Cut(v, "\n")
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return nil
	}
	return &Released{At: t, Reason: reason}
}
