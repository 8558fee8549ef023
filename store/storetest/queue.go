package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// queueApplicant is one applicant of the queue tests.
type queueApplicant struct {
	name, number, phone, email, personnel, school, diploma, photo string
	birth, start                                                  string // basic birth date and education start date
}

// queueFixture saves each applicant's identity, profile (with a photo
// file of the given bytes) and a choice of program, and returns the
// applications in order.
func queueFixture(t *testing.T, s recruit.Store, program []int64, people []queueApplicant, at []time.Time) []recruit.Application {
	t.Helper()
	ctx := context.Background()
	apps := make([]recruit.Application, len(people))
	for i, p := range people {
		idType := recruit.IDTypePassport
		if len(p.number) == 18 {
			idType = recruit.IDTypeResident
		}
		id, err := s.CreateIdentity(ctx, recruit.Identity{OpenID: fmt.Sprintf("queue-%d", i), Name: p.name, IDType: idType, IDNumber: p.number, BoundAt: t0})
		must(t, "CreateIdentity", err)
		photoID := ""
		if p.photo != "" {
			photoID = fmt.Sprintf("%032d", i+1)
			must(t, "PutFile", s.PutFile(ctx, recruit.File{ID: photoID, OwnerID: id.ID, Kind: "photo", ContentType: "image/jpeg",
				Size: int64(len(p.photo)), Data: []byte(p.photo), CreatedAt: t0}))
		}
		prof := recruit.Profile{IdentityID: id.ID,
			Basic: &recruit.Basic{Name: p.name, Phone: p.phone, Email: p.email, PersonnelType: p.personnel, BirthDate: p.birth, PhotoID: photoID},
			Education: []recruit.Education{{Level: recruit.EduBachelor, School: p.school, DiplomaNo: p.diploma, StartDate: p.start,
				GraduationDate: "2020-07-01"}},
		}
		_, err = s.SaveProfile(ctx, prof, recruit.Revision{Kind: "basic", Summary: "保存", By: "本人", At: t0}, 0)
		must(t, "SaveProfile", err)
		apps[i], err = s.SubmitChoice(ctx, id.ID, 2025, 0, recruit.Choice{ProgramID: program[i%len(program)], AcceptsAdjustment: i%2 == 0}, at[i%len(at)].Add(time.Duration(i)*time.Second), nil)
		must(t, "SubmitChoice", err)
	}
	return apps
}

// queueIDs returns the application ids of q's page, and fails unless the
// total is want's length and the page holds want in that order.
func wantQueue(t *testing.T, s recruit.Store, what string, q recruit.AppQuery, want ...int64) recruit.AppPage {
	t.Helper()
	if q.Year == 0 {
		q.Year = 2025
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	page, err := s.QueryApplications(context.Background(), q)
	must(t, "QueryApplications "+what, err)
	got := make([]int64, len(page.Rows))
	for i, r := range page.Rows {
		got[i] = r.ID
	}
	if !slices.Equal(got, want) || (q.Offset == 0 && page.Total != len(want)) {
		t.Errorf("%s: ids %v (total %d), want %v", what, got, page.Total, want)
	}
	return page
}

func testQueue(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	sph, qilu := ps["山东省立医院/0100"], ps["齐鲁医院/0100"]
	peds := ps["山东省立医院/0200"]
	july, august := t0, t0.AddDate(0, 0, 30)
	people := []queueApplicant{
		{name: "张三", number: "11010519491231002X", phone: "13800000001", email: "a@x.cn", personnel: recruit.PersonnelSocial, school: "山东大学", diploma: "D1", photo: "photo-a", birth: "1949-12-31", start: "1949-01-01"},
		{name: "李四", number: "E10000001", phone: "13800000002", email: "B@x.cn", personnel: recruit.PersonnelSent, school: "青岛大学", diploma: "D2", photo: "photo-b", birth: "1995-03-01", start: "2013-09-01"},
		{name: "王五", number: "E10000002", phone: "13800000002", email: "c@x.cn", personnel: recruit.PersonnelSocial, school: "山东第一医科大学", diploma: "d3", photo: "photo-c", birth: "1995-03-01", start: "2000-09-01"},
		{name: "欧阳娜娜", number: "E20000003", phone: "13900000004", email: "b@x.cn", personnel: recruit.PersonnelSent, school: "山东大学", diploma: "D3", photo: "photo-a", birth: "1996-01-01", start: "2014-09-01"},
		{name: "赵六", number: "E30000004", phone: "13700000005", email: "e@x.cn", personnel: recruit.PersonnelGraduate, school: "潍坊医学院", diploma: "D5", photo: "photo-e", birth: "1996-01-01", start: "2014-09-01"},
	}
	// Applicants 0, 2 and 4 choose 省立 内科, 1 and 3 齐鲁 内科.
	apps := queueFixture(t, s, []int64{sph.ID, qilu.ID}, people, []time.Time{july})
	a0, a1, a2, a3, a4 := apps[0].ID, apps[1].ID, apps[2].ID, apps[3].ID, apps[4].ID
	// 赵六 moves to 儿科 in August: the state is set in the second window.
	moved, err := s.SubmitChoice(ctx, apps[4].IdentityID, 2025, apps[4].Version, recruit.Choice{ProgramID: peds.ID}, august, nil)
	must(t, "SubmitChoice again", err)
	_, err = s.Review(ctx, a1, recruit.StateApproved, "", july.Add(time.Hour), nil)
	must(t, "Review", err)

	all := wantQueue(t, s, "everything", recruit.AppQuery{}, a0, a1, a2, a3, a4)
	wantQueue(t, s, "newest first", recruit.AppQuery{Sort: recruit.SortSubmittedDesc}, a4, a3, a2, a1, a0)
	page := wantQueue(t, s, "second page of two", recruit.AppQuery{Offset: 2, Limit: 2}, a2, a3)
	if page.Total != 5 {
		t.Errorf("total of a page = %d, want 5", page.Total)
	}
	wantQueue(t, s, "base 省立", recruit.AppQuery{BaseID: sph.BaseID}, a0, a2, a4)
	wantQueue(t, s, "base 省立 内科", recruit.AppQuery{BaseID: sph.BaseID, SpecialtyCode: "0100"}, a0, a2)
	wantQueue(t, s, "specialty 内科", recruit.AppQuery{SpecialtyCode: "0100"}, a0, a1, a2, a3)
	wantQueue(t, s, "approved", recruit.AppQuery{State: recruit.StateApproved}, a1)
	wantQueue(t, s, "pending", recruit.AppQuery{State: recruit.StatePending}, a0, a2, a3, a4)
	wantQueue(t, s, "state set in the second window", recruit.AppQuery{StateFrom: august}, a4)
	wantQueue(t, s, "state set in the first window", recruit.AppQuery{StateTo: august}, a0, a1, a2, a3)
	wantQueue(t, s, "personnel type", recruit.AppQuery{PersonnelType: recruit.PersonnelSent}, a1, a3)
	yes, no := true, false
	wantQueue(t, s, "accepts adjustment", recruit.AppQuery{AcceptsAdjustment: &yes}, a0, a2)
	wantQueue(t, s, "does not accept adjustment", recruit.AppQuery{AcceptsAdjustment: &no}, a1, a3, a4)
	wantQueue(t, s, "school part", recruit.AppQuery{School: "山东"}, a0, a2, a3)
	wantQueue(t, s, "school with LIKE characters", recruit.AppQuery{School: "山东%"})
	wantQueue(t, s, "name part", recruit.AppQuery{Keyword: "欧阳"}, a3)
	wantQueue(t, s, "phone part", recruit.AppQuery{Keyword: "1380000000"}, a0, a1, a2)
	for _, kw := range []string{"002X", "002x", "31002X", "11010519491231002X"} {
		wantQueue(t, s, "ID suffix "+kw, recruit.AppQuery{Keyword: kw}, a0)
	}
	wantQueue(t, s, "ID middle digits", recruit.AppQuery{Keyword: "0519"})
	wantQueue(t, s, "passport suffix", recruit.AppQuery{Keyword: "30000004"}, a4)
	wantQueue(t, s, "one application", recruit.AppQuery{ApplicationID: a2}, a2)
	wantQueue(t, s, "everything but 李四 in 齐鲁", recruit.AppQuery{BaseID: qilu.BaseID, State: recruit.StatePending, Keyword: "1390"}, a3)

	// Flags: 李四 and 王五 share a phone, 李四 and 欧阳娜娜 an e-mail (case
	// aside), 王五 and 欧阳娜娜 a diploma number (case aside), 张三 and
	// 欧阳娜娜 a photo; 张三's and 王五's dates contradict their birth.
	wantDups := map[int64][]string{
		a0: {recruit.DupPhoto}, a1: {recruit.DupPhone, recruit.DupEmail}, a2: {recruit.DupPhone, recruit.DupDiploma},
		a3: {recruit.DupEmail, recruit.DupDiploma, recruit.DupPhoto},
	}
	wantDated := map[int64]bool{a0: true, a2: true}
	for _, r := range all.Rows {
		got := slices.Clone(r.DupKinds)
		slices.Sort(got)
		want := slices.Clone(wantDups[r.ID])
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("row %d duplicate kinds %v, want %v", r.ID, r.DupKinds, wantDups[r.ID])
		}
		if (len(r.Search.DateIssues) > 0) != wantDated[r.ID] {
			t.Errorf("row %d date issues %q, want some: %v", r.ID, r.Search.DateIssues, wantDated[r.ID])
		}
		if r.ID == a0 && (r.IDNumber != "11010519491231002X" || r.IDType != recruit.IDTypeResident || r.Search.Name != "张三" ||
			r.BaseID != sph.BaseID || r.BaseName != "山东省立医院" || r.SpecialtyName != "内科" || r.Search.School != "山东大学") {
			t.Errorf("row of 张三 = %+v", r)
		}
		if r.ID == a4 && (r.ProgramID != moved.ProgramID || r.SpecialtyCode != "0200") {
			t.Errorf("row of 赵六 = program %d %s, want the new choice %d", r.ProgramID, r.SpecialtyCode, moved.ProgramID)
		}
	}
	wantQueue(t, s, "flagged", recruit.AppQuery{Flagged: true}, a0, a1, a2, a3)

	// 王五 changes phone, diploma and dates: 李四 keeps only the e-mail, and
	// 王五 is flagged no more.
	prof, err := s.GetProfile(ctx, apps[2].IdentityID)
	must(t, "GetProfile", err)
	prof.Basic.Phone = "13600000003"
	prof.Education[0].DiplomaNo, prof.Education[0].StartDate = "D9", "2013-09-01"
	_, err = s.SaveProfile(ctx, prof, recruit.Revision{Kind: "basic", Summary: "保存", By: "本人", At: t0}, a2)
	must(t, "SaveProfile", err)
	page = wantQueue(t, s, "flagged after a change", recruit.AppQuery{Flagged: true}, a0, a1, a3)
	if len(page.Rows) != 3 {
		t.FailNow()
	}
	if got := page.Rows[1].DupKinds; !slices.Equal(got, []string{recruit.DupEmail}) {
		t.Errorf("李四's duplicate kinds after 王五's change = %v, want email", got)
	}
	wantQueue(t, s, "old phone", recruit.AppQuery{Keyword: "13800000002"}, a1)
	search, err := s.SearchOf(ctx, apps[2].IdentityID)
	must(t, "SearchOf", err)
	if search.Phone != "13600000003" || search.PhotoHash == "" || len(search.DateIssues) != 0 {
		t.Errorf("SearchOf after the change = %+v", search)
	}
	none, err := s.SearchOf(ctx, apps[2].IdentityID+100)
	must(t, "SearchOf of nobody", err)
	if none.Name != "" || none.IDKeys != nil {
		t.Errorf("SearchOf of nobody = %+v", none)
	}
	// Another year's applications are not listed.
	wantQueue(t, s, "another year", recruit.AppQuery{Year: 2026})
}

// bulkNote builds a review notification for a bulk review.
func bulkNote(app recruit.Application) (recruit.Notification, error) {
	return recruit.Notification{IdentityID: app.IdentityID, Kind: recruit.KindReviewFailed, Key: fmt.Sprintf("bulk:%d:%d", app.ID, app.Version),
		Title: "审核结果", Body: app.ReviewRemark, CreatedAt: app.UpdatedAt, NextAt: app.UpdatedAt, UpdatedAt: app.UpdatedAt}, nil
}

// bulkAudit builds the audit entry of one row of a bulk review.
func bulkAudit(before, after recruit.Application) (recruit.AuditEntry, error) {
	return recruit.AuditEntry{At: after.UpdatedAt, StaffID: 7, Role: recruit.RoleBaseAdmin, BaseID: 1, Action: "review",
		Target: fmt.Sprintf("application:%d", after.ID), Before: string(before.State), After: string(after.State), Remark: after.ReviewRemark}, nil
}

func testReviewMany(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, planRows)
	a, b := ps["山东省立医院/0100"].ID, ps["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "bulk", 5)
	apps := make([]recruit.Application, len(ids))
	for i, id := range ids {
		prog := a
		if i == 4 {
			prog = b
		}
		var err error
		apps[i], err = s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: prog}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	_, err := s.Review(ctx, apps[3].ID, recruit.StateRejected, "照片不合格", t0, nil)
	must(t, "Review", err)
	t1 := t0.Add(time.Hour)
	onlyA := func(app recruit.Application) error {
		if app.ProgramID != a {
			return recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoApplication)
		}
		return nil
	}
	batch := func(to recruit.State, remark string, ids ...int64) recruit.BulkReview {
		return recruit.BulkReview{IDs: ids, To: to, Remark: remark, Now: t1, Visible: onlyA, Note: bulkNote, Audit: bulkAudit}
	}
	auditBefore, err := s.ListAudit(ctx, recruit.AuditFilter{})
	must(t, "ListAudit", err)

	// Refusals: the message names every failing row, and nothing changes.
	missing := apps[4].ID + 100
	_, err = s.ReviewMany(ctx, batch(recruit.StateApproved, "", apps[0].ID, apps[3].ID, apps[4].ID, missing))
	wantErr(t, "a batch with failing rows", err, recruit.BulkRefusal(map[int64]string{
		apps[3].ID: recruit.Transition(recruit.StateRejected, recruit.StateApproved).(*recruit.Error).Message,
		apps[4].ID: recruit.MsgNoApplication, missing: recruit.MsgNoApplication,
	}))
	for _, bad := range []struct {
		what string
		r    recruit.BulkReview
		want error
	}{
		{"no ids", batch(recruit.StateApproved, ""), recruit.CheckBulkIDs(nil)},
		{"a repeated id", batch(recruit.StateApproved, "", apps[0].ID, apps[0].ID), recruit.CheckBulkIDs([]int64{apps[0].ID, apps[0].ID})},
		{"not a review result", batch(recruit.StateAdmitted, "", apps[0].ID), recruit.CheckReviewResult(recruit.StateAdmitted)},
	} {
		_, err := s.ReviewMany(ctx, bad.r)
		wantErr(t, bad.what, err, bad.want)
	}
	for i, app := range apps {
		got, err := s.GetApplicationByID(ctx, app.ID)
		must(t, "GetApplicationByID", err)
		if want := map[bool]recruit.State{true: recruit.StateRejected, false: recruit.StatePending}[i == 3]; got.State != want {
			t.Errorf("application %d after refused batches: %s, want %s", i, got.State, want)
		}
		ns, err := s.ListNotifications(ctx, app.IdentityID)
		must(t, "ListNotifications", err)
		if len(ns) != 0 {
			t.Errorf("application %d has %d notifications after refused batches", i, len(ns))
		}
	}
	auditAfter, err := s.ListAudit(ctx, recruit.AuditFilter{})
	must(t, "ListAudit", err)
	if len(auditAfter) != len(auditBefore) {
		t.Errorf("refused batches wrote %d audit entries", len(auditAfter)-len(auditBefore))
	}

	// A batch that passes: every row reviewed, with notification and audit.
	got, err := s.ReviewMany(ctx, batch(recruit.StateRejected, "学历不符", apps[1].ID, apps[0].ID, apps[2].ID))
	must(t, "ReviewMany", err)
	if len(got) != 3 || got[0].ID != apps[1].ID || got[1].ID != apps[0].ID || got[2].ID != apps[2].ID {
		t.Fatalf("ReviewMany returned %+v, want the batch in order", got)
	}
	for _, app := range got {
		if app.State != recruit.StateRejected || app.ReviewRemark != "学历不符" {
			t.Errorf("reviewed %+v", app)
		}
		sameTime(t, "StateAt", app.StateAt, t1)
		stored, err := s.GetApplicationByID(ctx, app.ID)
		must(t, "GetApplicationByID", err)
		if stored.State != recruit.StateRejected || stored.ReviewRemark != "学历不符" {
			t.Errorf("stored %+v", stored)
		}
		ns, err := s.ListNotifications(ctx, app.IdentityID)
		must(t, "ListNotifications", err)
		if len(ns) != 1 || ns[0].Body != "学历不符" {
			t.Errorf("notifications of %d: %+v", app.ID, ns)
		}
	}
	entries, err := s.ListAudit(ctx, recruit.AuditFilter{Action: "review"})
	must(t, "ListAudit", err)
	targets := map[string]bool{}
	for _, e := range entries {
		if e.Before == string(recruit.StatePending) && e.After == string(recruit.StateRejected) && e.Remark == "学历不符" {
			targets[e.Target] = true
		}
	}
	if len(entries) != 3 || len(targets) != 3 {
		t.Errorf("audit of the batch: %+v", entries)
	}
	// The same batch again (as after a crash) changes nothing and sends nothing.
	_, err = s.ReviewMany(ctx, batch(recruit.StateRejected, "学历不符", apps[1].ID, apps[0].ID, apps[2].ID))
	must(t, "ReviewMany again", err)
	ns, err := s.ListNotifications(ctx, apps[0].IdentityID)
	must(t, "ListNotifications", err)
	entries, err = s.ListAudit(ctx, recruit.AuditFilter{Action: "review"})
	must(t, "ListAudit", err)
	if len(ns) != 1 || len(entries) != 3 {
		t.Errorf("the batch again: %d notifications, %d audit entries; want 1 and 3", len(ns), len(entries))
	}
	// But another decision on them is refused.
	_, err = s.ReviewMany(ctx, batch(recruit.StateApproved, "", apps[0].ID))
	wantCode(t, "approving a rejected row", err, recruit.ECONFLICT)
}

// testReviewManyLarge reviews a batch of n rows (recruit.MaxBulkReview
// when 0) with their notifications and audit entries, and refuses a batch
// above the limit.
func testReviewManyLarge(t *testing.T, s recruit.Store, n int) {
	ctx := context.Background()
	if n == 0 {
		n = recruit.MaxBulkReview
	}
	ps := importRows(t, s, 2025, planRows)
	prog := ps["山东省立医院/0100"].ID
	ids := newIdentities(t, s, "large", n)
	appIDs := make([]int64, len(ids))
	for i, id := range ids {
		app, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: prog}, t0, nil)
		must(t, "SubmitChoice", err)
		appIDs[i] = app.ID
	}
	above := make([]int64, recruit.MaxBulkReview+1)
	for i := range above {
		above[i] = int64(i + 1)
	}
	_, err := s.ReviewMany(ctx, recruit.BulkReview{IDs: above, To: recruit.StateApproved, Now: t0})
	wantErr(t, "a batch above the limit", err, recruit.CheckBulkIDs(above))
	got, err := s.ReviewMany(ctx, recruit.BulkReview{IDs: appIDs, To: recruit.StateApproved, Now: t0, Note: bulkNote, Audit: bulkAudit})
	must(t, "ReviewMany", err)
	if len(got) != n {
		t.Fatalf("reviewed %d, want %d", len(got), n)
	}
	page, err := s.QueryApplications(ctx, recruit.AppQuery{Year: 2025, State: recruit.StateApproved, Limit: 1})
	must(t, "QueryApplications", err)
	if page.Total != n {
		t.Errorf("approved after the batch: %d, want %d", page.Total, n)
	}
	entries, err := s.ListAudit(ctx, recruit.AuditFilter{Action: "review", Limit: recruit.MaxAuditPage})
	must(t, "ListAudit", err)
	if want := min(n, recruit.MaxAuditPage); len(entries) != want {
		t.Errorf("audit entries after the batch: %d, want %d", len(entries), want)
	}
	ns, err := s.ListNotifications(ctx, ids[n-1])
	must(t, "ListNotifications", err)
	if len(ns) != 1 {
		t.Errorf("notifications of the last row: %d, want 1", len(ns))
	}
}
