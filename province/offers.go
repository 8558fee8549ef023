package province

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
)

// ActionVoidOffer names the province's voiding of an accepted offer in the
// audit log.
const ActionVoidOffer = "void_offer"

// maxVoidReason bounds the reason of a void, in characters.
const maxVoidReason = 200

var (
	errVoidNotProvince = recruit.Errorf(recruit.EFORBIDDEN, "仅省级管理员可以作废已确认的拟录取")
	errVoidReason      = recruit.Errorf(recruit.EINVALID, "请填写作废原因（不超过 %d 个字）", maxVoidReason)
)

// VoidOffer voids the accepted offer of application appID (a dispute: the
// base cannot undo it, recruit.CheckUndoOffer) with a reason of at most
// maxVoidReason characters: the application is approved again, its seat
// given back, and the applicant and the base's staff told
// (notify.OfferEndedNotes, the reason included), in one store operation;
// then the audit entry is written. Only an enabled province admin may; the
// offer must be accepted and not yet admitted (recruit.CheckOfferMove).
func (s *Service) VoidOffer(ctx context.Context, by recruit.Staff, appID int64, reason string) (recruit.Application, error) {
	const op = "province.VoidOffer"
	if err := provinceOnly(by, errVoidNotProvince); err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxVoidReason {
		return recruit.Application{}, recruit.WithOp(op, errVoidReason)
	}
	app, err := s.store.GetApplicationByID(ctx, appID)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	now := s.now()
	if err := recruit.CheckOfferMove(app, recruit.OfferVoided, now); err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	notes, prog, err := s.offerEndedNotes(ctx, app, now, nil)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	out, err := s.store.MoveOffer(ctx, appID, recruit.OfferVoided, reason, now, notes)
	if err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	before := map[string]any{"state": app.State, "offer_state": app.OfferState}
	after := map[string]any{"state": out.State, "offer_state": out.OfferState}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), prog.BaseID, ActionVoidOffer, fmt.Sprintf("application:%d", appID), before, after, reason); err != nil {
		return recruit.Application{}, recruit.WithOp(op, err)
	}
	return out, nil
}

// provinceOnly refuses a disabled account or one that is not the
// province's with refusal.
func provinceOnly(by recruit.Staff, refusal error) error {
	if by.Disabled {
		return recruit.ErrStaffDisabled
	}
	if by.Role != recruit.RoleProvince {
		return refusal
	}
	return nil
}

// offerEndedNotes returns the notifications of app's ended offer with its
// program; staff caches the staff of each base between calls (nil: none).
func (s *Service) offerEndedNotes(ctx context.Context, app recruit.Application, now time.Time, staff map[int64][]recruit.Staff) (recruit.Notes, recruit.Program, error) {
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return nil, recruit.Program{}, err
	}
	members, ok := staff[prog.BaseID]
	if !ok {
		if members, err = s.store.ListStaff(ctx, recruit.StaffFilter{BaseID: prog.BaseID}); err != nil {
			return nil, recruit.Program{}, err
		}
		if staff != nil {
			staff[prog.BaseID] = members
		}
	}
	return notify.OfferEndedNotes(prog, members, now), prog, nil
}

// ExpireOffers expires every offer whose deadline has come by now
// (recruit.ExpireLapsed): each seat goes back at once and the applicant and
// the base's staff are told, in the offer's store operation. It is the
// scheduler's expiry job, safe to run on several instances at once; it
// returns the applications it expired.
func (s *Service) ExpireOffers(ctx context.Context, now time.Time) ([]recruit.Application, error) {
	staff := map[int64][]recruit.Staff{}
	out, err := recruit.ExpireLapsed(ctx, s.store, now, func(app recruit.Application) (recruit.Notes, error) {
		notes, _, err := s.offerEndedNotes(ctx, app, now, staff)
		return notes, err
	})
	return out, recruit.WithOp("province.ExpireOffers", err)
}
