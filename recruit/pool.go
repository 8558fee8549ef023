package recruit

import (
	"context"
	"slices"
	"sort"
)

// PoolData is what the adjustment pool of a year is built from, as the
// store has it (LoadPool).
type PoolData struct {
	Year         Year
	Programs     []Program
	Applications []Application
	Prefs        []VacancyPrefs
	Rankings     []BaseRanking
}

// PoolReader is what LoadPool reads.
type PoolReader interface {
	ListPrograms(ctx context.Context, f ProgramFilter) ([]Program, error)
	ListApplications(ctx context.Context, programID int64) ([]Application, error)
	ListVacancyPrefs(ctx context.Context, year int) ([]VacancyPrefs, error)
	ListBaseRankings(ctx context.Context, year int) ([]BaseRanking, error)
}

// LoadPool reads the programs, applications, ranked vacancies and base
// rankings of year y. It only reads.
func LoadPool(ctx context.Context, r PoolReader, y Year) (PoolData, error) {
	d := PoolData{Year: y}
	var err error
	if d.Programs, err = r.ListPrograms(ctx, ProgramFilter{Year: y.Year}); err != nil {
		return PoolData{}, err
	}
	for _, p := range d.Programs {
		apps, err := r.ListApplications(ctx, p.ID)
		if err != nil {
			return PoolData{}, err
		}
		d.Applications = append(d.Applications, apps...)
	}
	if d.Prefs, err = r.ListVacancyPrefs(ctx, y.Year); err != nil {
		return PoolData{}, err
	}
	if d.Rankings, err = r.ListBaseRankings(ctx, y.Year); err != nil {
		return PoolData{}, err
	}
	return d, nil
}

// PoolMember is an application of the pool with the vacancies it ranks
// (PoolPrefs), best first.
type PoolMember struct {
	App   Application
	Prefs []int64
}

// Pool is the adjustment pool of a year: its members in submission order,
// the programs with a vacancy (in the order of PoolData.Programs) and each
// base's order of the members who list one of its programs.
type Pool struct {
	Members  []PoolMember
	Vacant   []Program
	program  map[int64]Program
	order    map[int64][]int64        // base → member app ids, best first
	explicit map[int64]map[int64]bool // base → app ids the base ranked itself
}

// BuildPool builds the pool of d. A base's order is its own ranking (the
// ids in it that are members listing the base), then the other members who
// list it in review order: those the base approved first, then by
// submission time; a member the base rejected comes only from its own
// ranking.
func BuildPool(d PoolData) Pool {
	p := Pool{program: make(map[int64]Program, len(d.Programs)), order: map[int64][]int64{}, explicit: map[int64]map[int64]bool{}}
	for _, prog := range d.Programs {
		p.program[prog.ID] = prog
		if prog.Vacancies() > 0 {
			p.Vacant = append(p.Vacant, prog)
		}
	}
	vacant := func(id int64) bool { return p.program[id].Vacancies() > 0 }
	stored := make(map[int64][]int64, len(d.Prefs))
	for _, vp := range d.Prefs {
		stored[vp.AppID] = vp.ProgramIDs
	}
	apps := slices.Clone(d.Applications)
	sort.SliceStable(apps, func(i, j int) bool {
		if !apps[i].SubmittedAt.Equal(apps[j].SubmittedAt) {
			return apps[i].SubmittedAt.Before(apps[j].SubmittedAt)
		}
		return apps[i].ID < apps[j].ID
	})
	listers := map[int64][]Application{} // base → members listing it, submission order
	lists := map[int64]map[int64]bool{}  // base → ids of the members listing it
	for _, app := range apps {
		if !InPool(app, d.Year.Calendar) {
			continue
		}
		prefs := PoolPrefs(app, stored[app.ID], vacant)
		if len(prefs) == 0 {
			continue
		}
		p.Members = append(p.Members, PoolMember{App: app, Prefs: prefs})
		for _, id := range prefs {
			b := p.program[id].BaseID
			if lists[b] == nil {
				lists[b] = map[int64]bool{}
			}
			if !lists[b][app.ID] {
				lists[b][app.ID] = true
				listers[b] = append(listers[b], app)
			}
		}
	}
	for _, r := range d.Rankings {
		ex := map[int64]bool{}
		for _, id := range r.AppIDs {
			if lists[r.BaseID][id] {
				p.order[r.BaseID] = append(p.order[r.BaseID], id)
				ex[id] = true
			}
		}
		p.explicit[r.BaseID] = ex
	}
	for base, ls := range listers {
		var approved, rest []int64
		for _, app := range ls {
			if p.explicit[base][app.ID] {
				continue
			}
			atBase := p.program[app.ProgramID].BaseID == base
			switch {
			case atBase && app.State == StateRejected:
			case atBase && app.State == StateApproved:
				approved = append(approved, app.ID)
			default:
				rest = append(rest, app.ID)
			}
		}
		p.order[base] = append(append(p.order[base], approved...), rest...)
	}
	return p
}

// Input is the placement problem of the pool: the members with their
// prefs, the vacant programs with their vacancies as capacity and their
// base's order as ranking.
func (p Pool) Input() PlacementInput {
	in := PlacementInput{Applicants: make([]PlacementApplicant, len(p.Members)), Programs: make([]PlacementProgram, len(p.Vacant))}
	lists := map[int64]map[int64]bool{} // program → members listing it
	for i, m := range p.Members {
		in.Applicants[i] = PlacementApplicant{ID: m.App.ID, Prefs: m.Prefs}
		for _, id := range m.Prefs {
			if lists[id] == nil {
				lists[id] = map[int64]bool{}
			}
			lists[id][m.App.ID] = true
		}
	}
	for j, prog := range p.Vacant {
		pp := PlacementProgram{ID: prog.ID, Capacity: prog.Vacancies(), Ranking: []int64{}}
		for _, id := range p.order[prog.BaseID] {
			if lists[prog.ID][id] {
				pp.Ranking = append(pp.Ranking, id)
			}
		}
		in.Programs[j] = pp
	}
	return in
}

// PoolCandidate is a member of the pool as a base sees it: which of its
// programs the member lists at which preference (1 = first), and the
// member's place in the base's order (1 = first) and whether the base set
// it itself.
type PoolCandidate struct {
	AppID      int64 `json:"application_id"`
	ProgramID  int64 `json:"program_id"`
	Preference int   `json:"preference"`
	Rank       int   `json:"rank"`
	Ranked     bool  `json:"ranked"`
}

// Candidates returns the members listing a program of base, in the base's
// order, one row per program listed.
func (p Pool) Candidates(base int64) []PoolCandidate {
	prefs := make(map[int64][]int64, len(p.Members))
	for _, m := range p.Members {
		prefs[m.App.ID] = m.Prefs
	}
	out := []PoolCandidate{}
	for r, id := range p.order[base] {
		for k, prog := range prefs[id] {
			if p.program[prog].BaseID == base {
				out = append(out, PoolCandidate{AppID: id, ProgramID: prog, Preference: k + 1, Rank: r + 1, Ranked: p.explicit[base][id]})
			}
		}
	}
	return out
}

// Program returns a program of the pool's year by id.
func (p Pool) Program(id int64) (Program, bool) {
	prog, ok := p.program[id]
	return prog, ok
}
