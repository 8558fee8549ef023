package main

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"zhupei/internal/sim"
)

// boardWait bounds how long the verification waits for the public counts,
// which are cached for a couple of seconds, to catch up with the run.
const boardWait = 15 * time.Second

// verification is what the check after the run found.
type verification struct {
	submitted   int           // applicants with an acknowledged active choice
	mismatched  int           // applicants whose application is not what they were told
	unreadable  int           // applicants whose profile could not be read
	boardSum    int           // sum of registered over the board's programs
	boardTotal  int           // the board's own total
	wrongCounts int           // programs whose registered differs from the applications
	converged   time.Duration // from the end of the surge to the board read that matched (or the last)
	boardErr    error
}

func (v verification) ok() bool {
	return v.mismatched == 0 && v.unreadable == 0 && v.boardMatches()
}

// boardMatches reports whether the board's counts are those of the
// applications.
func (v verification) boardMatches() bool {
	return v.boardErr == nil && v.wrongCounts == 0 && v.boardSum == v.submitted && v.boardTotal == v.submitted
}

func (v verification) String() string {
	if v.boardErr != nil {
		return "board: " + v.boardErr.Error()
	}
	return fmt.Sprintf("%d applicants submitted; own view: %d differ, %d unreadable; board: sum of registered %d, total %d, %d programs off (read %.1fs after the surge)",
		v.submitted, v.mismatched, v.unreadable, v.boardSum, v.boardTotal, v.wrongCounts, v.converged.Seconds())
}

// verify checks that every applicant has exactly the one active application
// the server last acknowledged (their own view, GET /api/v1/me/profile), and
// that the board's registered counts are the number of those applications,
// in total and per program.
func verify(applicants []*sim.Applicant, hc *http.Client, server string, workers int, surgeEnd time.Time) verification {
	var v verification
	var mismatched, unreadable atomic.Int64
	next := make(chan *sim.Applicant)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range next {
				m, err := a.Fetch()
				switch {
				case err != nil:
					unreadable.Add(1)
				case a.Program == 0 && m.Application != nil && m.Application.State.Active(),
					a.Program != 0 && (m.Application == nil || !m.Application.State.Active() || m.Application.ProgramID != a.Program):
					mismatched.Add(1)
				}
			}
		}()
	}
	want := map[int64]int{}
	for _, a := range applicants {
		next <- a
		if a.Program != 0 {
			v.submitted++
			want[a.Program]++
		}
	}
	close(next)
	wg.Wait()
	v.mismatched, v.unreadable = int(mismatched.Load()), int(unreadable.Load())

	for {
		b, err := readBoard(hc, server)
		v.converged, v.boardErr = time.Since(surgeEnd), err
		if err == nil {
			v.boardSum, v.boardTotal, v.wrongCounts = 0, b.Totals.Registered, 0
			for _, p := range b.Programs {
				v.boardSum += p.Registered
				if p.Registered != want[p.ID] {
					v.wrongCounts++
				}
			}
		}
		if v.boardMatches() || time.Since(surgeEnd) > boardWait {
			return v
		}
		time.Sleep(250 * time.Millisecond)
	}
}
