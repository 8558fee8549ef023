package province

import (
	"context"
	"errors"
	"fmt"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
)

// BaseNotice is a notice to the staff of one base: its kind, the count it
// tells and how many staff members it was queued for by this call.
type BaseNotice struct {
	Kind   recruit.NoticeKind `json:"kind"`
	BaseID int64              `json:"base_id"`
	Round  recruit.Phase      `json:"round,omitempty"`
	Count  int                `json:"count"`
	Staff  int                `json:"staff"`
}

// Report says what one AdvancePhases call did.
type Report struct {
	Year int `json:"year"`
	// Phases are the phase starts applied by this call, in order;
	// Deadlines the review deadlines ("base/round").
	Phases    []recruit.Phase `json:"phases"`
	Deadlines []string        `json:"deadlines"`
	// Reopened counts the applications made pending again.
	Reopened int `json:"reopened"`
	// Invited counts the round-opening notices this call queued to bound
	// people without an application (at the start of adjustment).
	Invited int `json:"invited"`
	// Notices are the notices to bases' staff this call queued.
	Notices []BaseNotice `json:"notices"`
}

// AdvancePhases carries out, for the latest year, every phase start and
// every base review deadline that is due at now and not yet marked done, in
// calendar order. It is the scheduler's phase job, and idempotent: the
// effects are computed from the data, and a boundary's "done" marker (a
// key-value record per year and phase, or per year, base and round) is
// written only after its effects, so a call cut short is completed by the
// next one, and a boundary missed while no instance ran is applied by the
// first call after start-up. Effects:
//
//   - round1: registration is closed (by the calendar itself); the staff of
//     every base of the year are told review has begun, with the number
//     of applications to review (notify.StaffReviewStarted);
//   - round2, adjustment: every application not holding a seat whose state
//     was set before the phase began is pending again, its choice carried
//     over (Applications.ReopenApplications), each queued with its
//     notify.RoundOpened notice in the same operation; in adjustment only
//     applicants who accept adjustment are told, and so is every bound
//     person without an application of the year (Identities.UnappliedIdentities,
//     paged), who may register now;
//   - confirmation: the staff of every base are told how many provisional
//     admissions await admission (notify.StaffConfirmation);
//   - a base's review deadline (BaseDates.ReviewDeadline): its staff are
//     told how many applications are still pending (notify.StaffDeadline).
//
// Every notice has a deterministic key (notify), so a notice queued before
// a call was cut short is not queued again.
func (s *Service) AdvancePhases(ctx context.Context, now time.Time) (Report, error) {
	const op = "province.AdvancePhases"
	y, err := s.store.LatestYear(ctx)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return Report{}, nil
	}
	if err != nil {
		return Report{}, recruit.WithOp(op, err)
	}
	r := Report{Year: y.Year}
	for _, st := range y.Calendar.Starts() {
		if st.At.IsZero() || st.At.After(now) {
			break
		}
		key := fmt.Sprintf("phase-done:%d:%s", y.Year, st.Phase)
		done, err := s.done(ctx, key, now)
		if err != nil {
			return r, recruit.WithOp(op, err)
		}
		if done {
			continue
		}
		if err := s.applyStart(ctx, y, st, now, &r); err != nil {
			return r, recruit.WithOp(op, err)
		}
		if err := s.store.SetKV(ctx, key, now.UTC().Format(time.RFC3339), 0, now); err != nil {
			return r, recruit.WithOp(op, err)
		}
		r.Phases = append(r.Phases, st.Phase)
	}
	if err := s.deadlines(ctx, y.Year, now, &r); err != nil {
		return r, recruit.WithOp(op, err)
	}
	return r, nil
}

// done reports whether the marker key exists.
func (s *Service) done(ctx context.Context, key string, now time.Time) (bool, error) {
	_, err := s.store.GetKV(ctx, key, now)
	switch recruit.ErrorCode(err) {
	case "":
		return true, nil
	case recruit.ENOTFOUND:
		return false, nil
	}
	return false, err
}

// applyStart carries out the effects of one phase start.
func (s *Service) applyStart(ctx context.Context, y recruit.Year, st recruit.PhaseStart, now time.Time, r *Report) error {
	switch st.Phase {
	case recruit.PhaseRound1:
		return s.noticeBases(ctx, y.Year, recruit.StatePending, recruit.KindStaffReviewStarted, st.Phase, r, func(staff recruit.Staff, base string, n int) recruit.Notification {
			return notify.StaffReviewStarted(staff, base, y.Year, n, now)
		})
	case recruit.PhaseRound2, recruit.PhaseAdjustment:
		_, end, _ := y.Calendar.Start(st.Phase)
		n, err := s.store.ReopenApplications(ctx, y.Year, st.At, now, func(app recruit.Application) *recruit.Notification {
			if st.Phase == recruit.PhaseAdjustment && !app.AcceptsAdjustment {
				return nil
			}
			msg := notify.RoundOpened(app.IdentityID, y.Year, st.Phase, st.At, end, now)
			return &msg
		})
		r.Reopened += n
		if err != nil || st.Phase != recruit.PhaseAdjustment {
			return err
		}
		return s.inviteUnapplied(ctx, y.Year, st.At, end, now, r)
	case recruit.PhaseConfirmation:
		return s.noticeBases(ctx, y.Year, recruit.StateProvisional, recruit.KindStaffConfirmation, st.Phase, r, func(staff recruit.Staff, base string, n int) recruit.Notification {
			return notify.StaffConfirmation(staff, base, y.Year, n, now)
		})
	}
	return nil // registration and closed change nothing stored
}

// staffNote builds the notice of one staff member of a base telling n.
type staffNote func(staff recruit.Staff, base string, n int) recruit.Notification

// noticeBases tells the staff of every base with a program in the year how
// many of the base's applications are in state.
func (s *Service) noticeBases(ctx context.Context, year int, state recruit.State, kind recruit.NoticeKind, round recruit.Phase, r *Report, note staffNote) error {
	programs, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: year})
	if err != nil {
		return err
	}
	counts, err := s.countByBase(ctx, year, state)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, p := range programs {
		if seen[p.BaseID] {
			continue
		}
		seen[p.BaseID] = true
		if err := s.noticeBase(ctx, BaseNotice{Kind: kind, BaseID: p.BaseID, Round: round, Count: counts[p.BaseID]}, p.BaseName, r, note); err != nil {
			return err
		}
	}
	return nil
}

// noticeBase queues the notice of every enabled staff member of base
// b.BaseID, leaving out those queued before, and records it in r.
func (s *Service) noticeBase(ctx context.Context, b BaseNotice, baseName string, r *Report, note staffNote) error {
	staff, err := s.store.ListStaff(ctx, recruit.StaffFilter{BaseID: b.BaseID})
	if err != nil {
		return err
	}
	for _, st := range staff {
		if st.Disabled {
			continue
		}
		added, err := s.queue(ctx, note(st, baseName, b.Count))
		if err != nil {
			return err
		}
		if added {
			b.Staff++
		}
	}
	r.Notices = append(r.Notices, b)
	return nil
}

// countByBase counts the year's applications in state per base of their
// program.
func (s *Service) countByBase(ctx context.Context, year int, state recruit.State) (map[int64]int, error) {
	programs, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: year})
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, p := range programs {
		apps, err := s.store.ListApplications(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			if a.State == state {
				out[p.BaseID]++
			}
		}
	}
	return out, nil
}

// deadlines tells the staff of every base whose review deadline of a round
// has passed how many applications are still pending, once per base and
// round.
func (s *Service) deadlines(ctx context.Context, year int, now time.Time, r *Report) error {
	dates, err := s.store.ListBaseDates(ctx, year)
	if err != nil {
		return err
	}
	var (
		pending map[int64]int
		names   map[int64]string
	)
	for _, d := range dates {
		if d.ReviewDeadline.IsZero() || d.ReviewDeadline.After(now) {
			continue
		}
		key := fmt.Sprintf("deadline-done:%d:%d:%s", year, d.BaseID, d.Round)
		done, err := s.done(ctx, key, now)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		if pending == nil {
			if pending, err = s.countByBase(ctx, year, recruit.StatePending); err != nil {
				return err
			}
			if names, err = s.baseNames(ctx); err != nil {
				return err
			}
		}
		deadline := d.ReviewDeadline
		err = s.noticeBase(ctx, BaseNotice{Kind: recruit.KindStaffDeadline, BaseID: d.BaseID, Round: d.Round, Count: pending[d.BaseID]},
			names[d.BaseID], r, func(staff recruit.Staff, base string, n int) recruit.Notification {
				return notify.StaffDeadline(staff, base, n, deadline, now)
			})
		if err != nil {
			return err
		}
		if err := s.store.SetKV(ctx, key, now.UTC().Format(time.RFC3339), 0, now); err != nil {
			return err
		}
		r.Deadlines = append(r.Deadlines, fmt.Sprintf("%d/%s", d.BaseID, d.Round))
	}
	return nil
}

// baseNames maps base ids to names.
func (s *Service) baseNames(ctx context.Context) (map[int64]string, error) {
	bases, err := s.store.ListBases(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(bases))
	for _, b := range bases {
		out[b.ID] = b.Name
	}
	return out, nil
}

// invitePage is how many identities inviteUnapplied reads at a time.
const invitePage = 500

// inviteUnapplied queues the adjustment's round-opening notice (from start
// to end) of every bound person without an application of year, leaving
// out those queued before, and counts the new ones in r.
func (s *Service) inviteUnapplied(ctx context.Context, year int, start, end, now time.Time, r *Report) error {
	for after := int64(0); ; {
		ids, err := s.store.UnappliedIdentities(ctx, year, after, invitePage)
		if err != nil {
			return err
		}
		for _, id := range ids {
			added, err := s.queue(ctx, notify.RoundOpened(id, year, recruit.PhaseAdjustment, start, end, now))
			if err != nil {
				return err
			}
			if added {
				r.Invited++
			}
		}
		if len(ids) < invitePage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// queue queues n and reports whether it did: a notice whose key was queued
// before is left out, not an error.
func (s *Service) queue(ctx context.Context, n recruit.Notification) (bool, error) {
	_, err := s.store.AddNotification(ctx, n)
	if errors.Is(err, recruit.ErrQueued) {
		return false, nil
	}
	return err == nil, err
}
