// Command surge measures the registration-opening minute against a running
// zhupei server (sandbox WeChat, a year in the registration phase) and a
// running bench/baseline server or several.
//
// Setup, not timed: it creates -applicants applicants through the real HTTP
// flows, each with its own cookie jar: WeChat H5 login through the
// sandbox's OAuth authorization, real-name binding on /bind with a valid
// unique 居民身份证 number, then the four profile sections and the ID photo
// through the applicant API (/api/v1/me/...).
//
// Timed, the surge: -clients concurrent clients submit choices for their
// applicants, -ops rounds each (the first submits, the others change to
// another random program of the year), stopping early after -duration when
// it is set; meanwhile -pollers open board pages poll /api/v1/programs as
// board.js does (gzip, If-None-Match with the last ETag; every
// -poll-interval as the page, the first poll at a random moment of the
// first interval; 0: back to back). Then it checks that every applicant
// has exactly the one active application the server acknowledged and that
// the public board's registered counts equal those applications, in total
// and per program.
//
// -applicants 0 skips setup, surge and check: the comparison alone, e.g. on
// a fresh server to measure the board's route without a surge's data.
//
// Timed, the comparison: after an unmeasured second of each, -ratio-clients
// closed-loop readers, -ratio-rounds times in turn for -ratio-duration
// each, of the board's full answer, of the baseline returning the same
// answer (the same body with the same headers: the limit for that answer),
// of the baseline returning the same body with only its Content-Type and
// Content-Encoding (what the board's other headers cost), of the board's
// 304 answer and of the baseline's trivial constant; the board and its two
// references back to back, then the 304 and the trivial handler, each
// group in the other order every other round. It prints board ÷ same
// answer (target ≥ 0.9), board ÷ same body (no target) and 304 ÷ trivial
// (target ≥ 0.7) over all rounds, and each round's. Given several
// baselines (-baseline a,b,...), each pair of rounds asks the next: on this
// machine two processes of one binary, started alike, may differ by a
// third in requests/s for their whole life, and one baseline's luck would
// decide the ratio.
//
// It prints requests/s and latency percentiles per endpoint, failures by
// kind (5xx counted apart), and PASS or FAIL (a failed request or check;
// the ratios are reported, not judged), and exits 1 on FAIL.
//
//	go run ./bench/surge -url http://127.0.0.1:18080 -baseline http://127.0.0.1:18081
//
// Every applicant is bound to a new ID number for 30 days: run it again
// against the same server with another -seed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"zhupei/internal/sim"
)

// config holds the command line.
type config struct {
	url           string
	baselines     []string
	clients       int
	applicants    int
	ops           int
	duration      time.Duration
	pollers       int
	pollInterval  time.Duration
	ratioClients  int
	ratioRounds   int
	ratioDuration time.Duration
	serverPID     int
	baselinePIDs  []int
	setupWorkers  int
	seed          int64
}

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", "http://127.0.0.1:18080", "base URL of the running zhupei server")
	baselines := flag.String("baseline", "http://127.0.0.1:18081", "base URLs of the running bench/baseline servers, comma-separated")
	flag.IntVar(&cfg.clients, "clients", 500, "concurrent clients submitting and changing choices")
	flag.IntVar(&cfg.applicants, "applicants", 500, "applicants to create (0: no surge, the comparison alone)")
	flag.IntVar(&cfg.ops, "ops", 5, "choices per applicant: one submission, then changes")
	flag.DurationVar(&cfg.duration, "duration", 0, "stop the surge after this long (0: after -ops rounds)")
	flag.IntVar(&cfg.pollers, "pollers", 2000, "open board pages polling the counts during the surge")
	flag.DurationVar(&cfg.pollInterval, "poll-interval", 5*time.Second, "pause of each poller between its polls (board.js: 5s; 0: none, a stress test)")
	flag.IntVar(&cfg.ratioClients, "ratio-clients", 200, "concurrent readers of each endpoint in the comparison")
	flag.IntVar(&cfg.ratioRounds, "ratio-rounds", 8, "turns of the comparison")
	flag.DurationVar(&cfg.ratioDuration, "ratio-duration", 2*time.Second, "length of one endpoint's turn in the comparison")
	flag.IntVar(&cfg.serverPID, "server-pid", 0, "process id of the zhupei server, to measure its CPU time per request (0: not measured)")
	baselinePIDs := flag.String("baseline-pid", "", "process ids of the baseline servers, likewise, in the order of -baseline")
	flag.IntVar(&cfg.setupWorkers, "setup-workers", 16, "parallel applicants during setup")
	flag.Int64Var(&cfg.seed, "seed", 1, "seed of the random choices and of the ID numbers")
	flag.Parse()
	err := cfg.parseBaselines(*baselines, *baselinePIDs)
	if err == nil {
		err = cfg.check()
	}
	if err != nil {
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

// parseBaselines sets c's baselines from the comma-separated URLs and
// process ids ("": not measured) of the flags.
func (c *config) parseBaselines(urls, pids string) error {
	c.baselines = strings.Split(urls, ",")
	c.baselinePIDs = make([]int, len(c.baselines))
	if pids == "" {
		return nil
	}
	fields := strings.Split(pids, ",")
	if len(fields) != len(c.baselines) {
		return fmt.Errorf("-baseline-pid has %d ids for %d baselines", len(fields), len(c.baselines))
	}
	for i, f := range fields {
		pid, err := strconv.Atoi(f)
		if err != nil || pid < 0 {
			return fmt.Errorf("-baseline-pid: %q is not a process id", f)
		}
		c.baselinePIDs[i] = pid
	}
	return nil
}

func (c config) check() error {
	switch {
	case c.clients < 1 || c.ops < 1 || c.setupWorkers < 1 || c.ratioClients < 1 || c.ratioRounds < 1:
		return errors.New("-clients, -ops, -setup-workers, -ratio-clients and -ratio-rounds must be at least 1")
	case c.pollers < 0 || c.applicants < 0:
		return errors.New("-pollers and -applicants must not be negative")
	case c.applicants > sim.MaxApplicants:
		return fmt.Errorf("-applicants is at most %d", sim.MaxApplicants)
	case c.duration < 0 || c.pollInterval < 0 || c.ratioDuration <= 0:
		return errors.New("-duration and -poll-interval must not be negative and -ratio-duration must be positive")
	}
	return nil
}

// run does the whole measurement and reports whether it passed.
func run(cfg config, out io.Writer) (bool, error) {
	// No gzip: the tool shares the server's cores, and decompressing every
	// board read here would be counted against the server (browsers do get
	// the board gzipped).
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.clients + cfg.pollers + cfg.ratioClients + cfg.setupWorkers, IdleConnTimeout: time.Minute, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	if err := checkPhase(hc, cfg.url); err != nil {
		return false, err
	}
	surged := true
	if cfg.applicants > 0 {
		var err error
		if surged, err = runSurge(cfg, tr, hc, out); err != nil {
			return false, err
		}
	}

	c, err := compare(tr, cfg.url, cfg.serverPID, cfg.baselines, cfg.baselinePIDs, cfg.ratioClients, cfg.ratioRounds, cfg.ratioDuration)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(out, "comparison: %d readers, %d turns of %s, %d baseline processes; the board's answer %d bytes (%s)\n",
		cfg.ratioClients, cfg.ratioRounds, cfg.ratioDuration, len(cfg.baselines), len(c.answer.body), c.answer.header.Get("Content-Encoding"))
	endpoint(out, "board "+boardPath+" → 200", c.board)
	endpoint(out, "bare Fiber, the same answer", c.same)
	endpoint(out, "bare Fiber, the same body", c.body)
	endpoint(out, "board "+boardPath+" → 304", c.notModified)
	endpoint(out, "bare Fiber, a constant", c.trivial)
	ratio(out, "board ÷ same answer", c.board, c.same, 0.9)
	ratio(out, "board ÷ same body (no target: without the headers)", c.board, c.body, 0)
	ratio(out, "304 ÷ trivial", c.notModified, c.trivial, 0.7)
	fmt.Fprintln(out, "by round (board ÷ same answer, board ÷ same body, 304 ÷ trivial):", byRound(c.rounds))
	compared := c.board.failed.total() + c.same.failed.total() + c.body.failed.total() + c.notModified.failed.total() + c.trivial.failed.total()
	if compared > 0 {
		fmt.Fprintf(out, "comparison errors: board %s; same answer %s; same body %s; 304 %s; trivial %s\n", c.board.failed, c.same.failed, c.body.failed, c.notModified.failed, c.trivial.failed)
	}

	ok := surged && compared == 0
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	fmt.Fprintln(out, verdict)
	return ok, nil
}

// runSurge creates the applicants, runs the surge with the pollers,
// prints what they measured and checks the result; it reports whether the
// surge had no failure and the check passed.
func runSurge(cfg config, tr *http.Transport, hc *http.Client, out io.Writer) (bool, error) {
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

	pollCtx, stopPolls := context.WithCancel(context.Background())
	polled := make(chan pollResult, 1)
	go func() { polled <- pollBoard(pollCtx, tr, cfg.url, cfg.pollers, cfg.pollInterval) }()
	s := surge(applicants, programs, cfg.clients, cfg.ops, cfg.duration, cfg.seed)
	stopPolls()
	p := <-polled
	fmt.Fprintf(out, "surge: %d clients submitting and changing choices, %d board pages polling (pause %s) for %.2fs\n",
		cfg.clients, cfg.pollers, cfg.pollInterval, s.elapsed.Seconds())
	endpoint(out, "POST /api/v1/me/choice", s)
	endpoint(out, "GET "+boardPath+" → 200", p.full)
	endpoint(out, "GET "+boardPath+" → 304", p.notModified)
	fmt.Fprintf(out, "surge errors: %s\nsurge 409 stale version: %s\nsurge refusals (400/403): %s\nboard poll errors: %s\n",
		s.failed, s.conflicts, s.refusals, p.failed)
	fmt.Fprintf(out, "5xx answers: %d\n", serverErrors(s.failed)+serverErrors(p.failed))

	v := verify(applicants, hc, cfg.url, cfg.setupWorkers, time.Now())
	fmt.Fprintln(out, "verify:", v)
	return v.ok() && s.failed.total()+s.conflicts.total()+s.refusals.total()+p.failed.total() == 0, nil
}

// endpoint prints one endpoint's throughput, latency and, when measured,
// the server's CPU time per request.
func endpoint(out io.Writer, name string, r phaseResult) {
	cpu := ""
	if r.cpu > 0 {
		cpu = fmt.Sprintf("  server CPU %.1fµs/request", float64(r.cpuPerRequest().Nanoseconds())/1000)
	}
	fmt.Fprintf(out, "  %-34s %8d requests %9.1f/s  p50 %s  p99 %s%s\n", name, r.requests, r.perSecond(), ms(r.lat.percentile(50)), ms(r.lat.percentile(99)), cpu)
}

// ratio prints a's rate over b's against its target (0: none) and, when
// both were measured, the same ratio by the servers' CPU time per request
// (b's over a's), which another load on the machine hardly moves.
func ratio(out io.Writer, name string, a, b phaseResult, target float64) {
	fmt.Fprintf(out, "ratio %s: %s", name, judged(a.perSecond()/b.perSecond(), target))
	if a.cpu > 0 && b.cpu > 0 {
		fmt.Fprintf(out, "; by server CPU per request: %s", judged(float64(b.cpuPerRequest())/float64(a.cpuPerRequest()), target))
	}
	fmt.Fprintln(out)
}

// byRound formats the ratios of each round of the comparison, with two
// decimals: a single round's ratio varies by more than that.
func byRound(rounds [][3]float64) string {
	parts := make([]string, len(rounds))
	for i, r := range rounds {
		parts[i] = fmt.Sprintf("%.2f %.2f %.2f", r[0], r[1], r[2])
	}
	return strings.Join(parts, "; ")
}

// judged formats a ratio against its target (0: none), with three
// decimals: a ratio shown as 0.90 may be below 0.9.
func judged(q, target float64) string {
	if target == 0 {
		return fmt.Sprintf("%.3f", q)
	}
	verdict := "target met"
	if q < target {
		verdict = "BELOW TARGET"
	}
	return fmt.Sprintf("%.3f (target ≥ %.1f: %s)", q, target, verdict)
}

// serverErrors counts the 5xx answers of a tally.
func serverErrors(t tally) int {
	n := 0
	for k, v := range t {
		if strings.HasPrefix(k, "HTTP 5") {
			n += v
		}
	}
	return n
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
				a := &sim.Applicant{Index: i, Client: sim.NewBrowser(sim.ForwardedFor{Next: tr, Addr: sim.ClientAddr(i)})}
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
