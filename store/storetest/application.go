package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// wantApp fails the test unless got has the given program, state and version.
func wantApp(t *testing.T, what string, got recruit.Application, program int64, state recruit.State, version int) {
	t.Helper()
	if got.ProgramID != program || got.State != state || got.Version != version {
		t.Errorf("%s = program %d, %s, version %d; want program %d, %s, version %d",
			what, got.ProgramID, got.State, got.Version, program, state, version)
	}
}

// submitApproved submits a choice of program for each identity and approves it.
func submitApproved(t *testing.T, s recruit.Store, ids []int64, program int64) []recruit.Application {
	t.Helper()
	ctx := context.Background()
	apps := make([]recruit.Application, len(ids))
	for i, id := range ids {
		a, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: program}, t0, nil)
		must(t, "SubmitChoice", err)
		apps[i], err = s.Review(ctx, a.ID, recruit.StateApproved, "", t0, nil)
		must(t, "Review", err)
	}
	return apps
}

func testSubmitChoice(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	next := importRows(t, s, 2026, planRows)
	a, b := ps["山东省立医院/0100"].ID, ps["齐鲁医院/0100"].ID
	id := newIdentities(t, s, "submit", 1)[0]

	_, err := s.GetApplication(ctx, 2025, id)
	wantErr(t, "GetApplication before submitting", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotApplied))

	first, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: a, AcceptsAdjustment: true}, t0, nil)
	must(t, "SubmitChoice", err)
	wantApp(t, "first submission", first, a, recruit.StatePending, 1)
	if first.ID <= 0 || first.Year != 2025 || first.IdentityID != id || !first.AcceptsAdjustment {
		t.Errorf("first submission = %+v", first)
	}
	sameTime(t, "SubmittedAt", first.SubmittedAt, t0)
	sameTime(t, "UpdatedAt", first.UpdatedAt, t0)
	wantCounts(t, s, a, 1, 0)
	got, err := s.GetApplication(ctx, 2025, id)
	must(t, "GetApplication", err)
	wantApp(t, "GetApplication", got, a, recruit.StatePending, 1)
	if got.ID != first.ID || got.IdentityID != id || !got.AcceptsAdjustment {
		t.Errorf("GetApplication = %+v, want %+v", got, first)
	}

	t1 := t0.Add(time.Hour)
	changed, err := s.SubmitChoice(ctx, id, 2025, 1, recruit.Choice{ProgramID: b}, t1, nil)
	must(t, "SubmitChoice change", err)
	wantApp(t, "changed choice", changed, b, recruit.StatePending, 2)
	if changed.ID != first.ID || changed.AcceptsAdjustment {
		t.Errorf("changed choice = %+v, want the same application without adjustment", changed)
	}
	sameTime(t, "SubmittedAt after a change", changed.SubmittedAt, t0)
	sameTime(t, "UpdatedAt after a change", changed.UpdatedAt, t1)
	wantCounts(t, s, a, 0, 0)
	wantCounts(t, s, b, 1, 0)

	same, err := s.SubmitChoice(ctx, id, 2025, 2, recruit.Choice{ProgramID: b}, t1.Add(time.Minute), nil)
	must(t, "SubmitChoice same choice", err)
	wantApp(t, "same choice again", same, b, recruit.StatePending, 3)
	wantCounts(t, s, a, 0, 0)
	wantCounts(t, s, b, 1, 0)

	_, err = s.SubmitChoice(ctx, id, 2025, 3, recruit.Choice{ProgramID: b + a + 1000}, t1, nil)
	wantErr(t, "SubmitChoice of a missing program", err, recruit.ErrNoPlanInYear(2025))
	_, err = s.SubmitChoice(ctx, id, 2025, 3, recruit.Choice{ProgramID: next["齐鲁医院/0100"].ID}, t1, nil)
	wantErr(t, "SubmitChoice of another year's program", err, recruit.ErrNoPlanInYear(2025))
	got, err = s.GetApplication(ctx, 2025, id)
	must(t, "GetApplication", err)
	wantApp(t, "after failed submissions", got, b, recruit.StatePending, 3)

	listed, err := s.ListApplications(ctx, b)
	must(t, "ListApplications", err)
	if len(listed) != 1 || listed[0].ID != first.ID || listed[0].Version != 3 {
		t.Errorf("ListApplications(b) = %+v", listed)
	}
	listed, err = s.ListApplications(ctx, a)
	must(t, "ListApplications", err)
	if len(listed) != 0 {
		t.Errorf("ListApplications(a) = %+v, want none", listed)
	}

	// The same person registers separately in the next year.
	nextApp, err := s.SubmitChoice(ctx, id, 2026, 0, recruit.Choice{ProgramID: next["齐鲁医院/0100"].ID}, t1, nil)
	must(t, "SubmitChoice next year", err)
	if nextApp.ID == first.ID || nextApp.Version != 1 || nextApp.Year != 2026 {
		t.Errorf("next year's application = %+v", nextApp)
	}
	wantCounts(t, s, b, 1, 0)
}

func testReview(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a, b := ps["山东省立医院/0100"].ID, ps["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "review", 2)
	first, err := s.SubmitChoice(ctx, ids[0], 2025, 0, recruit.Choice{ProgramID: a}, t0, nil)
	must(t, "SubmitChoice", err)
	second, err := s.SubmitChoice(ctx, ids[1], 2025, 0, recruit.Choice{ProgramID: a}, t0, nil)
	must(t, "SubmitChoice", err)

	_, err = s.Review(ctx, first.ID, recruit.StateAdmitted, "", t0, nil)
	wantErr(t, "Review to a state that is not a review result", err, recruit.CheckReviewResult(recruit.StateAdmitted))
	_, err = s.Review(ctx, first.ID+second.ID+100, recruit.StateApproved, "", t0, nil)
	wantErr(t, "Review of a missing application", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication))

	t1 := t0.Add(time.Hour)
	ok, err := s.Review(ctx, first.ID, recruit.StateApproved, "材料齐全", t1, nil)
	must(t, "Review approve", err)
	wantApp(t, "approved", ok, a, recruit.StateApproved, 1)
	if ok.ReviewRemark != "材料齐全" {
		t.Errorf("remark = %q", ok.ReviewRemark)
	}
	sameTime(t, "UpdatedAt after review", ok.UpdatedAt, t1)
	sameTime(t, "SubmittedAt after review", ok.SubmittedAt, t0)

	_, err = s.Review(ctx, first.ID, recruit.StateRejected, "", t1, nil)
	wantErr(t, "Review of a reviewed application", err, recruit.Transition(recruit.StateApproved, recruit.StateRejected))

	no, err := s.Review(ctx, second.ID, recruit.StateRejected, "照片不合格", t1, nil)
	must(t, "Review reject", err)
	wantApp(t, "rejected", no, a, recruit.StateRejected, 1)
	wantCounts(t, s, a, 2, 0)
	got, err := s.GetApplication(ctx, 2025, ids[1])
	must(t, "GetApplication", err)
	if got.State != recruit.StateRejected || got.ReviewRemark != "照片不合格" {
		t.Errorf("stored rejection = %+v", got)
	}

	// A rejected applicant changes the choice: pending again, remark cleared.
	again, err := s.SubmitChoice(ctx, ids[1], 2025, 1, recruit.Choice{ProgramID: b}, t1, nil)
	must(t, "SubmitChoice after rejection", err)
	wantApp(t, "resubmitted", again, b, recruit.StatePending, 2)
	if again.ReviewRemark != "" {
		t.Errorf("remark after resubmission = %q, want empty", again.ReviewRemark)
	}
	wantCounts(t, s, a, 1, 0)
	wantCounts(t, s, b, 1, 0)
	_, err = s.Review(ctx, again.ID, recruit.StateApproved, "", t1, nil)
	must(t, "Review of the resubmission", err)
}

func testProvisionallyAdmit(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	rows := append(plan([]string{"齐鲁医院"}, []string{"0100"}, 1), plan([]string{"齐鲁医院"}, []string{"0200"}, 2)...)
	ps := importRows(t, s, 2025, rows)
	one, two := ps["齐鲁医院/0100"].ID, ps["齐鲁医院/0200"].ID
	ids := newIdentities(t, s, "admit", 3)
	apps := submitApproved(t, s, ids[:2], one)
	pending, err := s.SubmitChoice(ctx, ids[2], 2025, 0, recruit.Choice{ProgramID: one}, t0, nil)
	must(t, "SubmitChoice", err)

	_, err = s.ProvisionallyAdmit(ctx, pending.ID, t0, nil)
	wantErr(t, "ProvisionallyAdmit of a pending application", err, recruit.Transition(recruit.StatePending, recruit.StateProvisional))
	wantCounts(t, s, one, 3, 0)
	_, err = s.ProvisionallyAdmit(ctx, pending.ID+1000, t0, nil)
	wantErr(t, "ProvisionallyAdmit of a missing application", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication))

	t1 := t0.Add(time.Hour)
	admitted, err := s.ProvisionallyAdmit(ctx, apps[0].ID, t1, nil)
	must(t, "ProvisionallyAdmit", err)
	wantApp(t, "provisionally admitted", admitted, one, recruit.StateProvisional, 1)
	sameTime(t, "UpdatedAt after admission", admitted.UpdatedAt, t1)
	wantCounts(t, s, one, 3, 1)

	_, err = s.ProvisionallyAdmit(ctx, apps[0].ID, t1, nil)
	wantErr(t, "ProvisionallyAdmit twice", err, recruit.Transition(recruit.StateProvisional, recruit.StateProvisional))
	_, err = s.ProvisionallyAdmit(ctx, apps[1].ID, t1, nil)
	wantErr(t, "ProvisionallyAdmit into a full program", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
	got, err := s.GetApplication(ctx, 2025, ids[1])
	must(t, "GetApplication", err)
	wantApp(t, "refused admission", got, one, recruit.StateApproved, 1)
	wantCounts(t, s, one, 3, 1)

	// The choice of a provisionally admitted application cannot change:
	// the store refuses it whatever the caller checked, and the seat stays.
	_, err = s.SubmitChoice(ctx, ids[0], 2025, 1, recruit.Choice{ProgramID: two}, t1, nil)
	wantErr(t, "SubmitChoice of a provisionally admitted application", err, recruit.Transition(recruit.StateProvisional, recruit.StatePending))
	got, err = s.GetApplication(ctx, 2025, ids[0])
	must(t, "GetApplication", err)
	wantApp(t, "still admitted", got, one, recruit.StateProvisional, 1)
	wantCounts(t, s, one, 3, 1)
	wantCounts(t, s, two, 0, 0)
	wantCountersMatchRecount(t, s, 2025)
}

func testRecount(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100", "0200", "0300"}, 5))
	p1, p2 := ps["齐鲁医院/0100"].ID, ps["齐鲁医院/0200"].ID
	ids := newIdentities(t, s, "recount", 5)
	for _, id := range ids[:3] {
		_, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p1}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	apps := submitApproved(t, s, ids[3:], p2)
	_, err := s.ProvisionallyAdmit(ctx, apps[0].ID, t0, nil)
	must(t, "ProvisionallyAdmit", err)

	want := map[int64]recruit.Counts{p1: {Registered: 3}, p2: {Registered: 2, Admitted: 1}}
	got, err := s.Recount(ctx, 2025)
	must(t, "Recount", err)
	if !maps.Equal(got, want) {
		t.Errorf("Recount = %v, want %v", got, want)
	}
	wantCountersMatchRecount(t, s, 2025)
	empty, err := s.Recount(ctx, 2024)
	must(t, "Recount of an empty year", err)
	if len(empty) != 0 {
		t.Errorf("Recount(2024) = %v, want empty", empty)
	}
}

func testReopen(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a := ps["山东省立医院/0100"].ID
	ids := newIdentities(t, s, "reopen", 5)
	apps := make([]recruit.Application, len(ids))
	for i, id := range ids {
		var err error
		apps[i], err = s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: a}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	_, err := s.Review(ctx, apps[0].ID, recruit.StateApproved, "", t0, nil)
	must(t, "approve", err)
	_, err = s.Review(ctx, apps[1].ID, recruit.StateRejected, "", t0, nil)
	must(t, "reject", err)
	_, err = s.Review(ctx, apps[2].ID, recruit.StateApproved, "", t0, nil)
	must(t, "approve", err)
	_, err = s.ProvisionallyAdmit(ctx, apps[2].ID, t0, nil)
	must(t, "admit", err)
	// apps[3] stays pending.

	// apps[3] stays pending; apps[4] is approved after the phase began.
	begun, t1 := t0.Add(time.Hour), t0.Add(24*time.Hour)
	_, err = s.Review(ctx, apps[4].ID, recruit.StateApproved, "", begun.Add(time.Minute), nil)
	must(t, "approve after the phase began", err)

	// The notice of apps[0] is queued already, as after a run cut short.
	msgID := func(app recruit.Application) string { return fmt.Sprintf("round2:2025:%d", app.IdentityID) }
	_, err = s.AddNotification(ctx, recruit.Notification{IdentityID: ids[0], Kind: recruit.KindRoundOpened, Key: msgID(apps[0]), Title: "二志愿", CreatedAt: t0})
	must(t, "AddNotification", err)
	var seen []recruit.Application
	note := func(app recruit.Application) *recruit.Notification {
		seen = append(seen, app)
		if app.ID == apps[1].ID {
			return nil // no notice for this one
		}
		return &recruit.Notification{IdentityID: app.IdentityID, Kind: recruit.KindRoundOpened, Key: msgID(app), Title: "二志愿", CreatedAt: t1}
	}
	n, err := s.ReopenApplications(ctx, 2025, begun, t1, note)
	must(t, "ReopenApplications", err)
	if n != 2 {
		t.Errorf("reopened %d applications, want 2 (one approved, one rejected before the phase began)", n)
	}
	if len(seen) != 2 {
		t.Errorf("note called for %d applications, want 2", len(seen))
	}
	for _, app := range seen {
		if app.State != recruit.StatePending || !app.StateAt.Equal(t1) {
			t.Errorf("note saw %s set at %v, want pending set at %v", app.State, app.StateAt, t1)
		}
	}
	want := []recruit.State{recruit.StatePending, recruit.StatePending, recruit.StateProvisional, recruit.StatePending, recruit.StateApproved}
	for i, id := range ids {
		got, err := s.GetApplication(ctx, 2025, id)
		must(t, "GetApplication", err)
		if got.State != want[i] || got.ProgramID != a {
			t.Errorf("application %d after reopening: state %s program %d, want %s program %d", i, got.State, got.ProgramID, want[i], a)
		}
	}
	for i, wantNotes := range []int{1, 0, 0, 0, 0} {
		ns, err := s.ListNotifications(ctx, ids[i])
		must(t, "ListNotifications", err)
		if len(ns) != wantNotes {
			t.Errorf("applicant %d has %d notifications, want %d", i, len(ns), wantNotes)
		}
	}
	wantCounts(t, s, a, 5, 1)
	// Run again: nothing was set before the phase began any more.
	if n, err := s.ReopenApplications(ctx, 2025, begun, t1.Add(time.Hour), note); err != nil || n != 0 {
		t.Errorf("reopening again: %d, %v; want 0", n, err)
	}
	if n, err := s.ReopenApplications(ctx, 2024, t1, t1, nil); err != nil || n != 0 {
		t.Errorf("reopening another year: %d, %v", n, err)
	}
}

func testChoiceLog(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a := ps["山东省立医院/0100"].ID
	id := newIdentities(t, s, "choicelog", 1)[0]
	var seen recruit.Application
	app, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: a, AcceptsAdjustment: true}, t0, choiceLog(id, "", &seen))
	must(t, "SubmitChoice with a log", err)
	if seen != app || seen.Version != 1 || seen.ProgramID != a || seen.State != recruit.StatePending {
		t.Errorf("log saw %+v, want the stored application %+v", seen, app)
	}
	hist, err := s.History(ctx, id)
	must(t, "History", err)
	if len(hist) != 1 || hist[0].Summary != "v1" || hist[0].Kind != "choice" {
		t.Errorf("history = %+v, want one choice entry v1", hist)
	}
	ns, err := s.ListNotifications(ctx, id)
	must(t, "ListNotifications", err)
	if len(ns) != 1 || ns[0].Key != fmt.Sprintf("reg-%d-v1", app.ID) || ns[0].State != "queued" {
		t.Errorf("notifications = %+v, want one queued reg-%d-v1", ns, app.ID)
	}
	// Nothing is left for a relay: the entries were delivered with the choice.
	n, err := s.Relay(ctx)
	if err != nil || n != 0 {
		t.Errorf("Relay after SubmitChoice = %d, %v; want 0", n, err)
	}
}

// A choice by an identity that does not exist is refused and counts nothing.
func testSubmitChoiceUnbound(t *testing.T, s recruit.Store) {
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	_, err := s.SubmitChoice(context.Background(), 4242, 2025, 0, recruit.Choice{ProgramID: p}, t0, nil)
	wantErr(t, "SubmitChoice by a missing identity", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotBound))
	wantCounts(t, s, p, 0, 0)
	wantCountersMatchRecount(t, s, 2025)
}

// Recount only counts: counters a crash left wrong stay wrong until
// RepairCounts sets them, reporting what it changed once.
func testRecountIsPure(t *testing.T, s recruit.Store, skew func(t *testing.T, s recruit.Store, programID int64, d recruit.Counts)) {
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 2))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "repair", 2)
	a := submitApproved(t, s, ids[:1], p)[0]
	// As if a crash had left a seat taken with no application moved.
	skew(t, s, p, recruit.Counts{Registered: 1, Admitted: 1})
	for range 2 {
		got, err := s.Recount(ctx, 2025)
		must(t, "Recount", err)
		if want := map[int64]recruit.Counts{p: {Registered: 1}}; !maps.Equal(got, want) {
			t.Errorf("Recount = %v, want %v", got, want)
		}
		wantCounts(t, s, p, 2, 1)
	}
	diffs, err := s.RepairCounts(ctx, 2025)
	must(t, "RepairCounts", err)
	want := []recruit.CountDiff{{ProgramID: p, Stored: recruit.Counts{Registered: 2, Admitted: 1}, Counted: recruit.Counts{Registered: 1}}}
	if !slices.Equal(diffs, want) {
		t.Errorf("RepairCounts = %+v, want %+v", diffs, want)
	}
	wantCounts(t, s, p, 1, 0)
	if diffs, err := s.RepairCounts(ctx, 2025); err != nil || len(diffs) != 0 {
		t.Errorf("RepairCounts again = %+v, %v; want nothing to repair", diffs, err)
	}
	// Both seats are usable again.
	b := submitApproved(t, s, ids[1:], p)[0]
	for _, app := range []recruit.Application{a, b} {
		_, err := s.ProvisionallyAdmit(ctx, app.ID, t0, nil)
		must(t, "ProvisionallyAdmit after the repair", err)
	}
	wantCountersMatchRecount(t, s, 2025)
}

// choiceLog returns a log recording a choice entry and a notification with
// the given message id ("" for one named by the application and version).
func choiceLog(id int64, msgID string, seen *recruit.Application) recruit.ChoiceLog {
	return func(app recruit.Application) (recruit.Revision, recruit.Notification, error) {
		if seen != nil {
			*seen = app
		}
		m := msgID
		if m == "" {
			m = fmt.Sprintf("reg-%d-v%d", app.ID, app.Version)
		}
		return recruit.Revision{IdentityID: id, Kind: "choice", Summary: fmt.Sprintf("v%d", app.Version), Snapshot: "{}", By: "本人", At: t0},
			recruit.Notification{IdentityID: id, Kind: recruit.KindRegistered, Key: m, Title: "报名成功", NextAt: t0, CreatedAt: t0},
			nil
	}
}

// wantUnchanged fails the test unless the identity's application, the
// counters of programs, its history and its notifications are as before.
func wantUnchanged(t *testing.T, s recruit.Store, what string, id int64, before recruit.Application, programs map[int64]recruit.Counts, history, notes int) {
	t.Helper()
	ctx := context.Background()
	got, err := s.GetApplication(ctx, 2025, id)
	must(t, "GetApplication", err)
	if got != before {
		t.Errorf("%s: application %+v, want %+v", what, got, before)
	}
	for p, c := range programs {
		wantCounts(t, s, p, c.Registered, c.Admitted)
	}
	hist, err := s.History(ctx, id)
	must(t, "History", err)
	ns, err := s.ListNotifications(ctx, id)
	must(t, "ListNotifications", err)
	if len(hist) != history || len(ns) != notes {
		t.Errorf("%s: %d history entries and %d notifications, want %d and %d", what, len(hist), len(ns), history, notes)
	}
}

// A choice whose log fails, or whose notification collides with a queued
// one, records nothing: not the change, its counters, its history entry or
// its notification.
func testChoiceLogRefused(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a, b := ps["山东省立医院/0100"].ID, ps["齐鲁医院/0100"].ID
	boom := recruit.Errorf(recruit.EINVALID, "log failed")
	failing := func(recruit.Application) (recruit.Revision, recruit.Notification, error) {
		return recruit.Revision{}, recruit.Notification{}, boom
	}
	ids := newIdentities(t, s, "refused", 3)
	cases := []struct {
		name        string
		first, then recruit.ChoiceLog
		want        error
	}{
		{"a failing log", choiceLog(ids[0], "", nil), failing, boom},
		{"a colliding notification", choiceLog(ids[1], "same", nil), choiceLog(ids[1], "same", nil), recruit.Errorf(recruit.ECONFLICT, recruit.MsgQueued)},
	}
	for i, c := range cases {
		first, err := s.SubmitChoice(ctx, ids[i], 2025, 0, recruit.Choice{ProgramID: a}, t0, c.first)
		must(t, "SubmitChoice", err)
		_, err = s.SubmitChoice(ctx, ids[i], 2025, first.Version, recruit.Choice{ProgramID: b}, t0.Add(time.Hour), c.then)
		wantErr(t, "a choice with "+c.name, err, c.want)
		wantUnchanged(t, s, "after "+c.name, ids[i], first, map[int64]recruit.Counts{a: {Registered: i + 1}, b: {}}, 1, 1)
	}

	// A first submission with a failing log leaves no application either.
	_, err := s.SubmitChoice(ctx, ids[2], 2025, 0, recruit.Choice{ProgramID: b}, t0, failing)
	wantErr(t, "a failing log of a first submission", err, boom)
	_, err = s.GetApplication(ctx, 2025, ids[2])
	wantErr(t, "GetApplication after a failed first submission", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotApplied))
	wantCountersMatchRecount(t, s, 2025)
}

// Of concurrent admissions of one application one wins; the others see it
// admitted, and the seats of the losers are given back.
func testConcurrentAdmitOne(t *testing.T, s recruit.Store) {
	const callers = 20
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 10))["齐鲁医院/0100"].ID
	a := submitApproved(t, s, newIdentities(t, s, "admitone", 1), p)[0]
	errs := make([]error, callers)
	race(callers, func(i int) { _, errs[i] = s.ProvisionallyAdmit(ctx, a.ID, t0, nil) })
	won := 0
	refusal := recruit.Transition(recruit.StateProvisional, recruit.StateProvisional)
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, "a losing admission", err, refusal)
	}
	if won != 1 {
		t.Errorf("%d admissions of one application succeeded, want 1", won)
	}
	wantCounts(t, s, p, 1, 1)
	wantCountersMatchRecount(t, s, 2025)
}

// Concurrent first submissions of one applicant (all on version 0) make
// one application: one wins with its history entry and notification, the
// others get ECONFLICT and record nothing.
func testConcurrentFirstSubmissions(t *testing.T, s recruit.Store) {
	const callers = 10
	ctx := context.Background()
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	id := newIdentities(t, s, "firsts", 1)[0]
	errs := make([]error, callers)
	race(callers, func(i int) {
		_, errs[i] = s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p}, t0, choiceLog(id, "", nil))
	})
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, "a losing first submission", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStaleChoice))
	}
	a, err := s.GetApplication(ctx, 2025, id)
	must(t, "GetApplication", err)
	if won != 1 || a.Version != 1 {
		t.Errorf("%d of %d first submissions won, version %d; want 1 and version 1", won, callers, a.Version)
	}
	wantCounts(t, s, p, 1, 0)
	hist, err := s.History(ctx, id)
	must(t, "History", err)
	ns, err := s.ListNotifications(ctx, id)
	must(t, "ListNotifications", err)
	if len(hist) != 1 || len(ns) != 1 {
		t.Errorf("%d history entries and %d notifications, want 1 each", len(hist), len(ns))
	}
}
