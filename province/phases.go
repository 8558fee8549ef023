package province

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"zhupei/recruit"
)

// Kinds of notices to bases' staff.
const (
	NoticeReviewBegun    = "review_begun"    // round1 started: review has begun
	NoticeAwaitAdmission = "await_admission" // confirmation started: Count provisional admissions to admit
	NoticeReviewDeadline = "review_deadline" // the base's review deadline passed: Count still pending
)

// BaseNotice is a notice to the staff of one base. Key is deterministic
// (kind, year, base and round), so delivering it again changes nothing.
type BaseNotice struct {
	Key    string        `json:"key"`
	Kind   string        `json:"kind"`
	Year   int           `json:"year"`
	BaseID int64         `json:"base_id"`
	Round  recruit.Phase `json:"round,omitempty"`
	Count  int           `json:"count"`
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
	// Notices are the notices to staff this call delivered (or, without a
	// StaffNotifier, would have).
	Notices []BaseNotice `json:"notices"`
}

// KindRoundOpened is the kind of the applicant notification of round2 and
// adjustment opening.
const KindRoundOpened = "round_opened"

// AdvancePhases carries out, for the latest year, every phase start and
// every base review deadline that is due at now and not yet marked done, in
// calendar order. It is the scheduler's phase job, and idempotent: the
// effects are computed from the data, and a boundary's "done" marker (a
// key-value record per year and phase, or per year, base and round) is
// written only after its effects, so a call cut short is completed by the
// next one, and a boundary missed while no instance ran is applied by the
// first call after start-up. Effects:
//
//   - round1: registration is closed (by the calendar itself); every base
//     of the year is told review has begun;
//   - round2, adjustment: every application not holding a seat whose state
//     was set before the phase began is pending again, its choice carried
//     over (Applications.ReopenApplications), each queued with its
//     round-opening notification (client message id phase:year:identity,
//     so a re-run queues nothing twice); in adjustment only applicants who
//     accept adjustment are told;
//   - confirmation: every base is told how many provisional admissions
//     await admission;
//   - a base's review deadline (BaseDates.ReviewDeadline): its staff are
//     told how many applications are still pending.
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
		return s.noticeBases(ctx, y.Year, NoticeReviewBegun, st.Phase, nil, r)
	case recruit.PhaseRound2, recruit.PhaseAdjustment:
		n, err := s.store.ReopenApplications(ctx, y.Year, st.At, now, roundOpened(y.Year, st, now))
		r.Reopened += n
		return err
	case recruit.PhaseConfirmation:
		counts, err := s.countByBase(ctx, y.Year, recruit.StateProvisional)
		if err != nil {
			return err
		}
		return s.noticeBases(ctx, y.Year, NoticeAwaitAdmission, st.Phase, counts, r)
	}
	return nil // registration and closed change nothing stored
}

// roundOpenedPayload is the template data of the round-opening notice.
type roundOpenedPayload struct {
	Phase string `json:"phase"`
	Start string `json:"start"`
	Text  string `json:"text"`
}

// roundOpened builds the round-opening notification of a reopened
// application; in adjustment only for applicants who accept adjustment.
func roundOpened(year int, st recruit.PhaseStart, now time.Time) recruit.OptionalNote {
	text := "二志愿报名已开放，您的报名信息和志愿可以重新修改，原志愿保留为待审核。"
	if st.Phase == recruit.PhaseAdjustment {
		text = "调剂阶段已开始，您的报名信息和志愿可以重新修改，原志愿保留为待审核。"
	}
	payload, _ := json.Marshal(roundOpenedPayload{ // strings only: cannot fail
		Phase: st.Phase.Label(), Start: st.At.In(recruit.Shanghai).Format("2006-01-02 15:04"), Text: text,
	})
	return func(app recruit.Application) *recruit.Notification {
		if st.Phase == recruit.PhaseAdjustment && !app.AcceptsAdjustment {
			return nil
		}
		return &recruit.Notification{
			IdentityID: app.IdentityID, Kind: KindRoundOpened,
			ClientMsgID: fmt.Sprintf("%s:%d:%d", st.Phase, year, app.IdentityID),
			Payload:     string(payload), NextAt: now, CreatedAt: now,
		}
	}
}

// noticeBases tells every base with a program in the year (with its count
// from counts, when given).
func (s *Service) noticeBases(ctx context.Context, year int, kind string, round recruit.Phase, counts map[int64]int, r *Report) error {
	programs, err := s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: year})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, p := range programs {
		if seen[p.BaseID] {
			continue
		}
		seen[p.BaseID] = true
		if err := s.notify(ctx, BaseNotice{Kind: kind, Year: year, BaseID: p.BaseID, Round: round, Count: counts[p.BaseID]}, r); err != nil {
			return err
		}
	}
	return nil
}

// notify names n by its kind, year, base and round and delivers it.
func (s *Service) notify(ctx context.Context, n BaseNotice, r *Report) error {
	n.Key = fmt.Sprintf("%s:%d:%d:%s", n.Kind, n.Year, n.BaseID, n.Round)
	if s.staff != nil {
		if err := s.staff.NotifyStaff(ctx, n); err != nil {
			return err
		}
	}
	r.Notices = append(r.Notices, n)
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
	var pending map[int64]int
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
		}
		if err := s.notify(ctx, BaseNotice{Kind: NoticeReviewDeadline, Year: year, BaseID: d.BaseID, Round: d.Round, Count: pending[d.BaseID]}, r); err != nil {
			return err
		}
		if err := s.store.SetKV(ctx, key, now.UTC().Format(time.RFC3339), 0, now); err != nil {
			return err
		}
		r.Deadlines = append(r.Deadlines, fmt.Sprintf("%d/%s", d.BaseID, d.Round))
	}
	return nil
}
