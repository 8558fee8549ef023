package sqlite

import (
	"context"
	"database/sql"
	"time"

	"zhupei/recruit"
)

// SetPlan sets one program's plan under the condition that it is not below
// the admitted count, in one transaction with the read of the program before.
func (db *DB) SetPlan(ctx context.Context, programID int64, plan int) (before, after recruit.Program, err error) {
	if err := recruit.CheckPlan(plan); err != nil {
		return before, after, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if before, err = scanProgram(tx.QueryRowContext(ctx, programQuery+`WHERE p.id = ?`, programID)); err != nil {
			return notFound(err, recruit.MsgNoProgram)
		}
		if before.Admitted > plan {
			return recruit.ErrPlanBelowSeats(plan, before.Admitted)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET plan = ? WHERE id = ?`, plan, programID); err != nil {
			return err
		}
		after = before
		after.Plan = plan
		return nil
	})
	return before, after, err
}

// dayNanos and shanghaiOffset cut unix nanoseconds into Shanghai days
// (UTC+8 all year, no daylight saving).
const (
	dayNanos       = int64(24 * time.Hour)
	shanghaiOffset = int64(8 * time.Hour)
)

// CountApplications counts the applications of q by program, round and
// state, and by the Shanghai day of their first submission, in SQL; the
// offers come from the same count, grouped by offer state too.
func (db *DB) CountApplications(ctx context.Context, q recruit.StatsQuery) (recruit.ApplicationCounts, error) {
	c := q.Calendar
	type cell struct {
		recruit.StateCount
		offer recruit.OfferState
	}
	cells, err := queryAll(ctx, db.read, `SELECT a.program_id,
			CASE WHEN a.state_at < ?1 THEN ?4 WHEN a.state_at < ?2 THEN ?5 WHEN a.state_at < ?3 THEN ?6 ELSE ?7 END AS round,
			a.state, a.offer_state, COUNT(*)
		FROM applications a JOIN programs p ON p.id = a.program_id
		WHERE a.year = ?8 AND (?9 = 0 OR p.base_id = ?9)
		GROUP BY a.program_id, round, a.state, a.offer_state
		ORDER BY a.program_id, CASE round WHEN ?4 THEN 0 WHEN ?5 THEN 1 WHEN ?6 THEN 2 ELSE 3 END, a.state`,
		[]any{nanos(c.Round2), nanos(c.Adjustment), nanos(c.Confirmation),
			recruit.PhaseRound1, recruit.PhaseRound2, recruit.PhaseAdjustment, recruit.PhaseConfirmation, q.Year, q.BaseID},
		func(s scanner) (cell, error) {
			var c cell
			return c, s.Scan(&c.ProgramID, &c.Round, &c.State, &c.offer, &c.N)
		})
	if err != nil {
		return recruit.ApplicationCounts{}, err
	}
	out := recruit.ApplicationCounts{States: []recruit.StateCount{}, Offers: []recruit.OfferCount{}}
	type offerKey struct {
		program int64
		round   recruit.Phase
		offer   recruit.OfferState
	}
	offers := map[offerKey]int{} // index in out.Offers
	for _, c := range cells {
		if n := len(out.States); n > 0 && out.States[n-1].ProgramID == c.ProgramID && out.States[n-1].Round == c.Round && out.States[n-1].State == c.State {
			out.States[n-1].N += c.N
		} else {
			out.States = append(out.States, c.StateCount)
		}
		if c.offer == recruit.OfferNone {
			continue
		}
		k := offerKey{c.ProgramID, c.Round, c.offer}
		if i, ok := offers[k]; ok {
			out.Offers[i].N += c.N
		} else {
			offers[k] = len(out.Offers)
			out.Offers = append(out.Offers, recruit.OfferCount{ProgramID: c.ProgramID, Round: c.Round, Offer: c.offer, N: c.N})
		}
	}
	days, err := queryAll(ctx, db.read, `SELECT (a.submitted_at + ?1) / ?2 AS day, COUNT(*)
		FROM applications a JOIN programs p ON p.id = a.program_id
		WHERE a.year = ?3 AND (?4 = 0 OR p.base_id = ?4)
		GROUP BY day ORDER BY day`,
		[]any{shanghaiOffset, dayNanos, q.Year, q.BaseID},
		func(s scanner) (recruit.DayCount, error) {
			var (
				day int64
				dc  recruit.DayCount
			)
			err := s.Scan(&day, &dc.N)
			dc.Day = recruit.StatsDay(time.Unix(0, day*dayNanos-shanghaiOffset))
			return dc, err
		})
	if err != nil {
		return recruit.ApplicationCounts{}, err
	}
	out.Days = days
	recruit.SortCounts(&out)
	return out, nil
}

// CountPeople counts the bound identities and the saved profiles.
func (db *DB) CountPeople(ctx context.Context) (recruit.PeopleCount, error) {
	var p recruit.PeopleCount
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM identities WHERE open_id IS NOT NULL),
		(SELECT COUNT(*) FROM profiles WHERE version > 0)`).Scan(&p.Bound, &p.Profiled)
	if err != nil {
		return p, recruit.Internal(err)
	}
	return p, nil
}
