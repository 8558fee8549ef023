package recruit

import (
	"maps"
	"slices"
	"testing"
)

var everyState = []State{"", StateDraft, StatePending, StateApproved, StateRejected, StateProvisional, StateAdmitted, StateWithdrawn}

func TestTransition(t *testing.T) {
	allowed := map[[2]State]bool{}
	for _, from := range []State{"", StateDraft, StatePending, StateApproved, StateRejected, StateWithdrawn} {
		allowed[[2]State{from, StatePending}] = true
	}
	for _, to := range []State{StateApproved, StateRejected} {
		allowed[[2]State{StatePending, to}] = true
	}
	allowed[[2]State{StateApproved, StateProvisional}] = true
	allowed[[2]State{StateProvisional, StateAdmitted}] = true
	for _, from := range everyState {
		for _, to := range everyState {
			err := Transition(from, to)
			switch {
			case allowed[[2]State{from, to}]:
				if err != nil {
					t.Errorf("Transition(%q, %q) = %v, want allowed", from, to, err)
				}
			case to == "" || to == StateDraft || to == StateWithdrawn:
				if ErrorCode(err) != EINVALID {
					t.Errorf("Transition(%q, %q) = %v, want EINVALID", from, to, err)
				}
			case ErrorCode(err) != EFORBIDDEN || ErrorMessage(err) == "":
				t.Errorf("Transition(%q, %q) = %v, want EFORBIDDEN with a reason", from, to, err)
			}
		}
	}
}

func TestTransitionReasons(t *testing.T) {
	reasons := map[[2]State]string{
		{StatePending, StateProvisional}:     "该志愿当前为“待审核”，审核通过后方可拟录取",
		{StateProvisional, StateProvisional}: "该志愿当前为“拟录取”，仅能拟录取审核通过的人员",
		{StateRejected, StateApproved}:       "该志愿当前为“审核不通过”，报名人员修改后重新提交方可再次审核",
		{StateApproved, StateRejected}:       "该志愿当前为“审核通过”，不能重复审核，仅能审核待审核的志愿",
		{StateAdmitted, StatePending}:        "该志愿已录取，志愿不可再修改",
		{StateApproved, StateAdmitted}:       "该志愿当前为“审核通过”，仅能对拟录取人员确认录取",
	}
	for move, want := range reasons {
		if got := ErrorMessage(Transition(move[0], move[1])); got != want {
			t.Errorf("Transition(%s, %s) says %q, want %q", move[0], move[1], got, want)
		}
	}
	// The base's own check and the state machine give one reason.
	app := &Application{State: StatePending}
	if a, b := ErrorMessage(BaseMay(PhaseRound1, app, ActionProvisionalAdmit)), ErrorMessage(Transition(StatePending, StateProvisional)); a != b {
		t.Errorf("BaseMay says %q, Transition %q", a, b)
	}
}

func TestReopenedAreTransitions(t *testing.T) {
	for _, s := range Reopened {
		if err := Transition(s, StatePending); err != nil || !s.Active() {
			t.Errorf("reopened state %s: Transition %v, active %v; want allowed and counted", s, err, s.Active())
		}
	}
}

func TestCheckReviewResult(t *testing.T) {
	for _, s := range everyState {
		err := CheckReviewResult(s)
		if ok := s == StateApproved || s == StateRejected; ok != (err == nil) || (!ok && ErrorCode(err) != EINVALID) {
			t.Errorf("CheckReviewResult(%q) = %v", s, err)
		}
	}
}

func TestCheckUndo(t *testing.T) {
	for _, s := range everyState {
		err := CheckUndo(s)
		if ok := s == StateProvisional; ok != (err == nil) || (!ok && ErrorCode(err) != EFORBIDDEN) {
			t.Errorf("CheckUndo(%q) = %v", s, err)
		}
	}
}

func TestStateCounts(t *testing.T) {
	want := map[State]Counts{
		StatePending: {1, 0, 0}, StateApproved: {1, 0, 0}, StateRejected: {1, 0, 0},
		StateProvisional: {1, 1, 0}, StateAdmitted: {1, 1, 1},
	}
	for _, s := range everyState {
		if got := s.Counts(); got != want[s] {
			t.Errorf("%q.Counts() = %+v, want %+v", s, got, want[s])
		}
	}
	if got := (Counts{Registered: 5, Admitted: 2}).Add(StateProvisional, -2); got != (Counts{Registered: 3}) {
		t.Errorf("Add = %+v", got)
	}
}

func TestCountMoves(t *testing.T) {
	type place struct {
		program int64
		state   State
	}
	tests := map[string]struct {
		from, to place
		want     map[int64]Counts
	}{
		"new application":      {place{0, ""}, place{7, StatePending}, map[int64]Counts{7: {Registered: 1}}},
		"another program":      {place{7, StateRejected}, place{8, StatePending}, map[int64]Counts{7: {Registered: -1}, 8: {Registered: 1}}},
		"same program":         {place{7, StateApproved}, place{7, StatePending}, map[int64]Counts{}},
		"admission":            {place{7, StateApproved}, place{7, StateProvisional}, map[int64]Counts{7: {Admitted: 1}}},
		"undo":                 {place{7, StateProvisional}, place{7, StateApproved}, map[int64]Counts{7: {Admitted: -1}}},
		"final admission":      {place{7, StateProvisional}, place{7, StateAdmitted}, map[int64]Counts{7: {Final: 1}}},
		"withdrawn comes back": {place{7, StateWithdrawn}, place{7, StatePending}, map[int64]Counts{7: {Registered: 1}}},
	}
	for name, tt := range tests {
		if got := CountMoves(tt.from.program, tt.from.state, tt.to.program, tt.to.state); !maps.Equal(got, tt.want) {
			t.Errorf("%s: CountMoves = %v, want %v", name, got, tt.want)
		}
	}
}

func TestCountDiffs(t *testing.T) {
	programs := []Program{{ID: 1, Registered: 2}, {ID: 2, Registered: 1, Admitted: 1}, {ID: 3}}
	counted := map[int64]Counts{1: {Registered: 2}, 2: {Registered: 1}, 4: {Registered: 9}}
	want := []CountDiff{{ProgramID: 2, Stored: Counts{1, 1, 0}, Counted: Counts{Registered: 1}}}
	if got := CountDiffs(programs, counted); !slices.Equal(got, want) {
		t.Errorf("CountDiffs = %+v, want %+v", got, want)
	}
}
