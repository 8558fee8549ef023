package recruit

import (
	"container/heap"
	"fmt"
	"sort"
)

// Placement of the adjustment pool (调剂, DESIGN.md "Offers and
// adjustment"): applicant-proposing deferred acceptance (Gale–Shapley with
// capacities) over the applicants' ranked programs and each program's
// ranking of its candidates. The result is stable — no applicant and
// program that both prefer each other to what they got — and
// applicant-optimal: every applicant gets the best program they get in any
// stable matching. Place is pure: it reads only its input.

// PlacementApplicant is one applicant of the pool with the programs they
// rank, best first (at most MaxVacancyPrefs in the service; Place takes any
// number).
type PlacementApplicant struct {
	ID    int64   `json:"id"` // the application id
	Prefs []int64 `json:"prefs"`
}

// PlacementProgram is one program with its free seats and its ranking of
// the candidates it accepts, best first; an applicant it does not rank is
// not acceptable to it.
type PlacementProgram struct {
	ID       int64   `json:"id"`
	Capacity int     `json:"capacity"`
	Ranking  []int64 `json:"ranking"`
}

// PlacementInput is one instance of the placement problem.
type PlacementInput struct {
	Applicants []PlacementApplicant `json:"applicants"`
	Programs   []PlacementProgram   `json:"programs"`
}

// ProgramPlacement is what one program gets: the applicants placed there in
// the program's order and the seats left empty.
type ProgramPlacement struct {
	ID       int64   `json:"id"`
	Capacity int     `json:"capacity"`
	Placed   []int64 `json:"placed"`
	Empty    int     `json:"empty"`
}

// Placement is the result: Assigned maps each placed applicant to their
// program; Unplaced lists the others in input order; Programs follows the
// input order of the programs.
type Placement struct {
	Assigned map[int64]int64    `json:"assigned"`
	Unplaced []int64            `json:"unplaced"`
	Programs []ProgramPlacement `json:"programs"`
}

// Place computes the applicant-optimal stable placement of in. A program
// listed in an applicant's prefs but absent from in.Programs is skipped, as
// is a program the applicant lists twice after the first time. EINVALID
// for a duplicate applicant or program id, a negative capacity or a ranking
// naming an applicant twice.
func Place(in PlacementInput) (Placement, error) {
	appIdx := make(map[int64]int32, len(in.Applicants))
	for i, a := range in.Applicants {
		if _, dup := appIdx[a.ID]; dup {
			return Placement{}, Errorf(EINVALID, "调剂人员（报名编号 %d）重复", a.ID)
		}
		appIdx[a.ID] = int32(i)
	}
	progIdx := make(map[int64]int32, len(in.Programs))
	for j, p := range in.Programs {
		if _, dup := progIdx[p.ID]; dup {
			return Placement{}, Errorf(EINVALID, "招收计划（编号 %d）重复", p.ID)
		}
		if p.Capacity < 0 {
			return Placement{}, Errorf(EINVALID, "招收计划（编号 %d）的缺额不能为负数", p.ID)
		}
		progIdx[p.ID] = int32(j)
	}

	// prefs[i] are applicant i's programs (indices) with the rank the
	// program gives i there; a program that does not rank i is left out.
	prefs := make([][]placeChoice, len(in.Applicants))
	for i, a := range in.Applicants {
		cs := make([]placeChoice, 0, len(a.Prefs))
		for _, pid := range a.Prefs {
			j, ok := progIdx[pid]
			if !ok || listed(cs, j) {
				continue
			}
			cs = append(cs, placeChoice{prog: j, rank: -1})
		}
		prefs[i] = cs
	}
	for j, p := range in.Programs {
		seen := make(map[int64]bool, len(p.Ranking))
		for r, aid := range p.Ranking {
			if seen[aid] {
				return Placement{}, Errorf(EINVALID, "招收计划（编号 %d）的排序中调剂人员（报名编号 %d）重复", p.ID, aid)
			}
			seen[aid] = true
			i, ok := appIdx[aid]
			if !ok {
				continue
			}
			for k := range prefs[i] {
				if prefs[i][k].prog == int32(j) {
					prefs[i][k].rank = int32(r)
				}
			}
		}
	}

	// held[j] is a max-heap by rank of the applicants program j holds.
	held := make([]rankHeap, len(in.Programs))
	next := make([]int, len(in.Applicants)) // the next pref each applicant proposes to
	free := make([]int32, 0, len(in.Applicants))
	for i := len(in.Applicants) - 1; i >= 0; i-- {
		free = append(free, int32(i))
	}
	for len(free) > 0 {
		i := free[len(free)-1]
		free = free[:len(free)-1]
		for next[i] < len(prefs[i]) {
			c := prefs[i][next[i]]
			next[i]++
			if c.rank < 0 {
				continue // not acceptable to the program
			}
			h := &held[c.prog]
			if h.Len() < in.Programs[c.prog].Capacity {
				heap.Push(h, held1{app: i, rank: c.rank})
				break
			}
			if h.Len() > 0 && (*h)[0].rank > c.rank {
				worst := (*h)[0]
				(*h)[0] = held1{app: i, rank: c.rank}
				heap.Fix(h, 0)
				free = append(free, worst.app)
				break
			}
		}
	}

	out := Placement{
		Assigned: make(map[int64]int64, len(in.Applicants)),
		Unplaced: []int64{},
		Programs: make([]ProgramPlacement, len(in.Programs)),
	}
	for j, p := range in.Programs {
		h := held[j]
		sort.Slice(h, func(a, b int) bool { return h[a].rank < h[b].rank })
		pp := ProgramPlacement{ID: p.ID, Capacity: p.Capacity, Placed: make([]int64, len(h)), Empty: p.Capacity - len(h)}
		for k, e := range h {
			pp.Placed[k] = p.Ranking[e.rank]
			out.Assigned[in.Applicants[e.app].ID] = p.ID
		}
		out.Programs[j] = pp
	}
	for _, a := range in.Applicants {
		if _, ok := out.Assigned[a.ID]; !ok {
			out.Unplaced = append(out.Unplaced, a.ID)
		}
	}
	return out, nil
}

// placeChoice is program prog of an applicant's prefs with the rank the
// program gives the applicant (-1: not acceptable to it).
type placeChoice struct{ prog, rank int32 }

// listed reports whether program j is among cs already.
func listed(cs []placeChoice, j int32) bool {
	for _, c := range cs {
		if c.prog == j {
			return true
		}
	}
	return false
}

// held1 is an applicant a program holds, with the rank it gives them.
type held1 struct{ app, rank int32 }

// rankHeap is a max-heap of held applicants by rank (the worst on top).
type rankHeap []held1

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(a, b int) bool { return h[a].rank > h[b].rank }
func (h rankHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *rankHeap) Push(x any)        { *h = append(*h, x.(held1)) }
func (h *rankHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// String summarises a placement for logs and test failures.
func (p Placement) String() string {
	empty := 0
	for _, pp := range p.Programs {
		empty += pp.Empty
	}
	return fmt.Sprintf("%d placed, %d unplaced, %d seats empty", len(p.Assigned), len(p.Unplaced), empty)
}
