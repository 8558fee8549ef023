package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"zhupei/recruit"
)

// Reconcile returns the counter-reconciliation job: for the latest year it
// recounts registered and admitted from the applications and logs every
// program whose stored counters differ. It only reports: counters are set
// outright by the explicit, logged Applications.RepairCounts, never by a
// timer.
func Reconcile(st recruit.Store, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		y, err := st.LatestYear(ctx)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		counts, err := st.Recount(ctx, y.Year)
		if err != nil {
			return err
		}
		programs, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year})
		if err != nil {
			return err
		}
		for _, d := range recruit.CountDiffs(programs, counts) {
			log.Warn("program counters differ from recount", "program", d.ProgramID, "stored", d.Stored, "recount", d.Counted)
		}
		return nil
	}
}

// CleanUp returns the clean-up job: it removes the key-value records that
// have expired.
func CleanUp(kv recruit.KV, now func() time.Time, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		n, err := kv.PurgeExpiredKV(ctx, now())
		if err == nil && n > 0 {
			log.Info("expired key-value records removed", "count", n)
		}
		return err
	}
}

// Relay returns the relay job: it delivers the history entries and
// notifications a crash kept in the changed records (see Outbox.Relay).
func Relay(out recruit.Outbox, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		n, err := out.Relay(ctx)
		if n > 0 {
			log.Warn("relayed side effects left pending", "count", n)
		}
		return err
	}
}

// PhaseTransitions returns the job that carries out what the start of a
// phase means for applications: when round2 or adjustment has begun, every
// application that is not provisionally admitted becomes editable again
// (pending, its choice carried over). Each transition runs once per year and
// phase, however often the job runs: a marker record in the store says it is
// done, and is removed again if the transition fails so the next tick retries.
func PhaseTransitions(st recruit.Store, now func() time.Time, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		y, err := st.LatestYear(ctx)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		t := now()
		phase := y.Calendar.PhaseAt(t)
		if phase != recruit.PhaseRound2 && phase != recruit.PhaseAdjustment {
			return nil
		}
		marker := fmt.Sprintf("phase-done:%d:%s", y.Year, phase)
		first, err := st.AddKV(ctx, marker, t.UTC().Format(time.RFC3339), 0, t)
		if err != nil || !first {
			return err
		}
		begun, _, _ := y.Calendar.Start(phase)
		n, err := st.ReopenApplications(ctx, y.Year, begun, t, nil)
		if err != nil {
			if derr := st.DeleteKV(ctx, marker); derr != nil {
				log.Error("phase marker not removed after a failed transition", "marker", marker, "err", derr)
			}
			return err
		}
		log.Info("phase started: applications reopened", "year", y.Year, "phase", string(phase), "count", n)
		return nil
	}
}
