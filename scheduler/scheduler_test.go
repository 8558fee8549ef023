package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/internal/testclock"
	"zhupei/internal/testlog"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/store/mongo"
	"zhupei/store/mongo/ferret"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

var now = time.Date(2026, time.July, 5, 10, 0, 0, 0, recruit.Shanghai)

// lines returns the lines of the log that contain s.
func lines(log *testlog.Buffer, s string) []string {
	var out []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

func logger(log *testlog.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(log, nil)) }

func openStore(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "zhupei.db")
	return openSQLite(t, path), path
}

func openSQLite(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// forEachStore runs test on an SQLite file and on a FerretDB database.
// connect gives one more instance of the service its store: on SQLite a
// new connection to the file; on FerretDB the one client of a single
// connection, since FerretDB, unlike MongoDB, does not make a conditional
// update of one document atomic across connections (see DESIGN.md, Storage).
func forEachStore(t *testing.T, test func(t *testing.T, connect func() recruit.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "zhupei.db")
		test(t, func() recruit.Store { return openSQLite(t, path) })
	})
	t.Run("ferretdb", func(t *testing.T) {
		st, err := mongo.Open(context.Background(), ferret.Start(t), "zhupei_sched", storetest.Sealer(), options.Client().SetMaxPoolSize(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		test(t, func() recruit.Store { return st })
	})
}

// start returns a scheduler on leases and c, stopped when the test ends.
func start(t *testing.T, cfg Config) *Scheduler {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet()
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s
}

// add adds job or fails the test.
func add(t *testing.T, s *Scheduler, name, spec string, job Job) {
	t.Helper()
	if err := s.Add(name, spec, job); err != nil {
		t.Fatal(err)
	}
}

// tick runs one tick of the named job as cron does, and returns when it is
// over.
func tick(s *Scheduler, name string) { s.entries[name].run.Run() }

// tickAll ticks the named job on every scheduler at once and waits for all.
func tickAll(name string, ss ...*Scheduler) {
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Go(func() { tick(s, name) })
	}
	wg.Wait()
}

// counter is a job that counts its runs per now.
type counter struct {
	mu   sync.Mutex
	runs map[time.Time]int
}

func (c *counter) job(_ context.Context, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[time.Time]int{}
	}
	c.runs[at]++
	return nil
}

// counting adds a job under name to s that counts its runs.
func counting(t *testing.T, s *Scheduler, name, spec string) *counter {
	t.Helper()
	c := &counter{}
	add(t, s, name, spec, c.job)
	return c
}

// want fails the test unless the job ran n times in all.
func (c *counter) want(t *testing.T, what string, n int) {
	t.Helper()
	if got := c.total(); got != n {
		t.Errorf("%s: %d runs, want %d (%v)", what, got, n, c.runs)
	}
}

func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.runs {
		n += r
	}
	return n
}

// TestOneRunnerPerTick runs a job once per tick on two instances, on the
// minute and on a period of seconds (as the boundary jobs run).
func TestOneRunnerPerTick(t *testing.T) {
	forEachStore(t, func(t *testing.T, connect func() recruit.Store) {
		for spec, period := range map[string]time.Duration{"* * * * *": time.Minute, "@every 5s": 5 * time.Second} {
			t.Run(spec, func(t *testing.T) { oneRunnerPerTick(t, connect, spec, period) })
		}
	})
}

// oneRunnerPerTick ticks a job of spec, whose ticks are period apart, on
// two instances at once and then late on one, and checks that it ran once
// per tick. The job is named after its period: each has its own lease.
func oneRunnerPerTick(t *testing.T, connect func() recruit.Store, spec string, period time.Duration) {
	c := testclock.New(now)
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a := start(t, Config{Leases: connect(), Now: c.Now, Registry: regA})
	b := start(t, Config{Leases: connect(), Now: c.Now, Registry: regB})
	name := "count-" + period.String()
	effects := counting(t, a, name, spec)
	add(t, b, name, spec, effects.job)
	const ticks = 4
	for range ticks {
		tickAll(name, a, b)
		tick(b, name) // a late run of the same tick
		c.Add(period)
	}
	for i := range ticks {
		if n := effects.runs[now.Add(time.Duration(i)*period)]; n != 1 {
			t.Errorf("tick %d ran %d times, want 1 (runs %v)", i, n, effects.runs)
		}
	}
	runs := testutil.ToFloat64(a.metrics.runs.WithLabelValues(name)) + testutil.ToFloat64(b.metrics.runs.WithLabelValues(name))
	effects.want(t, "all ticks", ticks)
	if runs != ticks {
		t.Errorf("runs metric %v, want %d", runs, ticks)
	}
	last := max(testutil.ToFloat64(a.metrics.lastSuccess.WithLabelValues(name)), testutil.ToFloat64(b.metrics.lastSuccess.WithLabelValues(name)))
	if want := float64(now.Add((ticks - 1) * period).Unix()); last != want {
		t.Errorf("last success %v, want %v", last, want)
	}
	if n, err := testutil.GatherAndCount(regA, "zhupei_job_runs_total", "zhupei_job_failures_total", "zhupei_job_last_success_seconds"); err != nil || n == 0 {
		t.Errorf("job metrics on the registry: %d, %v", n, err)
	}
}

func TestPanicRecoveredAndLogged(t *testing.T) {
	st, _ := openStore(t)
	c := testclock.New(now)
	var logs testlog.Buffer
	a := start(t, Config{Leases: st, Now: c.Now, Logger: logger(&logs), Registry: prometheus.NewRegistry()})
	add(t, a, "boom", "* * * * *", func(context.Context, time.Time) error { panic("kaboom") })
	tick(a, "boom") // a panic escaping would end the test binary

	if lines := lines(&logs, "kaboom"); len(lines) != 1 || !strings.Contains(lines[0], "job=boom") || !strings.Contains(lines[0], "level=ERROR") {
		t.Errorf("panic log lines %q, want one error line with the job name", lines)
	}
	if n := testutil.ToFloat64(a.metrics.failures.WithLabelValues("boom")); n != 1 {
		t.Errorf("failures = %v, want 1", n)
	}
	// The lease was released: another instance retries in the same minute.
	b := start(t, Config{Leases: st, Now: c.Now})
	effects := counting(t, b, "boom", "* * * * *")
	tick(b, "boom")
	effects.want(t, "the next instance after a panic", 1)
}

func TestFailureLoggedAndRetried(t *testing.T) {
	st, _ := openStore(t)
	c := testclock.New(now)
	var logs testlog.Buffer
	a := start(t, Config{Leases: st, Now: c.Now, Logger: logger(&logs)})
	var tries atomic.Int32
	add(t, a, "flaky", "* * * * *", func(context.Context, time.Time) error {
		if tries.Add(1) == 1 {
			return errors.New("database unreachable")
		}
		return nil
	})
	tick(a, "flaky")
	if lines := lines(&logs, "job failed"); len(lines) != 1 || !strings.Contains(lines[0], "job=flaky") || !strings.Contains(lines[0], "database unreachable") {
		t.Errorf("failure log lines %q, want one with job name and error", lines)
	}
	tick(a, "flaky") // same minute: a failed run holds nothing
	if tries.Load() != 2 {
		t.Errorf("tries = %d, want a retry at the next tick", tries.Load())
	}
}

// spyLeases reports every lease it grants (its until) and, when deny is
// set, refuses every acquisition as if another instance held the lease.
type spyLeases struct {
	recruit.Leases
	granted chan time.Time
	deny    atomic.Bool
}

func (s *spyLeases) AcquireLease(ctx context.Context, name, owner string, until, now time.Time) (bool, error) {
	if s.deny.Load() {
		return false, nil
	}
	held, err := s.Leases.AcquireLease(ctx, name, owner, until, now)
	if held {
		select {
		case s.granted <- until:
		default:
		}
	}
	return held, err
}

// grantedAfter waits for the spy to grant a lease until after t.
func (s *spyLeases) grantedAfter(tb testing.TB, t time.Time) {
	tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case until := <-s.granted:
			if until.After(t) {
				return
			}
		case <-timeout:
			tb.Fatalf("no lease granted until after %v", t)
		}
	}
}

func TestLongJobNotStartedTwice(t *testing.T) {
	forEachStore(t, func(t *testing.T, connect func() recruit.Store) {
		c := testclock.New(now)
		const ttl = 30 * time.Millisecond // renewed every 10 ms
		spy := &spyLeases{Leases: connect(), granted: make(chan time.Time, 1)}
		a := start(t, Config{Leases: spy, Now: c.Now, LeaseTTL: ttl})
		b := start(t, Config{Leases: connect(), Now: c.Now, LeaseTTL: ttl})
		var runs atomic.Int32
		started, release := make(chan struct{}, 2), make(chan struct{})
		unblock := sync.OnceFunc(func() { close(release) })
		t.Cleanup(unblock) // before the schedulers stop, should the test fail early
		long := func(context.Context, time.Time) error {
			runs.Add(1)
			started <- struct{}{}
			<-release
			return nil
		}
		add(t, a, "long", "* * * * *", long)
		add(t, b, "long", "* * * * *", long)

		done := make(chan struct{})
		go func() { defer close(done); tick(a, "long") }()
		<-started
		tick(a, "long") // SkipIfStillRunning on this instance
		// Far past the lease's first expiry: only its renewal keeps b out.
		c.Add(time.Hour)
		spy.grantedAfter(t, now.Add(time.Hour))
		tick(b, "long")
		if n := runs.Load(); n != 1 {
			t.Fatalf("a running job was started %d times", n)
		}
		unblock()
		<-done
		// Its next tick (10:01) has passed: the lease is free again.
		tick(b, "long")
		if n := runs.Load(); n != 2 {
			t.Errorf("runs after the long job = %d, want 2", n)
		}
	})
}

func TestLeaseLostCancelsRun(t *testing.T) {
	st, _ := openStore(t)
	c := testclock.New(now)
	var logs testlog.Buffer
	spy := &spyLeases{Leases: st, granted: make(chan time.Time, 1)}
	a := start(t, Config{Leases: spy, Now: c.Now, Logger: logger(&logs), LeaseTTL: 30 * time.Millisecond})
	var cancelled atomic.Bool
	add(t, a, "stalled", "* * * * *", func(ctx context.Context, _ time.Time) error {
		spy.deny.Store(true) // from now on another instance holds it
		<-ctx.Done()
		cancelled.Store(true)
		return ctx.Err()
	})
	tick(a, "stalled")
	if !cancelled.Load() || len(lines(&logs, "lease lost")) != 1 {
		t.Errorf("cancelled = %v, logs %q", cancelled.Load(), lines(&logs, "lease"))
	}
}

func TestTakeoverAfterCrash(t *testing.T) {
	forEachStore(t, func(t *testing.T, connect func() recruit.Store) {
		c := testclock.New(now)
		crashed := connect()
		// An instance took the lease for a minute and died without releasing.
		if held, err := crashed.AcquireLease(context.Background(), "job:x", "crashed-instance", now.Add(time.Minute), now); err != nil || !held {
			t.Fatalf("AcquireLease: %v %v", held, err)
		}
		b := start(t, Config{Leases: connect(), Now: c.Now})
		effects := counting(t, b, "x", "* * * * *")
		tick(b, "x")
		c.Add(59 * time.Second)
		tick(b, "x")
		effects.want(t, "while the crashed instance's lease was live", 0)
		c.Add(time.Second)
		tick(b, "x")
		effects.want(t, "after the lease expired", 1)
	})
}

func TestStartUpRun(t *testing.T) {
	st, _ := openStore(t)
	c := testclock.New(now)
	a := start(t, Config{Leases: st, Now: c.Now})
	effects := counting(t, a, "yearly", "0 0 1 1 *")
	a.Start()
	a.startup.Wait()
	effects.want(t, "start-up", 1)
	// A second instance starting in the same period finds the tick served.
	b := start(t, Config{Leases: st, Now: c.Now})
	add(t, b, "yearly", "0 0 1 1 *", effects.job)
	b.Start()
	b.startup.Wait()
	effects.want(t, "after a second start-up", 1)
}

// TestOutageOfThreeHours: the service is down for three hours across the
// start of round2; the instances that come back apply the transition once,
// at start-up, and later ticks change nothing.
func TestOutageOfThreeHours(t *testing.T) {
	forEachStore(t, func(t *testing.T, connect func() recruit.Store) {
		st := connect()
		cal, submitReviewed, state := phaseYear(t, st)
		c := testclock.New(cal.Round2.Add(-90 * time.Minute))
		var logs testlog.Buffer
		instance := func() *Scheduler {
			st := connect()
			s := start(t, Config{Leases: st, Now: c.Now, Logger: logger(&logs)})
			add(t, s, "phase-transitions", "* * * * *", PhaseTransitions(province.New(province.Deps{Store: st}), logger(&logs)))
			return s
		}
		early := submitReviewed(0, c.Now())
		before := instance()
		tick(before, "phase-transitions")
		if got := state(early); got != recruit.StateApproved {
			t.Fatalf("before round2: %s", got)
		}
		if err := before.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}

		c.Add(3 * time.Hour)
		a, b := instance(), instance()
		a.Start()
		b.Start()
		a.startup.Wait()
		b.startup.Wait()
		if got := state(early); got != recruit.StatePending {
			t.Fatalf("after the outage the start-up run left the application %s, want pending", got)
		}
		late := submitReviewed(1, c.Now())
		for range 3 {
			c.Add(time.Minute)
			tickAll("phase-transitions", a, b)
		}
		if got := state(late); got != recruit.StateApproved {
			t.Errorf("a later tick reopened again: %s", got)
		}
		if lines := lines(&logs, "phases=[round2]"); len(lines) != 1 || !strings.Contains(lines[0], "reopened=1") {
			t.Errorf("transition log %q, want the transition once, for one application", lines)
		}
		if lines := lines(&logs, "level=ERROR"); len(lines) != 0 {
			t.Errorf("errors: %q", lines)
		}
	})
}

func TestAddRefusals(t *testing.T) {
	st, _ := openStore(t)
	s := start(t, Config{Leases: st, Now: time.Now})
	nop := func(context.Context, time.Time) error { return nil }
	if err := s.Add("x", "every minute", nop); err == nil || !strings.Contains(err.Error(), "bad schedule") {
		t.Errorf("Add with a bad spec: %v", err)
	}
	add(t, s, "x", "* * * * *", nop)
	if err := s.Add("x", "17 * * * *", nop); err == nil || !strings.Contains(err.Error(), "added twice") {
		t.Errorf("Add of a name again: %v", err)
	}
}

func TestMetricsRegisteredOnce(t *testing.T) {
	st, _ := openStore(t)
	reg := prometheus.NewRegistry()
	start(t, Config{Leases: st, Now: time.Now, Registry: reg})
	if _, err := New(Config{Leases: st, Now: time.Now, Logger: quiet(), Registry: reg}); err == nil {
		t.Error("a second scheduler registered the same metrics")
	}
}

func TestStopCancelsAndWaits(t *testing.T) {
	st, _ := openStore(t)
	s, err := New(Config{Leases: st, Now: time.Now, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var finished atomic.Bool
	add(t, s, "long", "@every 1h", func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done() // a long job that honours cancellation
		finished.Store(true)
		return ctx.Err()
	})
	s.Start()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !finished.Load() {
		t.Fatal("Stop returned before the running job finished")
	}
}
