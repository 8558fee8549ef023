package recruit

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// instance is the view of a placement input the checks use: each
// applicant's acceptable prefs and each program's ranks and capacity.
type instance struct {
	in    PlacementInput
	prefs map[int64][]int64       // applicant → programs they list that exist, deduplicated
	rank  map[int64]map[int64]int // program → applicant → rank
	cap   map[int64]int           // program → capacity
	pos   map[int64]map[int64]int // applicant → program → position in prefs
}

func newInstance(in PlacementInput) instance {
	x := instance{in: in, prefs: map[int64][]int64{}, rank: map[int64]map[int64]int{}, cap: map[int64]int{}, pos: map[int64]map[int64]int{}}
	for _, p := range in.Programs {
		x.cap[p.ID] = p.Capacity
		x.rank[p.ID] = map[int64]int{}
		for r, a := range p.Ranking {
			x.rank[p.ID][a] = r
		}
	}
	for _, a := range in.Applicants {
		x.pos[a.ID] = map[int64]int{}
		for _, p := range a.Prefs {
			if _, ok := x.cap[p]; !ok {
				continue
			}
			if _, dup := x.pos[a.ID][p]; dup {
				continue
			}
			x.pos[a.ID][p] = len(x.prefs[a.ID])
			x.prefs[a.ID] = append(x.prefs[a.ID], p)
		}
	}
	return x
}

// position is how an applicant ranks what they got: the index of the
// program in their prefs, len(prefs) when unplaced.
func (x instance) position(a int64, m map[int64]int64) int {
	if p, ok := m[a]; ok {
		return x.pos[a][p]
	}
	return len(x.prefs[a])
}

// problem returns what makes matching m invalid or unstable for x, "" when
// it is a stable matching: an applicant placed at a program they do not
// list or that does not rank them, a program over capacity, or a blocking
// pair (an applicant and a program that both prefer each other to what
// they have).
func (x instance) problem(m map[int64]int64) string {
	held := map[int64][]int64{}
	for a, p := range m {
		if _, ok := x.pos[a][p]; !ok {
			return fmt.Sprintf("applicant %d placed at %d, which they do not list", a, p)
		}
		if _, ok := x.rank[p][a]; !ok {
			return fmt.Sprintf("applicant %d placed at %d, which does not rank them", a, p)
		}
		held[p] = append(held[p], a)
	}
	worst := map[int64]int{}
	for p, as := range held {
		if len(as) > x.cap[p] {
			return fmt.Sprintf("program %d holds %d > capacity %d", p, len(as), x.cap[p])
		}
		for _, a := range as {
			worst[p] = max(worst[p], x.rank[p][a])
		}
	}
	for _, ap := range x.in.Applicants {
		a := ap.ID
		got := x.position(a, m)
		for _, p := range x.prefs[a][:got] {
			r, ok := x.rank[p][a]
			if !ok {
				continue
			}
			if len(held[p]) < x.cap[p] || r < worst[p] {
				return fmt.Sprintf("blocking pair: applicant %d (has position %d) and program %d (rank %d, holds %d of %d)", a, got, p, r, len(held[p]), x.cap[p])
			}
		}
	}
	return ""
}

// stableMatchings enumerates every matching of a small instance and keeps
// the stable ones.
func (x instance) stableMatchings() []map[int64]int64 {
	var out []map[int64]int64
	m := map[int64]int64{}
	used := map[int64]int{}
	var walk func(k int)
	walk = func(k int) {
		if k == len(x.in.Applicants) {
			if x.problem(m) == "" {
				c := make(map[int64]int64, len(m))
				for a, p := range m {
					c[a] = p
				}
				out = append(out, c)
			}
			return
		}
		a := x.in.Applicants[k].ID
		walk(k + 1) // unplaced
		for _, p := range x.prefs[a] {
			if _, ok := x.rank[p][a]; !ok || used[p] >= x.cap[p] {
				continue
			}
			m[a] = p
			used[p]++
			walk(k + 1)
			used[p]--
			delete(m, a)
		}
	}
	walk(0)
	return out
}

// randomInstance draws n applicants ranking 1–maxPrefs of m programs (a
// few popular ones more often, now and then a program twice or one that
// does not exist), each program ranking most of those who list it in a
// random order, plus a stranger or two, with capacities 0–maxCap.
func randomInstance(r *rand.Rand, n, m, maxPrefs, maxCap int) PlacementInput {
	var in PlacementInput
	listers := make([][]int64, m)
	for i := range n {
		a := PlacementApplicant{ID: int64(1000 + i)}
		for range 1 + r.IntN(maxPrefs) {
			j := r.IntN(m)
			if r.IntN(3) == 0 {
				j = r.IntN(max(1, m/10)) // popular programs
			}
			if r.IntN(50) == 0 {
				a.Prefs = append(a.Prefs, int64(-1-j)) // no such program
				continue
			}
			a.Prefs = append(a.Prefs, int64(j+1))
			listers[j] = append(listers[j], a.ID)
		}
		in.Applicants = append(in.Applicants, a)
	}
	for j := range m {
		p := PlacementProgram{ID: int64(j + 1), Capacity: r.IntN(maxCap + 1)}
		seen := map[int64]bool{}
		for _, k := range r.Perm(len(listers[j])) {
			a := listers[j][k]
			if seen[a] || r.IntN(8) == 0 {
				continue // not acceptable
			}
			seen[a] = true
			p.Ranking = append(p.Ranking, a)
		}
		if r.IntN(4) == 0 {
			p.Ranking = append(p.Ranking, int64(1000+n+j)) // not in the pool
		}
		in.Programs = append(in.Programs, p)
	}
	return in
}

// checkResult fails t unless out is a consistent, stable placement of in.
func checkResult(t *testing.T, in PlacementInput, out Placement) {
	t.Helper()
	x := newInstance(in)
	if p := x.problem(out.Assigned); p != "" {
		t.Fatalf("unstable or invalid placement: %s", p)
	}
	placed := 0
	for j, pp := range out.Programs {
		if pp.ID != in.Programs[j].ID || pp.Capacity != in.Programs[j].Capacity || pp.Empty != pp.Capacity-len(pp.Placed) {
			t.Fatalf("program %d summary %+v does not match input %+v", j, pp, in.Programs[j])
		}
		last := -1
		for _, a := range pp.Placed {
			if out.Assigned[a] != pp.ID || x.rank[pp.ID][a] <= last {
				t.Fatalf("program %d lists %v: not its placed applicants in its order", pp.ID, pp.Placed)
			}
			last = x.rank[pp.ID][a]
		}
		placed += len(pp.Placed)
	}
	if placed != len(out.Assigned) || placed+len(out.Unplaced) != len(in.Applicants) {
		t.Fatalf("%d placed in programs, %d assigned, %d unplaced of %d applicants", placed, len(out.Assigned), len(out.Unplaced), len(in.Applicants))
	}
	for _, a := range out.Unplaced {
		if _, ok := out.Assigned[a]; ok {
			t.Fatalf("applicant %d is both placed and unplaced", a)
		}
	}
}

func TestPlaceTextbook(t *testing.T) {
	// Two programs of one seat; both applicants prefer program 1, which
	// prefers applicant 2: applicant 2 gets 1, applicant 1 gets 2. Program
	// 3 has two seats and nobody wants it.
	in := PlacementInput{
		Applicants: []PlacementApplicant{{ID: 1, Prefs: []int64{1, 2}}, {ID: 2, Prefs: []int64{1, 2}}, {ID: 3, Prefs: []int64{1}}},
		Programs: []PlacementProgram{
			{ID: 1, Capacity: 1, Ranking: []int64{2, 1, 3}},
			{ID: 2, Capacity: 1, Ranking: []int64{1, 2}},
			{ID: 3, Capacity: 2},
		},
	}
	out, err := Place(in)
	if err != nil {
		t.Fatal(err)
	}
	want := Placement{
		Assigned: map[int64]int64{1: 2, 2: 1},
		Unplaced: []int64{3},
		Programs: []ProgramPlacement{{ID: 1, Capacity: 1, Placed: []int64{2}}, {ID: 2, Capacity: 1, Placed: []int64{1}}, {ID: 3, Capacity: 2, Placed: []int64{}, Empty: 2}},
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("Place = %+v, want %+v", out, want)
	}
	if got := out.String(); got != "2 placed, 1 unplaced, 2 seats empty" {
		t.Errorf("String = %q", got)
	}
}

func TestPlaceRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		in   PlacementInput
		want string
	}{
		{"duplicate applicant", PlacementInput{Applicants: []PlacementApplicant{{ID: 1}, {ID: 1}}}, "调剂人员（报名编号 1）重复"},
		{"duplicate program", PlacementInput{Programs: []PlacementProgram{{ID: 7}, {ID: 7}}}, "招收计划（编号 7）重复"},
		{"negative capacity", PlacementInput{Programs: []PlacementProgram{{ID: 7, Capacity: -1}}}, "招收计划（编号 7）的缺额不能为负数"},
		{"ranking twice", PlacementInput{Programs: []PlacementProgram{{ID: 7, Capacity: 1, Ranking: []int64{3, 3}}}}, "招收计划（编号 7）的排序中调剂人员（报名编号 3）重复"},
	} {
		_, err := Place(c.in)
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != c.want {
			t.Errorf("%s: error %v, want EINVALID %q", c.name, err, c.want)
		}
	}
}

// On random instances up to 5,000 applicants × 400 programs the placement
// never exceeds a capacity, places nobody where they are not wanted and
// has no blocking pair.
func TestPlaceIsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 1))
	sizes := [][4]int{{1, 1, 1, 1}, {10, 3, 3, 2}, {50, 20, 3, 3}, {300, 40, 3, 5}, {2000, 150, 3, 10}, {5000, 400, 3, 12}, {5000, 400, 3, 2}}
	for _, sz := range sizes {
		for rep := range 4 {
			in := randomInstance(r, sz[0], sz[1], sz[2], sz[3])
			out, err := Place(in)
			if err != nil {
				t.Fatalf("%v #%d: %v", sz, rep, err)
			}
			checkResult(t, in, out)
		}
	}
}

// On small instances the placement is one of the stable matchings found by
// enumerating them all, and no applicant does better in any other.
func TestPlaceIsApplicantOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2))
	compared := 0
	for rep := range 400 {
		in := randomInstance(r, 2+r.IntN(6), 1+r.IntN(4), 3, 2)
		out, err := Place(in)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, in, out)
		x := newInstance(in)
		stable := x.stableMatchings()
		found := false
		for _, m := range stable {
			found = found || reflect.DeepEqual(m, out.Assigned)
			for _, a := range in.Applicants {
				if x.position(a.ID, m) < x.position(a.ID, out.Assigned) {
					t.Fatalf("#%d: applicant %d does better in stable matching %v than in %v (input %+v)", rep, a.ID, m, out.Assigned, in)
				}
			}
		}
		if !found {
			t.Fatalf("#%d: placement %v is not among the %d stable matchings %v", rep, out.Assigned, len(stable), stable)
		}
		compared += len(stable)
	}
	if compared < 400 {
		t.Errorf("only %d stable matchings compared", compared)
	}
}

func BenchmarkPlace(b *testing.B) {
	in := randomInstance(rand.New(rand.NewPCG(11, 3)), 10000, 400, 3, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Place(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSeatMoves(t *testing.T) {
	for _, c := range []struct {
		name             string
		fromProg, toProg int64
		from, to         State
		seat             bool
		rest             map[int64]Counts
	}{
		{"admission in the program", 1, 1, StateApproved, StateProvisional, true, map[int64]Counts{}},
		{"placement elsewhere", 1, 2, StatePending, StateProvisional, true, map[int64]Counts{1: {Registered: -1}, 2: {Registered: 1}}},
		{"undo", 1, 1, StateProvisional, StateApproved, false, map[int64]Counts{1: {Admitted: -1}}},
		{"admission confirmed", 1, 1, StateProvisional, StateAdmitted, false, map[int64]Counts{1: {Final: 1}}},
	} {
		seat, rest := SeatMoves(c.fromProg, c.from, c.toProg, c.to)
		if seat != c.seat || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("%s: seat %v, rest %v; want %v, %v", c.name, seat, rest, c.seat, c.rest)
		}
	}
}

func TestPlaceMove(t *testing.T) {
	cal := DefaultCalendar(2025)
	now := time.Date(2025, time.August, 12, 9, 0, 0, 0, Shanghai)
	deadline := now.Add(72 * time.Hour)
	member := Application{ID: 1, Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateRejected, Version: 3, ReviewRemark: "材料不全",
		SubmittedAt: now.Add(-30 * 24 * time.Hour), OfferState: OfferDeclined}

	got, err := PlaceMove(cal, 9, deadline)(member, now)
	if err != nil {
		t.Fatal(err)
	}
	want := member
	want.ProgramID, want.Version, want.ReviewRemark = 9, 4, ""
	want.State, want.StateAt, want.UpdatedAt = StateProvisional, now, now
	want.OfferState, want.OfferDeadline = OfferOpen, deadline
	if got != want {
		t.Errorf("placed elsewhere = %+v, want %+v", got, want)
	}

	got, err = PlaceMove(cal, 7, time.Time{})(member, now)
	if err != nil || got.ProgramID != 7 || got.Version != 3 || got.ReviewRemark != "材料不全" || got.OfferState != OfferNone || !got.OfferDeadline.IsZero() {
		t.Errorf("placed in its program without an offer = %+v, %v", got, err)
	}

	left := Errorf(ECONFLICT, MsgLeftPool)
	for name, app := range map[string]Application{
		"holding a seat":             {Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateProvisional},
		"not accepting adjustment":   {Year: 2025, ProgramID: 7, State: StatePending, SubmittedAt: member.SubmittedAt},
		"withdrawn (not registered)": {Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateDraft},
	} {
		if _, err := PlaceMove(cal, 9, deadline)(app, now); !errors.Is(err, left) {
			t.Errorf("%s: %v, want %v", name, err, left)
		}
	}
	// New in adjustment without accepting it: in the pool.
	fresh := Application{Year: 2025, ProgramID: 7, State: StatePending, SubmittedAt: cal.Adjustment.Add(time.Hour)}
	if _, err := PlaceMove(cal, 9, deadline)(fresh, now); err != nil {
		t.Errorf("an application new in adjustment: %v", err)
	}
}
