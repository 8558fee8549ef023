// Package scheduler runs the service's timed jobs (phase transitions,
// counter reconciliation, the expiry of lapsed offers, the relay of pending
// side effects and the clean-up of expired key-value records; the
// notification sender as it comes) with
// robfig/cron in the Asia/Shanghai time zone, each job behind cron's Recover
// and SkipIfStillRunning. Each job has its own schedule: the service runs
// the phase transitions and the offer expiry every few seconds (its
// jobs.boundary_tick), so a boundary takes effect within seconds, and the
// reconciliation and the relay every minute (jobs.tick).
//
// A job is a call into a service, func(ctx, now), and must be idempotent: it
// computes its effects from the data, so running it late or twice changes
// nothing more. With several instances sharing one store, a job runs on one
// of them at a time: the instance that acquires the job's lease
// (recruit.Leases) runs it, renews the lease while the job runs and, after a
// successful run, keeps it until the job's next tick, so the other instances
// skip the tick it served; after a failure the lease is released at once.
// An instance that dies holding a lease loses it when it expires. Start runs
// every job once at once, so a boundary passed while the service was down is
// applied at start-up rather than at the next scheduled tick.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"zhupei/recruit"
)

// Job is one run of a timed job at now, the scheduler's clock when the run
// began. It must be idempotent and should end when ctx does.
type Job func(ctx context.Context, now time.Time) error

// Config is what a Scheduler needs.
type Config struct {
	// Leases holds the job leases, shared by every instance.
	Leases recruit.Leases
	// Now is the clock of leases and of the now given to jobs.
	Now func() time.Time
	// Logger receives one line per failed run (job name and error).
	Logger *slog.Logger
	// Registry, if set, gets the job metrics: zhupei_job_runs_total,
	// zhupei_job_failures_total and zhupei_job_last_success_seconds, each
	// by job.
	Registry prometheus.Registerer
	// LeaseTTL is how long a running job's lease lasts unless renewed; it
	// is renewed every third of it. Default one minute.
	LeaseTTL time.Duration
	// Timeout bounds one run. Default five minutes.
	Timeout time.Duration
}

// Scheduler runs named jobs on cron schedules, one instance at a time.
type Scheduler struct {
	cron    *cron.Cron
	leases  recruit.Leases
	now     func() time.Time
	log     *slog.Logger
	owner   string
	ttl     time.Duration
	timeout time.Duration
	metrics metrics
	entries map[string]*entry
	runs    atomic.Int64 // numbers the runs, each its own lease owner

	mu      sync.Mutex
	stopped bool
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
	startup sync.WaitGroup // the start-up runs, from Start to their end
}

// entry is one scheduled job.
type entry struct {
	name  string
	lease string
	sched cron.Schedule
	job   Job
	// run is the job behind the chain (Recover, SkipIfStillRunning), as
	// cron runs it and as the start-up run runs it.
	run cron.Job
}

// metrics are the per-job counters; the zero value records nothing.
type metrics struct {
	runs, failures *prometheus.CounterVec
	lastSuccess    *prometheus.GaugeVec
}

// New returns a scheduler; it fails only when the metrics cannot be
// registered.
func New(cfg Config) (*Scheduler, error) {
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		cron:    cron.New(cron.WithLocation(recruit.Shanghai), cron.WithLogger(cronLogger{cfg.Logger})),
		leases:  cfg.Leases,
		now:     cfg.Now,
		log:     cfg.Logger,
		owner:   newOwner(),
		ttl:     cfg.LeaseTTL,
		timeout: cfg.Timeout,
		metrics: m,
		entries: map[string]*entry{},
		ctx:     ctx,
		cancel:  cancel,
	}, nil
}

// newOwner names this instance in the leases its runs hold: host name and
// a random part, so that two processes on one host differ.
func newOwner() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	return host + "-" + hex.EncodeToString(b[:])
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	if reg == nil {
		return metrics{}, nil
	}
	m := metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zhupei_job_runs_total",
			Help: "Runs of a timed job on this instance."}, []string{"job"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zhupei_job_failures_total",
			Help: "Runs of a timed job on this instance that failed, panicked or could not take the lease."}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "zhupei_job_last_success_seconds",
			Help: "Unix time of the last successful run of a timed job on this instance."}, []string{"job"}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.failures, m.lastSuccess} {
		if err := reg.Register(c); err != nil {
			return metrics{}, fmt.Errorf("scheduler: metrics: %w", err)
		}
	}
	return m, nil
}

func (m metrics) ran(job string) {
	if m.runs != nil {
		m.runs.WithLabelValues(job).Inc()
	}
}

func (m metrics) failed(job string) {
	if m.failures != nil {
		m.failures.WithLabelValues(job).Inc()
	}
}

func (m metrics) succeeded(job string, at time.Time) {
	if m.lastSuccess != nil {
		m.lastSuccess.WithLabelValues(job).Set(float64(at.UnixMilli()) / 1000)
	}
}

// Add schedules job under name with a standard five-field cron spec
// (minute hour day month weekday, Asia/Shanghai), e.g. "* * * * *" for every
// minute or "17 * * * *" for hourly; descriptors such as "@every 30s" work
// too. Names are unique.
func (s *Scheduler) Add(name, spec string, job Job) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: bad schedule %q: %w", name, spec, err)
	}
	if _, dup := s.entries[name]; dup {
		return fmt.Errorf("scheduler: job %s added twice", name)
	}
	e := &entry{name: name, lease: "job:" + name, sched: sched, job: job}
	l := cronLogger{s.log.With("job", name)}
	e.run = cron.NewChain(cron.Recover(l), cron.SkipIfStillRunning(l)).Then(cron.FuncJob(func() { s.runOnce(e) }))
	s.cron.Schedule(sched, e.run)
	s.entries[name] = e
	return nil
}

// Start runs every job once now (through its chain and lease, in the
// background) and then on its schedule.
func (s *Scheduler) Start() {
	s.cron.Start()
	s.startup.Add(len(s.entries))
	for _, e := range s.entries {
		go func() {
			defer s.startup.Done()
			e.run.Run()
		}()
	}
}

// Stop stops scheduling, cancels running jobs and waits for them to return
// or for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) error {
	stopped := s.cron.Stop()
	s.mu.Lock()
	s.stopped = true
	s.cancel()
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		s.startup.Wait()
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

// enter counts a run that is starting, unless the scheduler has stopped.
func (s *Scheduler) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.running.Add(1)
	return true
}

// runOnce runs e if this instance gets its lease. A failure is logged here;
// a panic is counted, its lease released and passed on to cron.Recover,
// which logs it.
func (s *Scheduler) runOnce(e *entry) {
	if !s.enter() {
		return
	}
	defer s.running.Done()
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	// Each run holds the lease as its own owner: a lease this instance
	// keeps after serving a tick is not taken again by its own next run.
	owner := fmt.Sprintf("%s/%d", s.owner, s.runs.Add(1))
	now := s.now()
	held, err := s.leases.AcquireLease(ctx, e.lease, owner, now.Add(s.ttl), now)
	if err != nil {
		s.metrics.failed(e.name)
		s.log.Error("job lease not acquired", "job", e.name, "err", err)
		return
	}
	if !held {
		return // another instance runs it or served this tick
	}
	s.metrics.ran(e.name)
	stopRenewing := s.renew(ctx, cancel, e, owner)
	ok := false
	defer func() {
		stopRenewing()
		if r := recover(); r != nil {
			s.metrics.failed(e.name)
			s.handBack(e, owner, now, false)
			panic(r)
		}
		s.handBack(e, owner, now, ok)
	}()
	start := time.Now()
	if err := e.job(ctx, now); err != nil {
		s.metrics.failed(e.name)
		s.log.Error("job failed", "job", e.name, "err", err, "duration", time.Since(start))
		return
	}
	ok = true
	s.metrics.succeeded(e.name, s.now())
}

// renew keeps e's lease while its run goes on, every third of the lease's
// life; if another instance has taken the lease meanwhile (this one was
// stalled past the expiry) it cancels the run. The returned function stops
// renewing and returns once no renewal is under way.
func (s *Scheduler) renew(ctx context.Context, cancel context.CancelFunc, e *entry, owner string) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(s.ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			now := s.now()
			held, err := s.leases.AcquireLease(ctx, e.lease, owner, now.Add(s.ttl), now)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("job lease not renewed", "job", e.name, "err", err)
			case err == nil && !held:
				s.log.Error("job lease lost to another instance: run cancelled", "job", e.name)
				cancel()
				return
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// handBack ends this instance's hold on e's lease after the run that began
// at began: a successful run keeps it until the job's next tick, so that the
// other instances skip the tick it served; otherwise it is released at once
// and the next instance to tick retries.
func (s *Scheduler) handBack(e *entry, owner string, began time.Time, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := s.now()
	if next := e.sched.Next(began); ok && next.After(now) {
		_, err := s.leases.AcquireLease(ctx, e.lease, owner, next, now)
		if err == nil {
			return
		}
		s.log.Warn("job lease not kept until the next tick", "job", e.name, "err", err)
	}
	if err := s.leases.ReleaseLease(ctx, e.lease, owner); err != nil {
		s.log.Warn("job lease not released", "job", e.name, "err", err)
	}
}

// cronLogger is cron's Logger over slog: cron's chatter (start, wake, skip)
// at debug, its errors (a recovered panic) at error.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.log.Debug("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Error("cron: "+msg, append(keysAndValues, "err", err)...)
}
