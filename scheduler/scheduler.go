// Package scheduler runs the service's timed jobs (phase transitions,
// counter reconciliation, the relay of pending side effects and the clean-up
// of expired key-value records; the notification sender as it comes)
// with robfig/cron in the Asia/Shanghai time zone. With several instances
// sharing one store, each tick of a job runs on exactly one of them: the
// instance that wins the tick's lease (an AddKV record) runs it.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"zhupei/recruit"
)

// Leaser is the part of the store the scheduler needs for leases.
type Leaser interface {
	AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error)
}

// Scheduler runs named jobs on cron schedules, one instance per tick.
type Scheduler struct {
	cron     *cron.Cron
	leases   Leaser
	now      func() time.Time
	log      *slog.Logger
	instance string
	timeout  time.Duration

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// New returns a scheduler whose leases live in leases. now is the clock used
// for lease expiry; log receives one line per failed run.
func New(leases Leaser, now func() time.Time, log *slog.Logger) *Scheduler {
	var b [6]byte
	_, _ = rand.Read(b[:])
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		cron:     cron.New(cron.WithLocation(recruit.Shanghai)),
		leases:   leases,
		now:      now,
		log:      log,
		instance: hex.EncodeToString(b[:]),
		timeout:  5 * time.Minute,
		ctx:      ctx,
		cancel:   cancel,
	}
}

// Add schedules fn under name with a standard five-field cron spec
// (minute hour day month weekday, Asia/Shanghai), e.g. "* * * * *" for every
// minute or "0 0 * * *" for midnight. Wall-clock specs make every instance
// tick at the same minute, which is what the per-tick lease relies on.
func (s *Scheduler) Add(name, spec string, fn func(ctx context.Context) error) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: bad schedule %q: %w", name, spec, err)
	}
	s.cron.Schedule(sched, cron.FuncJob(func() {
		// The tick is named by its minute, so every instance computes the
		// same lease key for the same tick even if their clocks or start-up
		// delays differ by a few seconds; jobs run at most once a minute.
		due := s.now().In(recruit.Shanghai).Truncate(time.Minute)
		s.RunOnce(name, due, fn)
	}))
	return nil
}

// RunOnce runs fn for the tick due at due unless another instance already
// holds that tick's lease. It reports whether this instance ran it.
func (s *Scheduler) RunOnce(name string, due time.Time, fn func(ctx context.Context) error) bool {
	s.mu.Lock()
	ctx := s.ctx
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()

	key := "lease:job:" + name + ":" + due.UTC().Format(time.RFC3339)
	won, err := s.leases.AddKV(ctx, key, s.instance, 24*time.Hour, s.now())
	if err != nil {
		s.log.Error("job lease failed", "job", name, "err", err)
		return false
	}
	if !won {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := time.Now()
	if err := fn(ctx); err != nil {
		s.log.Error("job failed", "job", name, "err", err, "duration", time.Since(start))
		return true
	}
	s.log.Debug("job done", "job", name, "duration", time.Since(start))
	return true
}

// Start starts running jobs in the background.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs and waits for them to return
// or for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) error {
	stopped := s.cron.Stop()
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		s.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
