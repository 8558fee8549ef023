package province

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"zhupei/recruit"
)

// Audit actions of the adjustment use-cases.
const (
	ActionSetShortage      = "set_shortage_specialties"
	ActionProposePlacement = "propose_placement"
)

// SetShortageSpecialties replaces the latest year's shortage specialties
// (紧缺专业, flagged on the vacancy board) with codes and writes the audit
// entry. Only an enabled province admin may; every code must name a
// specialty (recruit.ErrUnknownSpecialty).
func (s *Service) SetShortageSpecialties(ctx context.Context, by recruit.Staff, codes []string) ([]string, error) {
	const op = "province.SetShortageSpecialties"
	if err := requireProvinceFor(by, "设定紧缺专业"); err != nil {
		return nil, recruit.WithOp(op, err)
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	before, err := s.store.ShortageSpecialties(ctx, y.Year)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	if err := s.store.SetShortageSpecialties(ctx, y.Year, codes); err != nil {
		return nil, recruit.WithOp(op, err)
	}
	after, err := s.store.ShortageSpecialties(ctx, y.Year)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionSetShortage, fmt.Sprintf("year:%d", y.Year), before, after, ""); err != nil {
		return nil, recruit.WithOp(op, err)
	}
	return after, nil
}

// Proposal is a placement proposal for the adjustment pool: what the
// province reviews before applying it. Nothing is changed by computing it.
type Proposal struct {
	Year       int             `json:"year"`
	Phase      recruit.Phase   `json:"phase"`
	ComputedAt time.Time       `json:"computed_at"`
	Pool       int             `json:"pool"`     // applicants in the pool
	Seats      int             `json:"seats"`    // vacancies in all
	Placed     int             `json:"placed"`   // applicants placed
	Empty      int             `json:"empty"`    // seats left empty
	AtFirst    int             `json:"at_first"` // placed at their first preference
	Bases      []ProposalBase  `json:"bases"`
	Unplaced   []ProposalEntry `json:"unplaced"` // Program 0
	// Digest identifies the proposal's outcome (proposalDigest): the one
	// ApplyPlacement is given must be the one it computes again.
	Digest string `json:"digest"`
}

// ProposalBase is what one base gets, by program.
type ProposalBase struct {
	BaseID   int64             `json:"base_id"`
	BaseName string            `json:"base_name"`
	Programs []ProposalProgram `json:"programs"`
}

// ProposalProgram is one program with a vacancy: who is placed there, in
// the base's order, and the seats left empty.
type ProposalProgram struct {
	ProgramID     int64           `json:"program_id"`
	SpecialtyCode string          `json:"specialty_code"`
	SpecialtyName string          `json:"specialty_name"`
	Vacancies     int             `json:"vacancies"`
	Placed        []ProposalEntry `json:"placed"`
	Empty         int             `json:"empty"`
}

// ProposalEntry is one pool member: the application, the program proposed
// (0: none) and the preference it was (1 = first; 0: none).
type ProposalEntry struct {
	AppID      int64 `json:"application_id"`
	ProgramID  int64 `json:"program_id"`
	Preference int   `json:"preference"`
}

// ProposePlacement computes the placement proposal of the latest year's
// adjustment pool (recruit.BuildPool, recruit.Place): the pool's ranked
// vacancies, each base's ranking of its candidates (its own order where
// set, else its review order) and the current vacancies as capacities. It
// changes nothing but the audit log, which records that it was computed
// and its totals. Only an enabled province admin may.
func (s *Service) ProposePlacement(ctx context.Context, by recruit.Staff) (Proposal, error) {
	const op = "province.ProposePlacement"
	y, p, _, err := s.latestProposal(ctx, by, "计算调剂方案")
	if err != nil {
		return Proposal{}, recruit.WithOp(op, err)
	}
	summary := map[string]int{"pool": p.Pool, "seats": p.Seats, "placed": p.Placed, "empty": p.Empty, "at_first": p.AtFirst}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionProposePlacement, fmt.Sprintf("year:%d", y.Year), nil, summary, ""); err != nil {
		return Proposal{}, recruit.WithOp(op, err)
	}
	return p, nil
}

// latestProposal checks that by is an enabled province admin (what names
// the action refused otherwise) and computes the latest year's proposal
// (propose).
func (s *Service) latestProposal(ctx context.Context, by recruit.Staff, what string) (recruit.Year, Proposal, recruit.Pool, error) {
	if err := requireProvinceFor(by, what); err != nil {
		return recruit.Year{}, Proposal{}, recruit.Pool{}, err
	}
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.Year{}, Proposal{}, recruit.Pool{}, err
	}
	p, pool, err := s.propose(ctx, y)
	return y, p, pool, err
}

// propose computes the placement proposal of year y's adjustment pool now
// and returns it with the pool it was computed over.
func (s *Service) propose(ctx context.Context, y recruit.Year) (Proposal, recruit.Pool, error) {
	data, err := recruit.LoadPool(ctx, s.store, y)
	if err != nil {
		return Proposal{}, recruit.Pool{}, err
	}
	now := s.now()
	pool := recruit.BuildPool(data)
	placement, err := recruit.Place(pool.Input())
	if err != nil {
		return Proposal{}, recruit.Pool{}, err
	}
	p := proposal(pool, placement)
	p.Year, p.Phase, p.ComputedAt = y.Year, y.Calendar.PhaseAt(now), now
	p.Digest = proposalDigest(p)
	return p, pool, nil
}

// proposalDigest is the hex SHA-256 of what a proposal decides: its year,
// every program with its vacancies and the applications placed there in
// order, and the applications left unplaced. Two computations over the
// same pool, rankings and vacancies give the same digest; any change of
// who goes where, or of a capacity, gives another.
func proposalDigest(p Proposal) string {
	h := sha256.New()
	fmt.Fprintf(h, "year %d\n", p.Year)
	for _, b := range p.Bases {
		for _, pp := range b.Programs {
			fmt.Fprintf(h, "program %d capacity %d:", pp.ProgramID, pp.Vacancies)
			for _, e := range pp.Placed {
				fmt.Fprintf(h, " %d", e.AppID)
			}
			fmt.Fprintln(h)
		}
	}
	fmt.Fprint(h, "unplaced:")
	for _, e := range p.Unplaced {
		fmt.Fprintf(h, " %d", e.AppID)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// proposal lays out a placement of pool by base and program.
func proposal(pool recruit.Pool, pl recruit.Placement) Proposal {
	pref := map[int64]int{}
	for _, m := range pool.Members {
		if got, ok := pl.Assigned[m.App.ID]; ok {
			for k, id := range m.Prefs {
				if id == got {
					pref[m.App.ID] = k + 1
				}
			}
		}
	}
	p := Proposal{Pool: len(pool.Members), Placed: len(pl.Assigned), Bases: []ProposalBase{}, Unplaced: []ProposalEntry{}}
	for _, pp := range pl.Programs {
		prog, _ := pool.Program(pp.ID)
		if n := len(p.Bases); n == 0 || p.Bases[n-1].BaseID != prog.BaseID {
			p.Bases = append(p.Bases, ProposalBase{BaseID: prog.BaseID, BaseName: prog.BaseName})
		}
		out := ProposalProgram{ProgramID: pp.ID, SpecialtyCode: prog.SpecialtyCode, SpecialtyName: prog.SpecialtyName,
			Vacancies: pp.Capacity, Empty: pp.Empty, Placed: make([]ProposalEntry, len(pp.Placed))}
		for i, id := range pp.Placed {
			out.Placed[i] = ProposalEntry{AppID: id, ProgramID: pp.ID, Preference: pref[id]}
			if pref[id] == 1 {
				p.AtFirst++
			}
		}
		b := &p.Bases[len(p.Bases)-1]
		b.Programs = append(b.Programs, out)
		p.Seats += pp.Capacity
		p.Empty += pp.Empty
	}
	for _, id := range pl.Unplaced {
		p.Unplaced = append(p.Unplaced, ProposalEntry{AppID: id})
	}
	return p
}
