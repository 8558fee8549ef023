package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"zhupei/internal/sim"
)

// latencies are the durations of the requests of one phase.
type latencies []time.Duration

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of the
// sorted durations, 0 when there are none.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	k := int(float64(len(l))*p/100+0.999999) - 1
	return l[min(max(k, 0), len(l)-1)]
}

// tally counts the failed requests of a phase by kind.
type tally map[string]int

func (t tally) total() int {
	n := 0
	for _, v := range t {
		n += v
	}
	return n
}

func (t tally) String() string {
	if len(t) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, t[k])
	}
	return strings.Join(parts, ", ")
}

// phaseResult is what one timed phase measured.
type phaseResult struct {
	requests int
	elapsed  time.Duration
	lat      latencies // sorted
	// failed are the failures that are faults of the server (transport
	// errors, 5xx, unexpected 4xx); conflicts are 409 stale-version
	// answers and refusals the other 4xx domain refusals (e.g. a phase or
	// state rule), neither of which the scenario should produce.
	failed, conflicts, refusals tally
	// cpu is the CPU time the serving process used meanwhile, when
	// measured (the comparison): unlike requests/s it hardly depends on
	// what else runs on the machine.
	cpu time.Duration
}

func newPhaseResult() phaseResult {
	return phaseResult{failed: tally{}, conflicts: tally{}, refusals: tally{}}
}

// merge adds a worker's result.
func (r *phaseResult) merge(w phaseResult) {
	r.requests += w.requests
	r.lat = append(r.lat, w.lat...)
	for _, pair := range [][2]tally{{r.failed, w.failed}, {r.conflicts, w.conflicts}, {r.refusals, w.refusals}} {
		for k, v := range pair[1] {
			pair[0][k] += v
		}
	}
}

// record classifies one answer of the surge.
func (r *phaseResult) record(status int, code string) {
	key := fmt.Sprintf("HTTP %d %s", status, code)
	switch {
	case status >= 200 && status < 400:
		return
	case status == http.StatusConflict:
		r.conflicts[key]++
	case status == http.StatusBadRequest || status == http.StatusForbidden:
		r.refusals[key]++
	case status == 0:
		r.failed["transport error"]++
	default:
		r.failed[key]++
	}
}

func (r phaseResult) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the serving process's CPU time per request, 0 when not
// measured.
func (r phaseResult) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}

// surge runs the timed phase: clients concurrent clients, client c serving
// the applicants c, c+clients, …; in each of ops rounds every applicant
// submits a choice of a random program (the first round submits, the
// others change). It stops starting requests after limit (0: no limit).
func surge(applicants []*sim.Applicant, programs []int64, clients, ops int, limit time.Duration, seed int64) phaseResult {
	ctx := context.Background()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	results := make([]phaseResult, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(c)))
			res := newPhaseResult()
			for range ops {
				for i := c; i < len(applicants); i += clients {
					if ctx.Err() != nil {
						results[c] = res
						return
					}
					a := applicants[i]
					t0 := time.Now()
					status, code := a.Choose(programs[rng.Intn(len(programs))], rng.Intn(2) == 0)
					res.lat = append(res.lat, time.Since(t0))
					res.requests++
					res.record(status, code)
					if status != http.StatusOK {
						if err := a.Resync(); err != nil {
							res.failed["resync: "+err.Error()]++
						}
					}
				}
			}
			results[c] = res
		}()
	}
	wg.Wait()
	return sum(results, start)
}

// sum merges the workers' results of a phase that began at start, now
// ended, with the latencies sorted.
func sum(results []phaseResult, start time.Time) phaseResult {
	total := newPhaseResult()
	total.elapsed = time.Since(start)
	for _, r := range results {
		total.merge(r)
	}
	slices.Sort(total.lat)
	return total
}

// board is the part of GET /api/v1/programs the tool reads.
type board struct {
	Programs []struct {
		ID         int64 `json:"id"`
		Registered int   `json:"registered"`
	} `json:"programs"`
	Totals struct {
		Registered int `json:"registered"`
	} `json:"totals"`
}

// readBoard fetches the public programs table.
func readBoard(hc *http.Client, server string) (board, error) {
	var b board
	resp, err := hc.Get(server + "/api/v1/programs")
	raw, err := sim.Expect("programs", resp, err, http.StatusOK)
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	return b, err
}
