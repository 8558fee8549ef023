package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"zhupei/internal/procstat"
	"zhupei/internal/sim"
)

// boardPath is the JSON the board page polls (board.js).
const boardPath = "/api/v1/programs"

// poller is one open board page polling the counts as board.js does: it
// accepts gzip, as browsers do (the answer is not decompressed: the tool
// shares the server's cores), and sends the ETag of its last full answer
// in If-None-Match, so that unchanged counts come back as 304 without a
// body.
type poller struct {
	hc   *http.Client
	url  string
	etag string
}

// poll makes one request and returns its status, 0 for a transport error.
func (p *poller) poll(ctx context.Context) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0
	}
	if resp.StatusCode == http.StatusOK {
		p.etag = resp.Header.Get("ETag")
	}
	return resp.StatusCode
}

// pollResult is what the pollers measured: full answers and 304s apart,
// and every other answer as a failure.
type pollResult struct {
	full, notModified phaseResult
	failed            tally
	elapsed           time.Duration
}

// pollBoard runs n pollers of server's board until ctx ends, each waiting
// interval between its polls (0: none), the first poll of each at a random
// moment of the first interval, as pages opened at different times. A
// request cut by the end of ctx is not counted.
func pollBoard(ctx context.Context, tr http.RoundTripper, server string, n int, interval time.Duration) pollResult {
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	results := make([]pollResult, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &poller{hc: hc, url: server + boardPath}
			r := pollResult{full: newPhaseResult(), notModified: newPhaseResult(), failed: tally{}}
			if interval > 0 {
				pause(ctx, time.Duration(rand.Int64N(int64(interval))))
			}
			for ctx.Err() == nil {
				t0 := time.Now()
				status := p.poll(ctx)
				lat := time.Since(t0)
				switch {
				case ctx.Err() != nil:
				case status == http.StatusOK:
					r.full.requests++
					r.full.lat = append(r.full.lat, lat)
				case status == http.StatusNotModified:
					r.notModified.requests++
					r.notModified.lat = append(r.notModified.lat, lat)
				case status == 0:
					r.failed["transport error"]++
				default:
					r.failed[fmt.Sprintf("HTTP %d", status)]++
				}
				pause(ctx, interval)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	total := pollResult{full: newPhaseResult(), notModified: newPhaseResult(), failed: tally{}, elapsed: time.Since(start)}
	for _, r := range results {
		total.full.merge(r.full)
		total.notModified.merge(r.notModified)
		for k, v := range r.failed {
			total.failed[k] += v
		}
	}
	total.full.elapsed, total.notModified.elapsed = total.elapsed, total.elapsed
	slices.Sort(total.full.lat)
	slices.Sort(total.notModified.lat)
	return total
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// target is one endpoint of the capacity comparison: a URL, the request
// headers sent and the status every answer must have.
type target struct {
	name   string
	url    string
	header http.Header
	want   int
	pid    int // the serving process, whose CPU time is measured (0: not)
}

// reads runs clients closed-loop readers of t for d.
func reads(tr http.RoundTripper, t target, clients int, d time.Duration) phaseResult {
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	results := make([]phaseResult, clients)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := newPhaseResult()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, t.url, nil) // a URL that parsed before
				req.Header = t.header.Clone()
				t0 := time.Now()
				resp, err := hc.Do(req)
				status := 0
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				res.lat = append(res.lat, time.Since(t0))
				res.requests++
				if err != nil || status != t.want {
					res.failed[fmt.Sprintf("HTTP %d", status)]++
				}
			}
			results[c] = res
		}()
	}
	wg.Wait()
	return sum(results, start)
}

// boardAnswer is the board's full answer as a browser gets it.
type boardAnswer struct {
	body   []byte
	etag   string
	header http.Header
}

// fetchBoard reads the board's gzipped answer.
func fetchBoard(hc *http.Client, server string) (boardAnswer, error) {
	req, err := http.NewRequest(http.MethodGet, server+boardPath, nil)
	if err != nil {
		return boardAnswer{}, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := hc.Do(req)
	body, err := sim.Expect("board", resp, err, http.StatusOK)
	if err != nil {
		return boardAnswer{}, err
	}
	return boardAnswer{body: body, etag: resp.Header.Get("ETag"), header: resp.Header}, nil
}

// written are the headers of an answer that its server writes itself, so
// that a copy of the answer has them without being given them: the date,
// the length and those of the connection.
var written = []string{"Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding"}

// copyToBaseline makes the baseline's same-answer handler answer a: the
// same body with the same headers (the request id's value among them, the
// same number of bytes as a fresh one), and its same-body handler the
// body with a's Content-Type and Content-Encoding.
func copyToBaseline(hc *http.Client, baseline string, a boardAnswer) error {
	req, err := http.NewRequest(http.MethodPut, baseline+"/board", bytes.NewReader(a.body))
	if err != nil {
		return err
	}
	for k, v := range a.header {
		if !slices.Contains(written, k) {
			req.Header[baselineHeader+k] = v
		}
	}
	resp, err := hc.Do(req)
	_, err = sim.Expect("baseline copy", resp, err, http.StatusNoContent)
	return err
}

// baselineHeader prefixes the name of each header given to the baseline's
// PUT /board to answer with (bench/baseline).
const baselineHeader = "X-Board-"

// comparison is the capacity of the board and of its references, and the
// three ratios in each round (see ratios).
type comparison struct {
	answer                                  boardAnswer
	board, same, body, notModified, trivial phaseResult
	rounds                                  [][3]float64
}

// ratios are the quotients of a round of compare, by the index of
// compare's targets: board ÷ same answer, board ÷ same body, 304 ÷
// trivial.
var ratios = [3][2]int{{0, 1}, {0, 2}, {3, 4}}

// warmup is the unmeasured turn each endpoint gets first, so that the
// first measured turn finds its connections open and its server warm, as
// every later turn does.
const warmup = time.Second

// baselineOf is the baseline of round r of compare among n: each in turn
// for two rounds, so that each is asked in both of turnOrder's orders.
func baselineOf(r, n int) int { return r / 2 % n }

// turnOrder is the order of compare's five targets in round r: the board
// and its two references (same answer, same body) back to back, then the
// 304 and the trivial handler, each group in the other order every other
// round.
func turnOrder(r int) []int {
	if r%2 == 1 {
		return []int{2, 1, 0, 4, 3}
	}
	return []int{0, 1, 2, 3, 4}
}

// compare measures, rounds times in turn for d each with clients readers:
// the board's full answer (gzip), the baseline returning the same answer
// (body and headers), the baseline returning the same body with fewer
// headers, the board's 304 (If-None-Match with the current ETag) and the
// baseline's trivial constant (asked with the same headers). Taking turns
// spreads the machine's other load over all five alike; the board and
// its references are measured back to back, in the other order every
// other round, so that none always follows the same turn, and so are the
// 304 and the trivial handler. The references of a round are those of
// baseline (r/2) mod len(baselines) (see baselineOf), whose process id is
// the same index of pids.
func compare(tr http.RoundTripper, server string, serverPID int, baselines []string, pids []int, clients, rounds int, d time.Duration) (comparison, error) {
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	a, err := fetchBoard(hc, server)
	if err != nil {
		return comparison{}, err
	}
	if a.etag == "" {
		return comparison{}, fmt.Errorf("board: the answer has no ETag")
	}
	// Each reference gets the request of what it is compared with, so
	// that the servers parse the same bytes (the baseline ignores
	// If-None-Match).
	gz := http.Header{"Accept-Encoding": {"gzip"}}
	conditional := http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {a.etag}}
	board := target{"board", server + boardPath, gz, http.StatusOK, serverPID}
	notModified := target{"board 304", server + boardPath, conditional, http.StatusNotModified, serverPID}
	reads(tr, board, clients, warmup)
	reads(tr, notModified, clients, warmup)
	// targets[b] are the five targets of rounds on baseline b.
	targets := make([][5]target, len(baselines))
	for b, url := range baselines {
		if err := copyToBaseline(hc, url, a); err != nil {
			return comparison{}, err
		}
		targets[b] = [5]target{board,
			{"same answer", url + "/board", gz, http.StatusOK, pids[b]},
			{"same body", url + "/body", gz, http.StatusOK, pids[b]},
			notModified,
			{"trivial", url + "/", conditional, http.StatusOK, pids[b]}}
		for _, t := range []int{1, 2, 4} {
			reads(tr, targets[b][t], clients, warmup)
		}
	}
	sums := make([]phaseResult, 5)
	for i := range sums {
		sums[i] = newPhaseResult()
	}
	c := comparison{answer: a}
	for r := range rounds {
		var rates [5]float64
		for _, i := range turnOrder(r) {
			t := targets[baselineOf(r, len(baselines))][i]
			before, errBefore := procstat.CPUTime(t.pid)
			res := reads(tr, t, clients, d)
			after, errAfter := procstat.CPUTime(t.pid)
			rates[i] = res.perSecond()
			sums[i].merge(res)
			sums[i].elapsed += res.elapsed
			if errBefore == nil && errAfter == nil {
				sums[i].cpu += after - before
			}
		}
		var q [3]float64
		for k, p := range ratios {
			q[k] = rates[p[0]] / rates[p[1]]
		}
		c.rounds = append(c.rounds, q)
	}
	for i := range sums {
		slices.Sort(sums[i].lat)
	}
	c.board, c.same, c.body, c.notModified, c.trivial = sums[0], sums[1], sums[2], sums[3], sums[4]
	return c, nil
}
