package scheduler

import (
	"context"
	"log/slog"

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
