package scheduler

import (
	"context"
	"log/slog"
	"time"

	"zhupei/province"
	"zhupei/recruit"
)

// Reconcile returns the counter-reconciliation job: for the latest year it
// recounts registered and admitted from the applications and logs every
// program whose stored counters differ. It only reports: counters are set
// outright by the explicit, logged Applications.RepairCounts, never by a
// timer.
func Reconcile(st recruit.Store, log *slog.Logger) Job {
	return func(ctx context.Context, _ time.Time) error {
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
func CleanUp(kv recruit.KV, log *slog.Logger) Job {
	return func(ctx context.Context, now time.Time) error {
		n, err := kv.PurgeExpiredKV(ctx, now)
		if err == nil && n > 0 {
			log.Info("expired key-value records removed", "count", n)
		}
		return err
	}
}

// Relay returns the relay job: it delivers the history entries and
// notifications a crash kept in the changed records (see Outbox.Relay).
func Relay(out recruit.Outbox, log *slog.Logger) Job {
	return func(ctx context.Context, _ time.Time) error {
		n, err := out.Relay(ctx)
		if n > 0 {
			log.Warn("relayed side effects left pending", "count", n)
		}
		return err
	}
}

// PhaseTransitions returns the job that carries out the due phase starts
// and base review deadlines of the year (province.Service.AdvancePhases:
// idempotent, each boundary marked done after its effects, missed ones
// applied on the first tick after start-up) and logs what it applied.
func PhaseTransitions(p *province.Service, log *slog.Logger) Job {
	return func(ctx context.Context, now time.Time) error {
		r, err := p.AdvancePhases(ctx, now)
		if len(r.Phases) > 0 || len(r.Deadlines) > 0 {
			log.Info("phase boundaries applied", "year", r.Year, "phases", r.Phases, "deadlines", r.Deadlines,
				"reopened", r.Reopened, "invited", r.Invited, "base_notices", len(r.Notices))
		}
		return err
	}
}

// ExpireOffers returns the offer-expiry job: every few seconds (the
// service's jobs.boundary_tick) it frees the seats of the offers whose
// answer deadline has passed (province.Service.ExpireOffers; idempotent,
// safe on several instances at once) and logs how many it expired.
func ExpireOffers(p *province.Service, log *slog.Logger) Job {
	return func(ctx context.Context, now time.Time) error {
		expired, err := p.ExpireOffers(ctx, now)
		if len(expired) > 0 {
			log.Info("lapsed offers expired", "count", len(expired))
		}
		return err
	}
}
