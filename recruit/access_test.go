package recruit

import "testing"

func TestStaffMaySee(t *testing.T) {
	const base = 7
	own := Program{ID: 3, BaseID: base}
	seen := map[State]bool{StateDraft: false, StatePending: true, StateApproved: true, StateRejected: true,
		StateProvisional: true, StateAdmitted: true, StateWithdrawn: false}
	for state, want := range seen {
		if got := StaffMaySee(base, Application{ID: 1, State: state, ProgramID: own.ID}, own); got != want {
			t.Errorf("%s application of the base's program: %v, want %v", state, got, want)
		}
	}
	pending := Application{ID: 1, State: StatePending, ProgramID: own.ID}
	for what, prog := range map[string]Program{"another base's program": {ID: 3, BaseID: base + 1},
		"a program not chosen": {ID: 4, BaseID: base}} {
		if StaffMaySee(base, pending, prog) {
			t.Errorf("pending application, %s: seen", what)
		}
	}
}

func TestUploadKind(t *testing.T) {
	for kind, want := range map[string]bool{"photo": true, "qual_scan": true, "practising_scan": true,
		"degree_scan": true, "form": false, "": false, "Photo": false} {
		if got := UploadKind(kind); got != want {
			t.Errorf("UploadKind(%q) = %v, want %v", kind, got, want)
		}
	}
}
