// Command placement compares the placement proposal (recruit.Place,
// applicant-proposing deferred acceptance) with first-come placement on
// simulated adjustment pools and prints the figures.
//
// The pool: programs with a few vacancies each, a third of them in shortage
// specialties that few applicants want; applicants with a score, each
// ranking 1–3 programs drawn by popularity; each program accepting most of
// those who list it (a random tenth it would not take) and ranking them by
// score with its own noise. First-come is the seed's adjustment: the
// applicants arrive in a random order, each takes the first program of
// their list that still has a seat and accepts them (refused by a full
// program, they re-choose the next one), and a base keeps whoever came
// first. Both placements see the same pool; the figures are seats filled,
// applicants placed at their first preference, blocking pairs (an applicant
// and a program that both prefer each other to what they got) and the mean
// rank, in its program's own order, of the applicants placed.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"text/tabwriter"

	"zhupei/recruit"
)

func main() {
	programs := flag.Int("programs", 400, "programs with vacancies")
	seed := flag.Uint64("seed", 1, "random seed")
	reps := flag.Int("reps", 5, "pools per size; the figures are their means")
	flag.Parse()

	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "applicants\tseats\tmethod\tseats filled\tat 1st pref\tblocking pairs\tmean rank at program\t")
	for _, n := range []int{500, 1000, 2000, 4000} {
		var dsum, fsum figures
		seats := 0
		for rep := range *reps {
			r := rand.New(rand.NewPCG(*seed, uint64(n*100+rep)))
			pool := simulate(r, n, *programs)
			seats += pool.seats()
			da, err := recruit.Place(pool.in)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			dsum = dsum.add(pool.measure(da.Assigned))
			fsum = fsum.add(pool.measure(pool.firstCome(r)))
		}
		for _, row := range []struct {
			name string
			f    figures
		}{{"proposal (deferred acceptance)", dsum}, {"first-come", fsum}} {
			f, k := row.f, float64(*reps)
			fmt.Fprintf(w, "%d\t%.0f\t%s\t%.1f (%.1f%%)\t%.1f (%.1f%% of placed)\t%.1f\t%.2f\t\n", n, float64(seats)/k, row.name,
				float64(f.filled)/k, 100*float64(f.filled)/float64(seats),
				float64(f.first)/k, 100*float64(f.first)/math.Max(1, float64(f.filled)), float64(f.blocking)/k, f.meanRank/k)
		}
	}
	w.Flush()
}

// pool is one simulated adjustment pool with the lookups the measures use.
type pool struct {
	in   recruit.PlacementInput
	rank map[int64]map[int64]int // program → applicant → rank
	cap  map[int64]int
}

// simulate draws a pool of n applicants over m programs.
func simulate(r *rand.Rand, n, m int) pool {
	p := pool{rank: map[int64]map[int64]int{}, cap: map[int64]int{}}
	// Popularity: log-normal, a third of the programs (shortage
	// specialties) a fifth as attractive.
	pop := make([]float64, m)
	total := 0.0
	for j := range pop {
		pop[j] = math.Exp(r.NormFloat64())
		if j%3 == 0 {
			pop[j] /= 5
		}
		total += pop[j]
	}
	draw := func() int {
		x := r.Float64() * total
		for j, v := range pop {
			if x -= v; x < 0 {
				return j
			}
		}
		return m - 1
	}
	score := make([]float64, n)
	listers := make([][]int, m)
	for i := range n {
		score[i] = r.NormFloat64()
		a := recruit.PlacementApplicant{ID: int64(i + 1)}
		seen := map[int]bool{}
		for range 1 + r.IntN(3) {
			j := draw()
			if seen[j] {
				continue
			}
			seen[j] = true
			a.Prefs = append(a.Prefs, int64(j+1))
			listers[j] = append(listers[j], i)
		}
		p.in.Applicants = append(p.in.Applicants, a)
	}
	for j := range m {
		prog := recruit.PlacementProgram{ID: int64(j + 1), Capacity: 1 + r.IntN(5)}
		type cand struct {
			app int
			key float64
		}
		var cs []cand
		for _, i := range listers[j] {
			if r.IntN(10) == 0 {
				continue // not acceptable to this base
			}
			cs = append(cs, cand{i, score[i] + 0.5*r.NormFloat64()})
		}
		for a := 1; a < len(cs); a++ { // insertion sort, best first
			for b := a; b > 0 && cs[b].key > cs[b-1].key; b-- {
				cs[b], cs[b-1] = cs[b-1], cs[b]
			}
		}
		p.rank[prog.ID] = map[int64]int{}
		for k, c := range cs {
			id := int64(c.app + 1)
			prog.Ranking = append(prog.Ranking, id)
			p.rank[prog.ID][id] = k
		}
		p.cap[prog.ID] = prog.Capacity
		p.in.Programs = append(p.in.Programs, prog)
	}
	return p
}

func (p pool) seats() int {
	n := 0
	for _, c := range p.cap {
		n += c
	}
	return n
}

// firstCome places the applicants in a random arrival order, each at the
// first program of their list with a seat left that accepts them.
func (p pool) firstCome(r *rand.Rand) map[int64]int64 {
	left := make(map[int64]int, len(p.cap))
	for id, c := range p.cap {
		left[id] = c
	}
	out := map[int64]int64{}
	for _, k := range r.Perm(len(p.in.Applicants)) {
		a := p.in.Applicants[k]
		for _, prog := range a.Prefs {
			if _, ok := p.rank[prog][a.ID]; ok && left[prog] > 0 {
				left[prog]--
				out[a.ID] = prog
				break
			}
		}
	}
	return out
}

// figures are the measures of one placement.
type figures struct {
	filled, first, blocking int
	meanRank                float64
}

func (f figures) add(g figures) figures {
	return figures{f.filled + g.filled, f.first + g.first, f.blocking + g.blocking, f.meanRank + g.meanRank}
}

// measure counts what placement m achieves on the pool.
func (p pool) measure(m map[int64]int64) figures {
	var f figures
	held := map[int64]int{}
	worst := map[int64]int{}
	rankSum := 0
	for a, prog := range m {
		held[prog]++
		r := p.rank[prog][a]
		worst[prog] = max(worst[prog], r)
		rankSum += r
	}
	for _, a := range p.in.Applicants {
		got, placed := m[a.ID]
		if placed {
			f.filled++
			if a.Prefs[0] == got {
				f.first++
			}
		}
		for _, prog := range a.Prefs {
			if placed && prog == got {
				break
			}
			if r, ok := p.rank[prog][a.ID]; ok && (held[prog] < p.cap[prog] || r < worst[prog]) {
				f.blocking++
			}
		}
	}
	if f.filled > 0 {
		f.meanRank = float64(rankSum) / float64(f.filled)
	}
	return f
}
