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
// program whose stored counters differ. Backends whose counters can drift
// (store/mongo, between its two single-document writes after a crash)
// repair them inside Recount.
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
		for _, p := range programs {
			want := counts[p.ID]
			if got := (recruit.Counts{Registered: p.Registered, Admitted: p.Admitted}); got != want {
				log.Warn("program counters differ from recount", "program", p.ID, "stored", got, "recount", want)
			}
		}
		return nil
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
		n, err := st.ReopenApplications(ctx, y.Year, t)
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
