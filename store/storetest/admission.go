package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"zhupei/recruit"
)

// keyNote returns a note queuing a notification of kind under key-<app id>
// for the changed application, and records what it saw in *seen.
func keyNote(kind recruit.NoticeKind, key string, seen *recruit.Application) recruit.Note {
	return func(app recruit.Application) (recruit.Notification, error) {
		*seen = app
		return recruit.Notification{IdentityID: app.IdentityID, Kind: kind, Key: fmt.Sprintf("%s-%d", key, app.ID), Title: string(kind), CreatedAt: app.UpdatedAt}, nil
	}
}

// wantFinal fails the test unless program id counts final final admissions.
func wantFinal(t *testing.T, s recruit.Store, id int64, final int) {
	t.Helper()
	if p := program(t, s, id); p.Final != final || p.Provisional() != p.Admitted-final {
		t.Errorf("program %d final = %d, want %d", id, p.Final, final)
	}
}

// wantNotes fails the test unless the identity's notifications have
// exactly these keys, newest first.
func wantNotes(t *testing.T, s recruit.Store, identity int64, keys ...string) {
	t.Helper()
	ns, err := s.ListNotifications(context.Background(), identity)
	must(t, "ListNotifications", err)
	var got []string
	for _, n := range ns {
		got = append(got, n.Key)
	}
	if fmt.Sprint(got) != fmt.Sprint(keys) {
		t.Errorf("notifications of %d = %v, want %v", identity, got, keys)
	}
}

// wantMoved fails the test unless a move returned the application in state
// set at at, and its note saw exactly that application.
func wantMoved(t *testing.T, what string, got recruit.Application, err error, seen recruit.Application, state recruit.State, at time.Time) {
	t.Helper()
	must(t, what, err)
	if seen != got || got.State != state || !got.StateAt.Equal(at) {
		t.Errorf("%s: note saw %+v, the move returned %+v; want %s at %v", what, seen, got, state, at)
	}
}

// Provisional admission, its undo and admission each queue their
// notification with the change and move the counters; undo gives the seat
// back, admission counts the seat as final.
func testAdmissionMoves(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 1))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "moves", 2)
	apps := submitApproved(t, s, ids, p)
	var seen recruit.Application

	t1 := t0.Add(time.Hour)
	got, err := s.ProvisionallyAdmit(ctx, apps[0].ID, t1, keyNote(recruit.KindProvisional, "prov", &seen))
	wantMoved(t, "ProvisionallyAdmit", got, err, seen, recruit.StateProvisional, t1)
	wantCounts(t, s, p, 2, 1)
	wantNotes(t, s, ids[0], fmt.Sprintf("prov-%d", apps[0].ID))

	_, err = s.UndoProvisional(ctx, apps[1].ID, t1, nil)
	wantErr(t, "UndoProvisional of an approved application", err, recruit.CheckUndo(recruit.StateApproved))
	_, err = s.UndoProvisional(ctx, apps[1].ID+1000, t1, nil)
	wantErr(t, "UndoProvisional of a missing application", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication))
	_, err = s.Admit(ctx, apps[1].ID, t1, nil)
	wantErr(t, "Admit of an approved application", err, recruit.Transition(recruit.StateApproved, recruit.StateAdmitted))

	t2 := t1.Add(time.Hour)
	got, err = s.UndoProvisional(ctx, apps[0].ID, t2, keyNote(recruit.KindOfferVoid, "void", &seen))
	wantMoved(t, "UndoProvisional", got, err, seen, recruit.StateApproved, t2)
	wantCounts(t, s, p, 2, 0)
	wantNotes(t, s, ids[0], fmt.Sprintf("void-%d", apps[0].ID), fmt.Sprintf("prov-%d", apps[0].ID))
	_, err = s.UndoProvisional(ctx, apps[0].ID, t2, nil)
	wantErr(t, "UndoProvisional twice", err, recruit.CheckUndo(recruit.StateApproved))

	// The seat given back is free for the other applicant.
	_, err = s.ProvisionallyAdmit(ctx, apps[1].ID, t2, nil)
	must(t, "ProvisionallyAdmit into the freed seat", err)
	t3 := t2.Add(time.Hour)
	got, err = s.Admit(ctx, apps[1].ID, t3, keyNote(recruit.KindAdmitted, "admitted", &seen))
	wantMoved(t, "Admit", got, err, seen, recruit.StateAdmitted, t3)
	wantCounts(t, s, p, 2, 1)
	wantFinal(t, s, p, 1)
	wantNotes(t, s, ids[1], fmt.Sprintf("admitted-%d", apps[1].ID))
	_, err = s.Admit(ctx, apps[1].ID, t3, nil)
	wantErr(t, "Admit twice", err, recruit.Transition(recruit.StateAdmitted, recruit.StateAdmitted))
	_, err = s.UndoProvisional(ctx, apps[1].ID, t3, nil)
	wantErr(t, "UndoProvisional of an admitted application", err, recruit.CheckUndo(recruit.StateAdmitted))

	want := map[int64]recruit.Counts{p: {Registered: 2, Admitted: 1, Final: 1}}
	if rc, err := s.Recount(ctx, 2025); err != nil || !maps.Equal(rc, want) {
		t.Errorf("Recount = %v, %v; want %v", rc, err, want)
	}
	wantCountersMatchRecount(t, s, 2025)
	if n, err := s.Relay(ctx); err != nil || n != 0 {
		t.Errorf("Relay after the moves = %d, %v; want 0", n, err)
	}
}

// A move whose note fails, or whose notification is queued already,
// changes nothing: not the state, not the counters, no notification.
func testAdmissionNoteRefused(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 2))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "refused", 2)
	apps := submitApproved(t, s, ids, p)
	queued := recruit.Notification{IdentityID: ids[1], Kind: recruit.KindAdmitted, Key: "taken", Title: "taken", CreatedAt: t0}
	_, err := s.AddNotification(ctx, queued)
	must(t, "AddNotification", err)
	boom := recruit.Errorf(recruit.EINVALID, "note failed")
	failing := func(recruit.Application) (recruit.Notification, error) { return recruit.Notification{}, boom }
	colliding := func(recruit.Application) (recruit.Notification, error) { return queued, nil }
	notes := []struct {
		name string
		note recruit.Note
		want error
	}{{"a failing note", failing, boom}, {"a queued key", colliding, recruit.ErrQueued}}

	moves := []struct {
		name string
		move func(context.Context, int64, time.Time, recruit.Note) (recruit.Application, error)
		prep func() // brings apps[0] into the state the move takes
	}{
		{"ProvisionallyAdmit", s.ProvisionallyAdmit, func() {}},
		{"UndoProvisional", s.UndoProvisional, func() {
			_, err := s.ProvisionallyAdmit(ctx, apps[0].ID, t0, nil)
			must(t, "ProvisionallyAdmit", err)
		}},
		{"Admit", s.Admit, func() {}},
	}
	for _, m := range moves {
		m.prep()
		before, err := s.GetApplicationByID(ctx, apps[0].ID)
		must(t, "GetApplicationByID", err)
		admitted := program(t, s, p).Admitted
		for _, n := range notes {
			_, err := m.move(ctx, apps[0].ID, t0.Add(time.Hour), n.note)
			wantErr(t, m.name+" with "+n.name, err, n.want)
			wantUnchanged(t, s, m.name+" with "+n.name, ids[0], before, map[int64]recruit.Counts{p: {Registered: 2, Admitted: admitted}}, 0, 0)
		}
	}
	wantFinal(t, s, p, 0)
	wantCountersMatchRecount(t, s, 2025)
}

// 30 concurrent provisional admissions into a program with 3 seats left
// admit exactly 3.
func testConcurrentAdmitThreeLeft(t *testing.T, s recruit.Store) {
	const plan5, taken, applicants = 5, 2, 30
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, plan5))["齐鲁医院/0100"].ID
	apps := submitApproved(t, s, newIdentities(t, s, "left", taken+applicants), p)
	for _, a := range apps[:taken] {
		_, err := s.ProvisionallyAdmit(ctx, a.ID, t0, nil)
		must(t, "ProvisionallyAdmit", err)
	}
	racers := apps[taken:]
	errs := make([]error, applicants)
	var seen [applicants]recruit.Application
	race(applicants, func(i int) {
		_, errs[i] = s.ProvisionallyAdmit(ctx, racers[i].ID, t0, keyNote(recruit.KindProvisional, "left", &seen[i]))
	})
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			wantNotes(t, s, racers[i].IdentityID, fmt.Sprintf("left-%d", racers[i].ID))
		case errors.Is(err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull)):
			wantNotes(t, s, racers[i].IdentityID)
		default:
			t.Errorf("ProvisionallyAdmit: %v, want success or %s", err, recruit.MsgProgramFull)
		}
	}
	if won != plan5-taken {
		t.Errorf("%d of %d admissions into %d free seats succeeded", won, applicants, plan5-taken)
	}
	wantCounts(t, s, p, taken+applicants, plan5)
	wantCountersMatchRecount(t, s, 2025)
}

// A final admission counter off after a crash is reported by Recount and
// set right by RepairCounts.
func testRepairFinal(t *testing.T, s recruit.Store, skew func(t *testing.T, s recruit.Store, programID int64, d recruit.Counts)) {
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 2))["齐鲁医院/0100"].ID
	apps := submitApproved(t, s, newIdentities(t, s, "final", 1), p)
	_, err := s.ProvisionallyAdmit(ctx, apps[0].ID, t0, nil)
	must(t, "ProvisionallyAdmit", err)
	_, err = s.Admit(ctx, apps[0].ID, t0, nil)
	must(t, "Admit", err)
	skew(t, s, p, recruit.Counts{Final: -1})
	want := []recruit.CountDiff{{ProgramID: p, Stored: recruit.Counts{Registered: 1, Admitted: 1}, Counted: recruit.Counts{Registered: 1, Admitted: 1, Final: 1}}}
	diffs, err := s.RepairCounts(ctx, 2025)
	must(t, "RepairCounts", err)
	if fmt.Sprint(diffs) != fmt.Sprint(want) {
		t.Errorf("RepairCounts = %+v, want %+v", diffs, want)
	}
	wantFinal(t, s, p, 1)
	wantCountersMatchRecount(t, s, 2025)
}

// Publications are appended, listed newest first per year and base with
// their entries, and refused when incomplete or for a missing base.
func testPublications(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	a, b := twoBases(t, s)
	entry := func(app int64, name string) recruit.PublishedEntry {
		return recruit.PublishedEntry{ApplicationID: app, Name: name, SpecialtyCode: "0100", SpecialtyName: "内科"}
	}
	pubs := []recruit.Publication{
		{Year: 2025, BaseID: a, Round: recruit.PhaseRound1, StaffID: 7, PublishedAt: t0, Entries: []recruit.PublishedEntry{entry(1, " 张* "), entry(2, "欧阳**")}},
		{Year: 2025, BaseID: b, Round: recruit.PhaseRound1, StaffID: 8, PublishedAt: t0.Add(time.Minute), Entries: []recruit.PublishedEntry{entry(3, "李*")}},
		{Year: 2025, BaseID: a, Round: recruit.PhaseRound1, StaffID: 7, PublishedAt: t0.Add(time.Hour), Entries: []recruit.PublishedEntry{entry(1, "张*")}},
		{Year: 2025, BaseID: a, Round: recruit.PhaseConfirmation, StaffID: 7, PublishedAt: t0.Add(48 * time.Hour), Entries: []recruit.PublishedEntry{entry(1, "张*")}},
		{Year: 2024, BaseID: a, Round: recruit.PhaseRound2, StaffID: 7, PublishedAt: t0, Entries: []recruit.PublishedEntry{entry(9, "王*")}},
	}
	var last int64
	for i, p := range pubs {
		got, err := s.AddPublication(ctx, p)
		must(t, "AddPublication", err)
		if got.ID <= last {
			t.Errorf("publication %d got id %d after %d", i, got.ID, last)
		}
		last, pubs[i] = got.ID, got
	}
	if pubs[0].Entries[0].Name != "张*" {
		t.Errorf("entry name = %q, want it trimmed", pubs[0].Entries[0].Name)
	}
	wantPubs := func(year int, base int64, want ...recruit.Publication) {
		t.Helper()
		got, err := s.ListPublications(ctx, year, base)
		must(t, "ListPublications", err)
		if len(got) != len(want) {
			t.Fatalf("ListPublications(%d, %d) = %d publications, want %d", year, base, len(got), len(want))
		}
		for i := range got {
			w := want[i]
			if got[i].ID != w.ID || got[i].BaseID != w.BaseID || got[i].Round != w.Round || got[i].StaffID != w.StaffID ||
				!got[i].PublishedAt.Equal(w.PublishedAt) || !got[i].Lists(w) {
				t.Errorf("ListPublications(%d, %d)[%d] = %+v, want %+v", year, base, i, got[i], w)
			}
		}
	}
	wantPubs(2025, 0, pubs[3], pubs[2], pubs[1], pubs[0])
	wantPubs(2025, a, pubs[3], pubs[2], pubs[0])
	wantPubs(2024, 0, pubs[4])
	wantPubs(2023, 0)
	if !pubs[0].Includes(2) || pubs[2].Includes(2) {
		t.Errorf("Includes: first list %v, second %v", pubs[0].Entries, pubs[2].Entries)
	}

	bad := recruit.Errorf(recruit.EINVALID, "公示名单缺少年度、培训基地、批次、公示时间或人员信息")
	for name, p := range map[string]recruit.Publication{
		"no entries":      {Year: 2025, BaseID: a, Round: recruit.PhaseRound1, PublishedAt: t0},
		"no time":         {Year: 2025, BaseID: a, Round: recruit.PhaseRound1, Entries: pubs[1].Entries},
		"registration":    {Year: 2025, BaseID: a, Round: recruit.PhaseRegistration, PublishedAt: t0, Entries: pubs[1].Entries},
		"a blank name":    {Year: 2025, BaseID: a, Round: recruit.PhaseRound1, PublishedAt: t0, Entries: []recruit.PublishedEntry{entry(1, " ")}},
		"no application":  {Year: 2025, BaseID: a, Round: recruit.PhaseRound1, PublishedAt: t0, Entries: []recruit.PublishedEntry{entry(0, "张*")}},
		"no year or base": {Round: recruit.PhaseRound1, PublishedAt: t0, Entries: pubs[1].Entries},
	} {
		_, err := s.AddPublication(ctx, p)
		wantErr(t, "AddPublication with "+name, err, bad)
	}
	_, err := s.AddPublication(ctx, recruit.Publication{Year: 2025, BaseID: b + 1000, Round: recruit.PhaseRound1, PublishedAt: t0, Entries: pubs[1].Entries})
	wantErr(t, "AddPublication for a missing base", err, recruit.BaseNotFound(b+1000))
	wantPubs(2025, 0, pubs[3], pubs[2], pubs[1], pubs[0])
}
