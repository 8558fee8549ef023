package province

import (
	"context"
	"fmt"
	"strings"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
)

// Audit actions of applying a placement proposal: one entry per
// application placed, one for the step with its totals.
const (
	ActionApplyPlacement = "apply_placement"
	ActionPlaceOffer     = "place_offer"
)

// MsgProposalChanged refuses to apply a proposal other than the one
// computed now.
const MsgProposalChanged = "调剂方案已变化，请重新计算后再应用"

var (
	errNoDigest = recruit.Errorf(recruit.EINVALID, "请先计算调剂方案，再应用")
	errChanged  = recruit.Errorf(recruit.ECONFLICT, MsgProposalChanged)
)

// Applied is the outcome of applying a placement proposal.
type Applied struct {
	// The year and digest of the proposal applied.
	Year   int    `json:"year"`
	Digest string `json:"digest"`
	// Offers tells whether the placements are offers to be accepted before
	// their deadline (the year's offers.require_acceptance).
	Offers bool `json:"offers"`
	// Placed are the applications placed, by base and program as in the
	// proposal; Skipped those the world moved away from their placement
	// since it was computed (the seat taken meanwhile, the applicant no
	// longer in the pool), each with the reason.
	Placed  []AppliedEntry `json:"placed"`
	Skipped []AppliedEntry `json:"skipped"`
}

// AppliedEntry is one placement of an applied proposal: the application,
// its program (with its base's and specialty's names) and preference, the
// offer's answer deadline (zero: no offer) or, when it was skipped, why.
type AppliedEntry struct {
	ProposalEntry
	BaseName      string    `json:"base_name"`
	SpecialtyName string    `json:"specialty_name"`
	OfferDeadline time.Time `json:"offer_deadline,omitzero"`
	Reason        string    `json:"reason,omitempty"`
}

// ApplyPlacement applies the placement proposal of the latest year's
// adjustment pool that the province reviewed, identified by its digest
// (Proposal.Digest): it computes the proposal again and, only when the
// digest is the same (ECONFLICT MsgProposalChanged otherwise, nothing
// changed), places every application of it (recruit.AdjustmentStore
// PlaceOffer): a provisional admission at the program proposed, an offer
// answerable until recruit.BaseOfferDeadline when the year requires
// acceptance, with the 拟录取 notification (请于…前确认) queued with it, and
// an audit entry per application. A placement the world moved away from
// since (ECONFLICT or ENOTFOUND from the store: the seat taken, the
// applicant gone from the pool) is skipped and reported, not an error;
// an application placed already is no longer in the pool, so a re-run
// (after a partial apply, or by a second admin) never places anyone
// twice. One more audit entry records the step and its totals, also when
// a placement failed otherwise (the error is returned, the placements
// made stand, the entry says the step was interrupted). Only an enabled
// province admin may, in the adjustment phase.
func (s *Service) ApplyPlacement(ctx context.Context, by recruit.Staff, digest string) (Applied, error) {
	const op = "province.ApplyPlacement"
	digest = strings.TrimSpace(digest)
	y, p, pool, err := s.latestProposal(ctx, by, "应用调剂方案")
	switch {
	case err != nil:
		return Applied{}, recruit.WithOp(op, err)
	case digest == "":
		return Applied{}, recruit.WithOp(op, errNoDigest)
	case p.Phase != recruit.PhaseAdjustment:
		return Applied{}, recruit.WithOp(op, recruit.Errorf(recruit.EFORBIDDEN, "调剂方案仅能在%s应用，当前为%s", recruit.PhaseAdjustment.Label(), p.Phase.Label()))
	case p.Digest != digest:
		return Applied{}, recruit.WithOp(op, errChanged)
	}
	out := Applied{Year: y.Year, Digest: digest, Offers: y.Offers.RequireAcceptance, Placed: []AppliedEntry{}, Skipped: []AppliedEntry{}}
	failure := s.placeAll(ctx, by, y, p, pool, &out)
	summary := map[string]any{"digest": digest, "pool": p.Pool, "seats": p.Seats, "proposed": p.Placed,
		"placed": len(out.Placed), "skipped": len(out.Skipped), "offers": out.Offers}
	remark, auditCtx := "", ctx
	if failure != nil {
		// Recorded even when the request's time ran out: the placements
		// made stand.
		summary["interrupted"] = true
		remark, auditCtx = "应用中断：其余安排未发出，请重新计算调剂方案后应用", context.WithoutCancel(ctx)
	}
	if err := recruit.RecordStaffAction(auditCtx, s.store, by, s.now(), 0, ActionApplyPlacement, fmt.Sprintf("year:%d", y.Year), nil, summary, remark); err != nil && failure == nil {
		failure = err
	}
	if failure != nil {
		return out, recruit.WithOp(op, failure)
	}
	return out, nil
}

// placeAll places every application of p, as out records, until a
// placement fails otherwise than by the world having moved.
func (s *Service) placeAll(ctx context.Context, by recruit.Staff, y recruit.Year, p Proposal, pool recruit.Pool, out *Applied) error {
	read := make(map[int64]recruit.Application, len(pool.Members))
	for _, m := range pool.Members {
		read[m.App.ID] = m.App
	}
	now := p.ComputedAt
	for _, b := range p.Bases {
		deadline, err := recruit.BaseOfferDeadline(ctx, s.store, y, b.BaseID, now)
		if err != nil {
			return err
		}
		for _, pp := range b.Programs {
			prog, _ := pool.Program(pp.ProgramID)
			for _, e := range pp.Placed {
				got, err := s.placeOffer(ctx, by, read[e.AppID], e, prog, deadline, now, p.Digest)
				entry := AppliedEntry{ProposalEntry: e, BaseName: prog.BaseName, SpecialtyName: prog.SpecialtyName}
				switch code := recruit.ErrorCode(err); {
				case err == nil:
					entry.OfferDeadline = got.OfferDeadline
					out.Placed = append(out.Placed, entry)
				case code == recruit.ECONFLICT || code == recruit.ENOTFOUND:
					entry.Reason = recruit.ErrorMessage(err)
					out.Skipped = append(out.Skipped, entry)
				default:
					return err
				}
			}
		}
	}
	return nil
}

// placeOffer places the application of e, as the pool read it, at prog
// (PlaceOffer) with the 拟录取 notification and writes its audit entry.
func (s *Service) placeOffer(ctx context.Context, by recruit.Staff, app recruit.Application, e ProposalEntry, prog recruit.Program, deadline, now time.Time, digest string) (recruit.Application, error) {
	got, err := s.store.PlaceOffer(ctx, e.AppID, prog.ID, deadline, now, func(app recruit.Application) (recruit.Notification, error) {
		return notify.Provisional(app, prog, app.OfferDeadline, now), nil
	})
	if err != nil {
		return recruit.Application{}, err
	}
	before := map[string]any{"state": app.State, "program_id": app.ProgramID}
	after := map[string]any{"state": got.State, "program_id": got.ProgramID, "preference": e.Preference, "offer_deadline": got.OfferDeadline}
	remark := "调剂方案 " + digest[:min(len(digest), 12)]
	err = recruit.RecordStaffAction(ctx, s.store, by, s.now(), prog.BaseID, ActionPlaceOffer, fmt.Sprintf("application:%d", e.AppID), before, after, remark)
	return got, err
}
