// Command surge measures the registration-opening surge against a running
// zhupei server (sandbox WeChat, a year in the registration phase).
//
// Setup, not timed: it creates -applicants applicants through the real HTTP
// flows, each with its own cookie jar: WeChat H5 login through the
// sandbox's OAuth authorization, real-name binding on /bind with a valid
// unique 居民身份证 number, then the four profile sections and the ID photo
// through the applicant API (/api/v1/me/...).
//
// Timed: -clients concurrent clients submit choices for their applicants,
// -ops rounds each (the first submits, the others change to another random
// program of the year), stopping early after -duration when it is set. Then
// it checks that every applicant has exactly the one active application the
// server acknowledged and that the public board's registered counts equal
// those applications, in total and per program; and it measures the board
// read path (-clients concurrent readers of /api/v1/programs for
// -board-duration). It prints throughput, latency percentiles, failures by
// kind and PASS or FAIL, and exits 1 on FAIL.
//
//	go run ./bench/surge -url http://127.0.0.1:18080
//
// Every applicant is bound to a new ID number for 30 days: run it again
// against the same server with another -seed.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"zhupei/internal/sim"
)

// config holds the command line.
type config struct {
	url           string
	clients       int
	applicants    int
	ops           int
	duration      time.Duration
	boardDuration time.Duration
	setupWorkers  int
	seed          int64
}

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", "http://127.0.0.1:18080", "base URL of the running zhupei server")
	flag.IntVar(&cfg.clients, "clients", 200, "concurrent clients of the timed phases")
	flag.IntVar(&cfg.applicants, "applicants", 1000, "applicants to create")
	flag.IntVar(&cfg.ops, "ops", 5, "choices per applicant: one submission, then changes")
	flag.DurationVar(&cfg.duration, "duration", 0, "stop the surge after this long (0: after -ops rounds)")
	flag.DurationVar(&cfg.boardDuration, "board-duration", 5*time.Second, "length of the board read phase")
	flag.IntVar(&cfg.setupWorkers, "setup-workers", 16, "parallel applicants during setup")
	flag.Int64Var(&cfg.seed, "seed", 1, "seed of the random choices and of the ID numbers")
	flag.Parse()
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "surge:", err)
		os.Exit(2)
	}
	ok, err := run(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "surge:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func (c config) check() error {
	switch {
	case c.clients < 1 || c.applicants < 1 || c.ops < 1 || c.setupWorkers < 1:
		return errors.New("-clients, -applicants, -ops and -setup-workers must be at least 1")
	case c.applicants > sim.MaxApplicants:
		return fmt.Errorf("-applicants is at most %d", sim.MaxApplicants)
	case c.duration < 0 || c.boardDuration <= 0:
		return errors.New("-duration must not be negative and -board-duration must be positive")
	}
	return nil
}

// run does the whole measurement and reports whether it passed.
func run(cfg config, out io.Writer) (bool, error) {
	// No gzip: the tool shares the server's cores, and decompressing every
	// board read here would be counted against the server (browsers do get
	// the board gzipped).
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.clients + cfg.setupWorkers, IdleConnTimeout: time.Minute, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	if err := checkPhase(hc, cfg.url); err != nil {
		return false, err
	}
	b, err := readBoard(hc, cfg.url)
	if err != nil {
		return false, err
	}
	programs := make([]int64, len(b.Programs))
	for i, p := range b.Programs {
		programs[i] = p.ID
	}
	if len(programs) < 2 {
		return false, fmt.Errorf("the year has %d programs; the surge needs at least 2", len(programs))
	}
	photo, err := sim.PhotoJPEG()
	if err != nil {
		return false, err
	}

	t0 := time.Now()
	applicants, err := setup(cfg, tr, photo)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(out, "setup: %d applicants logged in, bound and filled (photo %d KB) in %.1fs with %d workers; %d programs\n",
		len(applicants), len(photo)>>10, time.Since(t0).Seconds(), cfg.setupWorkers, len(programs))

	s := surge(applicants, programs, cfg.clients, cfg.ops, cfg.duration, cfg.seed)
	fmt.Fprintf(out, "surge: %d choices (first submissions, then changes) by %d clients in %.2fs: %.1f submissions/s\n",
		s.requests, cfg.clients, s.elapsed.Seconds(), s.perSecond())
	fmt.Fprintf(out, "surge latency: p50 %s  p95 %s  p99 %s  max %s\n",
		ms(s.lat.percentile(50)), ms(s.lat.percentile(95)), ms(s.lat.percentile(99)), ms(s.lat.percentile(100)))
	fmt.Fprintf(out, "surge errors: %s\nsurge 409 stale version: %s\nsurge refusals (400/403): %s\n", s.failed, s.conflicts, s.refusals)

	v := verify(applicants, hc, cfg.url, cfg.setupWorkers, time.Now())
	fmt.Fprintln(out, "verify:", v)

	r := boardReads(tr, cfg.url, cfg.clients, cfg.boardDuration)
	fmt.Fprintf(out, "board: %d reads of /api/v1/programs by %d clients in %.2fs: %.1f reads/s, p50 %s  p99 %s, errors: %s\n",
		r.requests, cfg.clients, r.elapsed.Seconds(), r.perSecond(), ms(r.lat.percentile(50)), ms(r.lat.percentile(99)), r.failed)
	fmt.Fprintf(out, "ratio board reads/s ÷ submissions/s: %.1f\n", r.perSecond()/s.perSecond())

	ok := v.ok() && s.failed.total()+s.conflicts.total()+s.refusals.total()+r.failed.total() == 0
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	fmt.Fprintln(out, verdict)
	return ok, nil
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// checkPhase makes sure the latest year is open for registration.
func checkPhase(hc *http.Client, server string) error {
	resp, err := hc.Get(server + "/api/v1/year")
	raw, err := sim.Expect("year", resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	var y struct {
		Phase string `json:"phase"`
	}
	if err := json.Unmarshal(raw, &y); err != nil {
		return fmt.Errorf("year: %w", err)
	}
	if y.Phase != "registration" {
		return fmt.Errorf("the year is in phase %q; the surge needs the registration phase (start on a fresh data dir)", y.Phase)
	}
	return nil
}

// setup creates the applicants with cfg.setupWorkers in parallel; it
// stops at the first failure.
func setup(cfg config, tr http.RoundTripper, photo []byte) ([]*sim.Applicant, error) {
	applicants := make([]*sim.Applicant, cfg.applicants)
	next := make(chan int)
	var once sync.Once
	var firstErr error
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range cfg.setupWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a := &sim.Applicant{Index: i, Client: sim.NewBrowser(tr)}
				if err := a.Register(cfg.url, cfg.seed, photo); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("setup of applicant %d: %w", i, err); close(done) })
					return
				}
				applicants[i] = a
			}
		}()
	}
feed:
	for i := range cfg.applicants {
		select {
		case next <- i:
		case <-done:
			break feed
		}
	}
	close(next)
	wg.Wait()
	return applicants, firstErr
}
