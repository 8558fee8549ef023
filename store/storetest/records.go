package storetest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"zhupei/recruit"
)

// ProfileBackend is a store that also keeps profiles and records.
type ProfileBackend interface {
	recruit.Store
	recruit.ProfileStore
}

// RunProfiles runs the contract suite of recruit.ProfileStore, like Run:
// open returns a fresh, empty store that RunProfiles closes.
func RunProfiles(t *testing.T, open func(t *testing.T) ProfileBackend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ProfileBackend)
	}{
		{"Rebind", testRebind},
		{"Profile", testProfile},
		{"TouchApplication", testTouchApplication},
		{"Files", testFiles},
		{"Notifications", testNotifications},
		{"Forms", testForms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func testRebind(t *testing.T, s ProfileBackend) {
	ctx := context.Background()
	person := recruit.Identity{OpenID: "o-first", Name: "王五", IDType: recruit.IDTypeResident, IDNumber: "370102199303031234", BoundAt: t0}
	first, err := s.CreateIdentity(ctx, person)
	must(t, "CreateIdentity", err)
	_, err = s.SubmitChoice(ctx, first.ID, 2025, recruit.Choice{ProgramID: importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID}, t0, nil)
	must(t, "SubmitChoice", err)

	must(t, "UnbindIdentity", s.UnbindIdentity(ctx, first.ID))
	wantCode(t, "UnbindIdentity of a missing identity", s.UnbindIdentity(ctx, first.ID+100), recruit.ENOTFOUND)
	_, err = s.IdentityByOpenID(ctx, "o-first")
	wantCode(t, "IdentityByOpenID after unbinding", err, recruit.ENOTFOUND)
	if got, err := s.GetIdentity(ctx, first.ID); err != nil || got.OpenID != "" || got.IDNumber != person.IDNumber {
		t.Errorf("GetIdentity of an unbound identity = %+v, %v; want no OpenID, the number kept", got, err)
	}

	other := person
	other.OpenID, other.Name = "o-second", "王六"
	_, err = s.CreateIdentity(ctx, other)
	wantCode(t, "rebinding with another name", err, recruit.ECONFLICT)

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
	wantCode(t, "binding a document bound again", err, recruit.ECONFLICT)
	// The first account, now free, may bind another document.
	_, err = s.CreateIdentity(ctx, recruit.Identity{OpenID: "o-first", Name: "赵七", IDType: recruit.IDTypePassport, IDNumber: "E7654321", BoundAt: t1})
	must(t, "binding the freed account", err)
}

func testProfile(t *testing.T, s ProfileBackend) {
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
	wantCode(t, "SaveProfile of version 0 again", err, recruit.ECONFLICT)
	got.Work = &recruit.Work{HasEmployer: true, EmployerName: "某医院"}
	t1 := t0.Add(time.Hour)
	_, err = s.SaveProfile(ctx, got, recruit.Revision{Kind: "work", Summary: "保存工作信息", At: t1}, 0)
	must(t, "SaveProfile version 1", err)

	// Of concurrent saves of one version exactly one wins.
	got, err = s.GetProfile(ctx, id)
	must(t, "GetProfile", err)
	const savers = 10
	errs := make([]error, savers)
	var wg sync.WaitGroup
	for i := range savers {
		wg.Go(func() {
			_, errs[i] = s.SaveProfile(ctx, got, recruit.Revision{Kind: "certificates", At: t1}, 0)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if recruit.ErrorCode(err) != recruit.ECONFLICT {
			t.Errorf("concurrent SaveProfile: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent saves of version %d won, want 1", won, got.Version)
	}

	must(t, "AddRevision", s.AddRevision(ctx, recruit.Revision{IdentityID: id, Kind: "choice", Summary: "提交志愿", At: t1}))
	wantCode(t, "AddRevision without a kind", s.AddRevision(ctx, recruit.Revision{IdentityID: id, At: t1}), recruit.EINVALID)
	hist, err := s.History(ctx, id)
	must(t, "History", err)
	var kinds []string
	for _, r := range hist {
		kinds = append(kinds, r.Kind)
		if r.IdentityID != id {
			t.Errorf("revision of identity %d in the history of %d", r.IdentityID, id)
		}
	}
	if want := []string{"choice", "certificates", "work", "basic"}; !slices.Equal(kinds, want) {
		t.Errorf("history kinds = %v, want %v", kinds, want)
	}
	if hist[2].Summary != "保存工作信息" {
		t.Errorf("history entry = %+v", hist[2])
	}
	sameTime(t, "revision At", hist[3].At, t0)
}

func testTouchApplication(t *testing.T, s ProfileBackend) {
	ctx := context.Background()
	id := newIdentities(t, s, "touch", 1)[0]
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	a, err := s.SubmitChoice(ctx, id, 2025, recruit.Choice{ProgramID: p}, t0, nil)
	must(t, "SubmitChoice", err)
	t1 := t0.Add(time.Hour)
	touched, err := s.TouchApplication(ctx, a.ID, t1)
	must(t, "TouchApplication", err)
	wantApp(t, "touched", touched, p, recruit.StatePending, 2)
	sameTime(t, "UpdatedAt", touched.UpdatedAt, t1)
	got, err := s.GetApplicationByID(ctx, a.ID)
	must(t, "GetApplicationByID", err)
	wantApp(t, "GetApplicationByID", got, p, recruit.StatePending, 2)
	wantCounts(t, s, p, 1, 0)
	_, err = s.TouchApplication(ctx, a.ID+100, t1)
	wantCode(t, "TouchApplication of a missing application", err, recruit.ENOTFOUND)
	_, err = s.GetApplicationByID(ctx, a.ID+100)
	wantCode(t, "GetApplicationByID of a missing application", err, recruit.ENOTFOUND)

	// A profile save that names the application bumps its version too.
	saved, err := s.SaveProfile(ctx, recruit.Profile{IdentityID: id, Work: &recruit.Work{}},
		recruit.Revision{Kind: "work", Summary: "保存工作信息", Snapshot: "{}", By: "本人", At: t1}, a.ID)
	must(t, "SaveProfile touching the application", err)
	if saved.Version != 1 {
		t.Errorf("profile version %d, want 1", saved.Version)
	}
	got, err = s.GetApplicationByID(ctx, a.ID)
	must(t, "GetApplicationByID", err)
	wantApp(t, "after a touching save", got, p, recruit.StatePending, 3)
}

func testFiles(t *testing.T, s ProfileBackend) {
	ctx := context.Background()
	_, err := s.GetFile(ctx, "photo-1")
	wantCode(t, "GetFile of a missing file", err, recruit.ENOTFOUND)
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

func testNotifications(t *testing.T, s ProfileBackend) {
	ctx := context.Background()
	ids := newIdentities(t, s, "notify", 2)
	var added []recruit.Notification
	for i, kind := range []string{"registered", "reviewed"} {
		n, err := s.AddNotification(ctx, recruit.Notification{IdentityID: ids[0], Kind: kind, ClientMsgID: "msg-" + kind, Payload: `{"a":1}`, NextAt: t0, CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		must(t, "AddNotification", err)
		if n.ID <= 0 || n.State != "queued" || n.Kind != kind {
			t.Errorf("AddNotification = %+v", n)
		}
		added = append(added, n)
	}
	_, err := s.AddNotification(ctx, recruit.Notification{IdentityID: ids[0], Kind: "registered", ClientMsgID: "msg-registered", CreatedAt: t0})
	wantCode(t, "AddNotification of a queued message id", err, recruit.ECONFLICT)
	_, err = s.AddNotification(ctx, recruit.Notification{IdentityID: ids[0], Kind: "registered"})
	wantCode(t, "AddNotification without a message id", err, recruit.EINVALID)

	list, err := s.ListNotifications(ctx, ids[0])
	must(t, "ListNotifications", err)
	if len(list) != 2 || list[0].ID != added[1].ID || list[1].ID != added[0].ID || list[1].Payload != `{"a":1}` {
		t.Errorf("ListNotifications = %+v, want the two, newest first", list)
	}
	if len(list) == 2 {
		sameTime(t, "NextAt", list[1].NextAt, t0)
	}
	if other, err := s.ListNotifications(ctx, ids[1]); err != nil || len(other) != 0 {
		t.Errorf("ListNotifications of another identity = %+v, %v", other, err)
	}
}

func testForms(t *testing.T, s ProfileBackend) {
	ctx := context.Background()
	id := newIdentities(t, s, "form", 1)[0]
	a, err := s.SubmitChoice(ctx, id, 2025, recruit.Choice{ProgramID: importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID}, t0, nil)
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
	wantCode(t, "AddForm of a used code", s.AddForm(ctx, forms[0]), recruit.ECONFLICT)
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
	wantCode(t, "FormByCode of a missing code", err, recruit.ENOTFOUND)
}
