package recruit

import "testing"

func TestStaffMaySee(t *testing.T) {
	const base = 7
	prog := Program{ID: 3, BaseID: base}
	for _, tc := range []struct {
		state State
		prog  Program
		ok    bool
	}{
		{StatePending, prog, true},
		{StateApproved, prog, true},
		{StateRejected, prog, true},
		{StateProvisional, prog, true},
		{StateAdmitted, prog, true},
		{StateDraft, prog, false},
		{StateWithdrawn, prog, false},
		{StatePending, Program{ID: 3, BaseID: base + 1}, false}, // another base's program
		{StatePending, Program{ID: 4, BaseID: base}, false},     // not the chosen program
	} {
		app := Application{ID: 1, State: tc.state, ProgramID: 3}
		if got := StaffMaySee(base, app, tc.prog); got != tc.ok {
			t.Errorf("%s application, program %+v: %v, want %v", tc.state, tc.prog, got, tc.ok)
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
