package storetest

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

func testRebind(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	person := recruit.Identity{OpenID: "o-first", Name: "王五", IDType: recruit.IDTypeResident, IDNumber: "370102199303031234", BoundAt: t0}
	first, err := s.CreateIdentity(ctx, person)
	must(t, "CreateIdentity", err)
	_, err = s.SubmitChoice(ctx, first.ID, 2025, 0, recruit.Choice{ProgramID: importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID}, t0, nil)
	must(t, "SubmitChoice", err)

	must(t, "UnbindIdentity", s.UnbindIdentity(ctx, first.ID))
	wantErr(t, "UnbindIdentity of a missing identity", s.UnbindIdentity(ctx, first.ID+100), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoIdentity))
	_, err = s.IdentityByOpenID(ctx, "o-first")
	wantCode(t, "IdentityByOpenID after unbinding", err, recruit.ENOTFOUND)
	if got, err := s.GetIdentity(ctx, first.ID); err != nil || got.OpenID != "" || got.IDNumber != person.IDNumber {
		t.Errorf("GetIdentity of an unbound identity = %+v, %v; want no OpenID, the number kept", got, err)
	}
	if got, err := s.IdentityByNumber(ctx, person.IDType, person.IDNumber); err != nil || got.ID != first.ID || got.OpenID != "" {
		t.Errorf("IdentityByNumber of an unbound identity = %+v, %v; want identity %d without OpenID", got, err, first.ID)
	}

	other := person
	other.OpenID, other.Name = "o-second", "王六"
	_, err = s.CreateIdentity(ctx, other)
	wantErr(t, "rebinding with another name", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNameDiffers))

	// An account bound to someone else cannot re-attach the number either.
	_, err = s.CreateIdentity(ctx, recruit.Identity{OpenID: "o-busy", Name: "孙八", IDType: recruit.IDTypePassport, IDNumber: "E1000001", BoundAt: t0})
	must(t, "CreateIdentity", err)
	busy := person
	busy.OpenID = "o-busy"
	_, err = s.CreateIdentity(ctx, busy)
	wantErr(t, "rebinding from a bound account", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgOpenIDBound))

	other.Name = person.Name
	t1 := t0.Add(time.Hour)
	other.BoundAt = t1
	again, err := s.CreateIdentity(ctx, other)
	must(t, "rebinding", err)
	if again.ID != first.ID || again.OpenID != "o-second" {
		t.Errorf("rebinding = %+v, want identity %d on o-second", again, first.ID)
	}
	got, err := s.IdentityByOpenID(ctx, "o-second")
	must(t, "IdentityByOpenID after rebinding", err)
	wantIdentity(t, "rebound identity", got, recruit.Identity{ID: first.ID, OpenID: "o-second", Name: person.Name, IDType: person.IDType, IDNumber: person.IDNumber, BoundAt: t1})
	if a, err := s.GetApplication(ctx, 2025, got.ID); err != nil || a.IdentityID != first.ID {
		t.Errorf("application after rebinding = %+v, %v", a, err)
	}

	other.OpenID = "o-third"
	_, err = s.CreateIdentity(ctx, other)
	wantErr(t, "binding a document bound again", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNumberBound))
	// The first account, now free, may bind another document.
	_, err = s.CreateIdentity(ctx, recruit.Identity{OpenID: "o-first", Name: "赵七", IDType: recruit.IDTypePassport, IDNumber: "E7654321", BoundAt: t1})
	must(t, "binding the freed account", err)
}

func testProfile(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "profile", 1)[0]
	empty, err := s.GetProfile(ctx, id)
	must(t, "GetProfile", err)
	if empty.IdentityID != id || empty.Version != 0 || empty.Basic != nil || empty.Complete() {
		t.Errorf("profile before saving = %+v", empty)
	}

	p := recruit.Profile{
		IdentityID: id,
		Basic:      &recruit.Basic{Name: "测试", IDType: recruit.IDTypePassport, IDNumber: "profile000000", Gender: "女", Phone: "13800000000"},
		Education:  []recruit.Education{{Level: recruit.EduBachelor, School: "山东大学", FullTime: true}},
	}
	saved, err := s.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", Summary: "保存基本信息", By: "applicant", At: t0}, 0)
	must(t, "SaveProfile", err)
	if saved.Version != 1 || saved.Basic == nil || saved.Basic.IDNumber != "" || saved.Basic.Phone != "13800000000" {
		t.Errorf("saved profile = %+v, want version 1 without the ID number", saved)
	}
	sameTime(t, "UpdatedAt", saved.UpdatedAt, t0)
	if p.Basic.IDNumber != "profile000000" {
		t.Error("SaveProfile changed the caller's Basic")
	}
	got, err := s.GetProfile(ctx, id)
	must(t, "GetProfile", err)
	if got.Version != 1 || got.Basic == nil || *got.Basic != *saved.Basic || len(got.Education) != 1 || got.Education[0] != p.Education[0] || got.Work != nil {
		t.Errorf("GetProfile = %+v, want %+v", got, saved)
	}

	_, err = s.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", At: t0}, 0)
	wantErr(t, "SaveProfile of version 0 again", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStale))
	got.Work = &recruit.Work{HasEmployer: true, EmployerName: "某医院"}
	t1 := t0.Add(time.Hour)
	_, err = s.SaveProfile(ctx, got, recruit.Revision{Kind: "work", Summary: "保存工作信息", At: t1}, 0)
	must(t, "SaveProfile version 1", err)

	// Of concurrent saves of one version exactly one wins, for a new profile
	// and an existing one alike.
	got, err = s.GetProfile(ctx, id)
	must(t, "GetProfile", err)
	newcomer := newIdentities(t, s, "profile-new", 1)[0]
	for _, p := range []recruit.Profile{{IdentityID: newcomer, Work: &recruit.Work{}}, got} {
		const savers = 10
		errs := make([]error, savers)
		race(savers, func(i int) { _, errs[i] = s.SaveProfile(ctx, p, recruit.Revision{Kind: "certificates", At: t1}, 0) })
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				wantErr(t, "a losing concurrent SaveProfile", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStale))
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent saves of version %d won, want 1", won, p.Version)
		}
	}
	if h, err := s.History(ctx, newcomer); err != nil || len(h) != 1 {
		t.Errorf("history of the new profile = %d entries, %v; want the winner's only", len(h), err)
	}

	_, err = s.SaveProfile(ctx, got, recruit.Revision{At: t1}, 0)
	wantErr(t, "SaveProfile with a revision without a kind", err, recruit.CheckRevision(recruit.Revision{IdentityID: id}))
	hist, err := s.History(ctx, id)
	must(t, "History", err)
	var kinds []string
	for _, r := range hist {
		kinds = append(kinds, r.Kind)
		if r.IdentityID != id {
			t.Errorf("revision of identity %d in the history of %d", r.IdentityID, id)
		}
	}
	if want := []string{"certificates", "work", "basic"}; !slices.Equal(kinds, want) {
		t.Fatalf("history kinds = %v, want %v", kinds, want)
	}
	if hist[1].Summary != "保存工作信息" {
		t.Errorf("history entry = %+v", hist[1])
	}
	sameTime(t, "revision At", hist[2].At, t0)
}

// A profile save that names the identity's application bumps its version
// with the save.
func testProfileTouch(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "touch", 1)[0]
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	a, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p}, t0, nil)
	must(t, "SubmitChoice", err)
	t1 := t0.Add(time.Hour)
	profile := recruit.Profile{IdentityID: id, Work: &recruit.Work{}}
	for v := 1; v <= 2; v++ {
		saved, err := s.SaveProfile(ctx, profile, recruit.Revision{Kind: "work", Summary: "保存工作信息", Snapshot: "{}", By: "本人", At: t1}, a.ID)
		must(t, "SaveProfile touching the application", err)
		if saved.Version != v {
			t.Errorf("profile version %d, want %d", saved.Version, v)
		}
		got, err := s.GetApplicationByID(ctx, a.ID)
		must(t, "GetApplicationByID", err)
		wantApp(t, "after a touching save", got, p, recruit.StatePending, 1+v)
		sameTime(t, "UpdatedAt after a touching save", got.UpdatedAt, t1)
		profile = saved
	}
	if n, err := s.Relay(ctx); err != nil || n != 0 {
		t.Errorf("Relay after SaveProfile = %d, %v; want 0", n, err)
	}
	if got, err := s.GetApplicationByID(ctx, a.ID); err != nil || got.Version != 3 {
		t.Errorf("application after Relay = %+v, %v; want version 3", got, err)
	}
	if h, err := s.History(ctx, id); err != nil || len(h) != 2 {
		t.Errorf("history = %d entries, %v; want 2", len(h), err)
	}
	wantCounts(t, s, p, 1, 0)
	_, err = s.GetApplicationByID(ctx, a.ID+100)
	wantErr(t, "GetApplicationByID of a missing application", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication))
}

// A profile save naming an application that is not the identity's saves
// nothing: profile, history and versions stay as they were.
func testProfileTouchOther(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ids := newIdentities(t, s, "touchother", 2)
	a, err := s.SubmitChoice(ctx, ids[1], 2025, 0, recruit.Choice{ProgramID: importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID}, t0, nil)
	must(t, "SubmitChoice", err)
	rev := recruit.Revision{Kind: "work", Summary: "保存工作信息", Snapshot: "{}", By: "本人", At: t0}
	for _, app := range []int64{a.ID, a.ID + 100} {
		_, err = s.SaveProfile(ctx, recruit.Profile{IdentityID: ids[0], Work: &recruit.Work{}}, rev, app)
		wantErr(t, "a save touching another's or a missing application", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication))
	}
	p, err := s.GetProfile(ctx, ids[0])
	if err != nil || p.Version != 0 || p.Work != nil {
		t.Errorf("profile after the failed saves: %+v %v", p, err)
	}
	if hist, err := s.History(ctx, ids[0]); err != nil || len(hist) != 0 {
		t.Errorf("history after the failed saves: %d entries, %v", len(hist), err)
	}
	if got, err := s.GetApplicationByID(ctx, a.ID); err != nil || got.Version != 1 {
		t.Errorf("the other's application after the failed saves: %+v, %v", got, err)
	}
}

func testFiles(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	_, err := s.GetFile(ctx, "photo-1")
	wantErr(t, "GetFile of a missing file", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoFile))
	data := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x42}, 100_000)
	must(t, "PutFile", s.PutFile(ctx, recruit.File{ID: "photo-1", OwnerID: 7, Kind: "photo", ContentType: "image/jpeg", Data: data, CreatedAt: t0}))
	f, err := s.GetFile(ctx, "photo-1")
	must(t, "GetFile", err)
	if f.ID != "photo-1" || f.OwnerID != 7 || f.Kind != "photo" || f.ContentType != "image/jpeg" || f.Size != int64(len(data)) || !bytes.Equal(f.Data, data) {
		t.Errorf("GetFile = %s %d %s %s size %d, %d bytes equal=%v", f.ID, f.OwnerID, f.Kind, f.ContentType, f.Size, len(f.Data), bytes.Equal(f.Data, data))
	}
	sameTime(t, "CreatedAt", f.CreatedAt, t0)

	must(t, "PutFile replace", s.PutFile(ctx, recruit.File{ID: "photo-1", OwnerID: 7, Kind: "photo", ContentType: "image/png", Data: []byte("new"), CreatedAt: t0}))
	f, err = s.GetFile(ctx, "photo-1")
	must(t, "GetFile", err)
	if string(f.Data) != "new" || f.Size != 3 || f.ContentType != "image/png" {
		t.Errorf("replaced file = %q size %d %s", f.Data, f.Size, f.ContentType)
	}
	wantCode(t, "PutFile without an id", s.PutFile(ctx, recruit.File{Data: data}), recruit.EINVALID)
	must(t, "DeleteFile", s.DeleteFile(ctx, "photo-1"))
	_, err = s.GetFile(ctx, "photo-1")
	wantCode(t, "GetFile after DeleteFile", err, recruit.ENOTFOUND)
	must(t, "DeleteFile of a missing file", s.DeleteFile(ctx, "photo-1"))
}

func testForms(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "form", 1)[0]
	a, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID}, t0, nil)
	must(t, "SubmitChoice", err)
	_, err = s.LatestForm(ctx, a.ID)
	wantCode(t, "LatestForm before any form", err, recruit.ENOTFOUND)
	forms := []recruit.FormRecord{
		{Code: "F-AAA", ApplicationID: a.ID, Version: 1, FileID: "file-1", GeneratedAt: t0},
		{Code: "F-CCC", ApplicationID: a.ID, Version: 2, FileID: "file-3", GeneratedAt: t0.Add(time.Minute)},
		{Code: "F-BBB", ApplicationID: a.ID, Version: 2, FileID: "file-2", GeneratedAt: t0.Add(time.Hour)},
	}
	for _, f := range forms {
		must(t, "AddForm", s.AddForm(ctx, f))
	}
	wantErr(t, "AddForm of a used code", s.AddForm(ctx, forms[0]), recruit.Errorf(recruit.ECONFLICT, recruit.MsgFormCodeUsed))
	wantCode(t, "AddForm without a code", s.AddForm(ctx, recruit.FormRecord{ApplicationID: a.ID}), recruit.EINVALID)
	latest, err := s.LatestForm(ctx, a.ID)
	must(t, "LatestForm", err)
	if latest.Code != "F-BBB" || latest.FileID != "file-2" || latest.Version != 2 {
		t.Errorf("LatestForm = %+v, want F-BBB", latest)
	}
	sameTime(t, "GeneratedAt", latest.GeneratedAt, forms[2].GeneratedAt)
	byCode, err := s.FormByCode(ctx, "F-AAA")
	must(t, "FormByCode", err)
	if byCode.ApplicationID != a.ID || byCode.Version != 1 || byCode.FileID != "file-1" {
		t.Errorf("FormByCode = %+v", byCode)
	}
	_, err = s.FormByCode(ctx, "F-ZZZ")
	wantErr(t, "FormByCode of a missing code", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoForm))
}

// Bad input is refused with the one message of recruit's checks.
func testBadInput(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	id := newIdentities(t, s, "bad", 1)[0]
	app, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p}, t0, nil)
	must(t, "SubmitChoice", err)
	noNumber := recruit.Identity{OpenID: "o", IDType: recruit.IDTypePassport}
	checks := []struct {
		what      string
		err, want error
	}{
		{"PutYear of year 0", s.PutYear(ctx, recruit.Year{}), recruit.CheckYear(0)},
		{"ImportPlan of year 0", s.ImportPlan(ctx, 0, planRows), recruit.CheckYear(0)},
		{"CreateIdentity without a number", second(s.CreateIdentity(ctx, noNumber)), second(recruit.CleanNewIdentity(noNumber))},
		{"SaveProfile without an identity", second(s.SaveProfile(ctx, recruit.Profile{}, recruit.Revision{Kind: "basic"}, 0)), recruit.CheckProfileKey(recruit.Profile{})},
		{"PutFile without an id", s.PutFile(ctx, recruit.File{Data: []byte("x")}), recruit.CheckFile(recruit.File{})},
		{"AddNotification without a message id", second(s.AddNotification(ctx, recruit.Notification{IdentityID: id, Kind: "registered"})), recruit.CheckNotification(recruit.Notification{})},
		{"AddForm without a code", s.AddForm(ctx, recruit.FormRecord{ApplicationID: app.ID}), recruit.CheckForm(recruit.FormRecord{})},
		{"GetYear of a missing year", second(s.GetYear(ctx, 2030)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoYear)},
		{"LatestYear of no years", second(s.LatestYear(ctx)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoYear)},
		{"GetProgram of a missing id", second(s.GetProgram(ctx, p+1000)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoProgram)},
		{"IdentityByOpenID of an unbound account", second(s.IdentityByOpenID(ctx, "o-nobody")), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotBound)},
		{"GetIdentity of a missing id", second(s.GetIdentity(ctx, id+1000)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotBound)},
		{"LatestForm before any form", second(s.LatestForm(ctx, app.ID)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoForm)},
		{"SaveProfile of a missing identity", second(s.SaveProfile(ctx, recruit.Profile{IdentityID: id + 1000}, recruit.Revision{Kind: "basic"}, 0)), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoIdentity)},
		{"AddNotification for a missing identity", second(s.AddNotification(ctx, notice(id+1000, recruit.KindRegistered, "m", 0))), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoIdentity)},
		{"AddForm of a missing application", s.AddForm(ctx, recruit.FormRecord{Code: "F-1", ApplicationID: app.ID + 1000}), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication)},
	}
	for _, c := range checks {
		wantErr(t, c.what, c.err, c.want)
	}
}

// second returns the error of a call returning a value and an error.
func second[T any](_ T, err error) error { return err }
