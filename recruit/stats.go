package recruit

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"time"
)

// Statistics (DESIGN.md, "Exports and statistics"). An application counts in
// the round in which its current state was set (StateAt): states set before
// round2 begins count in round1 (registration is round1's intake), those set
// from the confirmation phase on (录取) count in the confirmation phase. So
// the rounds of one program add up to its year, and a decision that a later
// round replaced (rejected in round1, pending again in round2) counts only
// where the application stands now.

// StatsRounds are the rounds statistics are split by, in calendar order.
var StatsRounds = []Phase{PhaseRound1, PhaseRound2, PhaseAdjustment, PhaseConfirmation}

// StatsRound is the round of StatsRounds a state set at t counts in.
func (c Calendar) StatsRound(t time.Time) Phase {
	switch p := c.PhaseAt(t); p {
	case PhaseBefore, PhaseRegistration:
		return PhaseRound1
	case PhaseClosed:
		return PhaseConfirmation
	default:
		return p
	}
}

// ParseStatsRound returns the round of StatsRounds named s, "" for "" (the
// whole year), EINVALID otherwise.
func ParseStatsRound(s string) (Phase, error) {
	if s == "" {
		return "", nil
	}
	for _, r := range StatsRounds {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "统计轮次只能是 round1、round2、adjustment 或 confirmation")
}

// StatsQuery selects what the statistics count: the applications of one
// year, of one base's programs when BaseID is not 0, split into rounds by
// Calendar (StatsRound).
type StatsQuery struct {
	Year     int
	BaseID   int64
	Calendar Calendar
}

// StateCount is the number of applications of one program that are in one
// state, set in one round.
type StateCount struct {
	ProgramID int64 `json:"program_id"`
	Round     Phase `json:"round"`
	State     State `json:"state"`
	N         int   `json:"n"`
}

// DayCount is the number of applications first submitted on one day
// (Asia/Shanghai, "2006-01-02").
type DayCount struct {
	Day string `json:"day"`
	N   int    `json:"n"`
}

// ApplicationCounts are the counts the statistics are made of.
type ApplicationCounts struct {
	States []StateCount // ordered by program, round (StatsRounds order), state
	Days   []DayCount   // ordered by day
	Offers []OfferCount // ordered by program, round, offer state
}

// PeopleCount counts the applicants before they apply: the WeChat accounts
// bound to a person (实名认证) and the people with a saved profile.
type PeopleCount struct {
	Bound    int `json:"bound"`
	Profiled int `json:"profiled"`
}

// StatsStore counts for the statistics. It only reads.
type StatsStore interface {
	// CountApplications counts the applications q selects by program,
	// round and state (every state, draft and withdrawn included), by
	// the day of their first submission, and, of those with an offer, by
	// program, round and offer state.
	CountApplications(ctx context.Context, q StatsQuery) (ApplicationCounts, error)
	// CountPeople counts the identities bound now and the profiles saved.
	CountPeople(ctx context.Context) (PeopleCount, error)
}

// SortCounts orders counts as CountApplications returns them; a backend
// that counts in memory calls it.
func SortCounts(c *ApplicationCounts) {
	order := map[Phase]int{}
	for i, r := range StatsRounds {
		order[r] = i
	}
	slices.SortFunc(c.States, func(a, b StateCount) int {
		return cmp.Or(cmp.Compare(a.ProgramID, b.ProgramID), cmp.Compare(order[a.Round], order[b.Round]), cmp.Compare(a.State, b.State))
	})
	sort.Slice(c.Days, func(i, j int) bool { return c.Days[i].Day < c.Days[j].Day })
	slices.SortFunc(c.Offers, func(a, b OfferCount) int {
		return cmp.Or(cmp.Compare(a.ProgramID, b.ProgramID), cmp.Compare(order[a.Round], order[b.Round]), cmp.Compare(a.Offer, b.Offer))
	})
}

// StatsDay is the day (Asia/Shanghai) of t as DayCount has it.
func StatsDay(t time.Time) string { return t.In(Shanghai).Format(time.DateOnly) }

// ProgramStats is one row of the statistics: a program and what its
// applications counted. Vacancies and FillRate are the program's now
// (plan against every seat held, whatever round took it), so they are the
// same in every round's view.
type ProgramStats struct {
	ProgramID     int64   `json:"program_id"`
	BaseID        int64   `json:"base_id"`
	BaseName      string  `json:"base_name"`
	SpecialtyCode string  `json:"specialty_code"`
	SpecialtyName string  `json:"specialty_name"`
	Plan          int     `json:"plan"`
	Registered    int     `json:"registered"`  // active applications (State.Active)
	Pending       int     `json:"pending"`     // 待审核
	Approved      int     `json:"approved"`    // 审核通过, not (yet) provisionally admitted
	Rejected      int     `json:"rejected"`    // 审核不通过
	Provisional   int     `json:"provisional"` // 拟录取
	Admitted      int     `json:"admitted"`    // 录取
	Vacancies     int     `json:"vacancies"`   // plan − seats held, never below 0
	FillRate      float64 `json:"fill_rate"`   // seats held / plan, 0 for a plan of 0
	// Offers counts the offers by state, in the round of the application's
	// current state as the other counts.
	Offers OfferCounts `json:"offers"`
}

// add counts n applications in state s.
func (p *ProgramStats) add(s State, n int) {
	if s.Active() {
		p.Registered += n
	}
	switch s {
	case StatePending:
		p.Pending += n
	case StateApproved:
		p.Approved += n
	case StateRejected:
		p.Rejected += n
	case StateProvisional:
		p.Provisional += n
	case StateAdmitted:
		p.Admitted += n
	}
}

// seat sets Vacancies and FillRate from the seats held.
func (p *ProgramStats) seat(seats int) {
	p.Vacancies = max(0, p.Plan-seats)
	if p.Plan > 0 {
		p.FillRate = float64(seats) / float64(p.Plan)
	}
}

// FunnelStep is one step of the way from binding to admission.
type FunnelStep struct {
	Step  string `json:"step"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Stats are the statistics of a year (of one base, one round, or all).
type Stats struct {
	Year     int            `json:"year"`
	BaseID   int64          `json:"base_id"` // 0: every base
	Round    Phase          `json:"round"`   // "": the whole year
	Programs []ProgramStats `json:"programs"`
	Total    ProgramStats   `json:"total"`
	Days     []DayCount     `json:"days"`
	Funnel   []FunnelStep   `json:"funnel"`
}

// Tally makes the statistics of programs (ordered as given) from counts;
// round "" counts every round. people, when not nil, starts the funnel with
// the bindings and profiles (the province's view); the funnel then counts
// the applications of the whole year that reached each state or beyond.
func Tally(programs []Program, counts ApplicationCounts, round Phase, people *PeopleCount) Stats {
	at := make(map[int64]int, len(programs))
	st := Stats{Round: round, Programs: make([]ProgramStats, len(programs)), Days: counts.Days}
	for i, p := range programs {
		at[p.ID] = i
		st.Programs[i] = ProgramStats{ProgramID: p.ID, BaseID: p.BaseID, BaseName: p.BaseName,
			SpecialtyCode: p.SpecialtyCode, SpecialtyName: p.SpecialtyName, Plan: p.Plan}
		st.Total.Plan += p.Plan
	}
	seats := make([]int, len(programs))
	var year ProgramStats
	for _, c := range counts.States {
		i, ok := at[c.ProgramID]
		if !ok {
			continue
		}
		if c.State.HoldsSeat() {
			seats[i] += c.N
		}
		year.add(c.State, c.N)
		if round == "" || c.Round == round {
			st.Programs[i].add(c.State, c.N)
			st.Total.add(c.State, c.N)
		}
	}
	for _, c := range counts.Offers {
		if i, ok := at[c.ProgramID]; ok && (round == "" || c.Round == round) {
			st.Programs[i].Offers.add(c.Offer, c.N)
			st.Total.Offers.add(c.Offer, c.N)
		}
	}
	held := 0
	for i := range st.Programs {
		st.Programs[i].seat(seats[i])
		held += seats[i]
	}
	st.Total.seat(held)
	if st.Days == nil {
		st.Days = []DayCount{}
	}
	if people != nil {
		st.Funnel = append(st.Funnel,
			FunnelStep{"bound", "实名认证", people.Bound},
			FunnelStep{"profiled", "填写个人信息", people.Profiled})
	}
	st.Funnel = append(st.Funnel,
		FunnelStep{"registered", "提交报名", year.Registered},
		FunnelStep{"approved", "审核通过", year.Approved + year.Provisional + year.Admitted},
		FunnelStep{"provisional", "拟录取", year.Provisional + year.Admitted},
		FunnelStep{"admitted", "录取", year.Admitted})
	return st
}

// Bases sums the programs' rows per base, in the order the bases first
// appear: a base's row has its id and name, no program or specialty.
func (st Stats) Bases() []ProgramStats {
	var out []ProgramStats
	at := map[int64]int{}
	for _, p := range st.Programs {
		i, ok := at[p.BaseID]
		if !ok {
			i = len(out)
			at[p.BaseID] = i
			out = append(out, ProgramStats{BaseID: p.BaseID, BaseName: p.BaseName})
		}
		b := &out[i]
		b.Plan += p.Plan
		b.Registered += p.Registered
		b.Pending += p.Pending
		b.Approved += p.Approved
		b.Rejected += p.Rejected
		b.Provisional += p.Provisional
		b.Admitted += p.Admitted
		b.Vacancies += p.Vacancies
		b.Offers.plus(p.Offers)
	}
	for i := range out {
		// A program's seats are its plan less its vacancies (never above plan).
		out[i].seat(out[i].Plan - out[i].Vacancies)
	}
	return out
}
