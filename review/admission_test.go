package review_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
	"zhupei/review"
)

// approved submits an application of program before round1 and approves it.
func (f *fixture) approved(t *testing.T, name string, program int64, accepts bool) recruit.Application {
	t.Helper()
	app := f.ApplyAs(t, name, program, accepts, testyear.Day(time.July, 5, 9))
	prov := recruit.Staff{ID: 999, Role: recruit.RoleProvince}
	out, err := f.svc.Review(context.Background(), prov, app.ID, review.DecisionApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// staffAB returns a base admin of base A, one of base B and a reviewer of
// base A.
func (f *fixture) staffAB(t *testing.T) (adminA, adminB, reviewerA recruit.Staff) {
	t.Helper()
	return f.Staff(t, recruit.RoleBaseAdmin, f.BaseA), f.Staff(t, recruit.RoleBaseAdmin, f.BaseB), f.Staff(t, recruit.RoleReviewer, f.BaseA)
}

// kinds returns the kinds of an applicant's notifications, newest first.
func (f *fixture) kinds(t *testing.T, identity int64) []recruit.NoticeKind {
	t.Helper()
	ns, err := f.Store.ListNotifications(context.Background(), identity)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]recruit.NoticeKind, len(ns))
	for i, n := range ns {
		out[i] = n.Kind
	}
	return out
}

// lastAudit returns the newest audit entry of action.
func (f *fixture) lastAudit(t *testing.T, action string) recruit.AuditEntry {
	t.Helper()
	es, err := f.Store.ListAudit(context.Background(), recruit.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit of %s: %+v, %v", action, es, err)
	}
	return es[0]
}

func wantMessage(t *testing.T, what string, err error, code, part string) {
	t.Helper()
	wantCode(t, what, err, code)
	if !strings.Contains(recruit.ErrorMessage(err), part) {
		t.Errorf("%s: %q, want it to say %q", what, recruit.ErrorMessage(err), part)
	}
}

func TestAdmitProvisionallyAndUndo(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-9")
	f := newFixture(t)
	adminA, adminB, reviewerA := f.staffAB(t)
	a := f.approved(t, "张三", f.ProgA, false)
	pending := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))

	_, err := f.svc.AdmitProvisionally(ctx, adminB, a.ID)
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, missing := f.svc.AdmitProvisionally(ctx, adminB, a.ID+100)
	if recruit.ErrorMessage(err) != recruit.ErrorMessage(missing) {
		t.Errorf("another base's application answers %q, a missing one %q", recruit.ErrorMessage(err), recruit.ErrorMessage(missing))
	}
	_, err = f.svc.AdmitProvisionally(ctx, reviewerA, a.ID)
	wantMessage(t, "a reviewer", err, recruit.EFORBIDDEN, "仅基地管理员或省级管理员")
	_, err = f.svc.AdmitProvisionally(ctx, adminA, pending.ID)
	wantMessage(t, "a pending application", err, recruit.EFORBIDDEN, "审核通过后方可拟录取")
	if got := f.App(t, a.ID); got.State != recruit.StateApproved || len(f.kinds(t, a.IdentityID)) != 1 {
		t.Fatalf("refused admissions changed %+v", got)
	}

	got, err := f.svc.AdmitProvisionally(ctx, adminA, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recruit.StateProvisional || !slices.Equal(f.kinds(t, a.IdentityID), []recruit.NoticeKind{recruit.KindProvisional, recruit.KindReviewPassed}) {
		t.Errorf("admitted %+v, notifications %v", got, f.kinds(t, a.IdentityID))
	}
	e := f.lastAudit(t, review.ActionAdmitProvisionally)
	if e.StaffID != adminA.ID || e.BaseID != f.BaseA || e.Target != fmt.Sprintf("application:%d", a.ID) || e.Before != `"approved"` || e.After != `"provisional"` || e.RequestID != "req-9" {
		t.Errorf("audit entry %+v", e)
	}

	_, err = f.svc.UndoProvisional(ctx, adminB, a.ID, "")
	wantCode(t, "another base's admin undoing", err, recruit.ENOTFOUND)
	_, err = f.svc.UndoProvisional(ctx, reviewerA, a.ID, "")
	wantCode(t, "a reviewer undoing", err, recruit.EFORBIDDEN)
	_, err = f.svc.UndoProvisional(ctx, adminA, a.ID, strings.Repeat("长", review.MaxRemark+1))
	wantCode(t, "an undo remark too long", err, recruit.EINVALID)
	got, err = f.svc.UndoProvisional(ctx, adminA, a.ID, "  体检未通过  ")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := f.Store.ListNotifications(ctx, a.IdentityID)
	if err != nil || got.State != recruit.StateApproved || ns[0].Kind != recruit.KindOfferVoid || !strings.Contains(ns[0].Body, "体检未通过") {
		t.Errorf("undone %+v, notifications %+v, %v", got, ns, err)
	}
	if e := f.lastAudit(t, review.ActionUndoProvisional); e.Before != `"provisional"` || e.After != `"approved"` || e.Remark != "体检未通过" {
		t.Errorf("audit entry %+v", e)
	}
	if p := f.program(t, f.ProgA); p.Admitted != 0 {
		t.Errorf("admitted after the undo = %d, want 0", p.Admitted)
	}

	// Once published, the admission stays.
	f.clock.Set(testyear.Day(time.July, 12, 10))
	if _, err := f.svc.AdmitProvisionally(ctx, adminA, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PublishList(ctx, adminA, f.BaseA); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UndoProvisional(ctx, adminA, a.ID, "")
	wantMessage(t, "an undo after publishing", err, recruit.EFORBIDDEN, "公示后不能撤销拟录取")
	if got := f.App(t, a.ID); got.State != recruit.StateProvisional {
		t.Errorf("refused undo changed %+v", got)
	}
}

func (f *fixture) program(t *testing.T, id int64) recruit.Program {
	t.Helper()
	p, err := f.Store.GetProgram(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAdmitProvisionallyFull(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	prov := f.Staff(t, recruit.RoleProvince, 0)
	for i := range 5 {
		if _, err := f.svc.AdmitProvisionally(ctx, prov, f.approved(t, fmt.Sprint("人", i), f.ProgA, false).ID); err != nil {
			t.Fatal(err)
		}
	}
	last := f.approved(t, "李四", f.ProgA, false)
	_, err := f.svc.AdmitProvisionally(ctx, prov, last.ID)
	wantMessage(t, "a sixth admission into five seats", err, recruit.ECONFLICT, "甲医院 内科的招收计划（5 人）已满")
	if got := f.App(t, last.ID); got.State != recruit.StateApproved || f.program(t, f.ProgA).Admitted != 5 {
		t.Errorf("refused admission changed %+v", got)
	}
}

func TestAdmitProvisionallyInAdjustment(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	declines := f.approved(t, "王五", f.ProgA, false)
	accepts := f.approved(t, "赵六", f.ProgA, true)
	f.clock.Set(testyear.Day(time.August, 12, 9))
	_, err := f.svc.AdmitProvisionally(ctx, admin, declines.ID)
	wantMessage(t, "adjustment of one who does not accept it", err, recruit.EFORBIDDEN, "未选择接受调剂")
	if _, err := f.svc.AdmitProvisionally(ctx, admin, accepts.ID); err != nil {
		t.Errorf("adjustment of one who accepts it: %v", err)
	}
	f.clock.Set(testyear.Day(time.August, 20, 9))
	_, err = f.svc.AdmitProvisionally(ctx, admin, declines.ID)
	wantCode(t, "provisional admission in confirmation", err, recruit.EFORBIDDEN)
}

func TestPublishList(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	adminA, adminB, reviewerA := f.staffAB(t)

	_, err := f.svc.PublishList(ctx, adminB, f.BaseA)
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, err = f.svc.PublishList(ctx, reviewerA, f.BaseA)
	wantCode(t, "a reviewer", err, recruit.EFORBIDDEN)
	_, err = f.svc.PublishList(ctx, adminA, f.BaseA)
	wantMessage(t, "an empty list", err, recruit.ECONFLICT, "一志愿拟录取名单为空")

	zhang := f.approved(t, "张三", f.ProgA, false)
	ouyang := f.approved(t, "欧阳娜娜", f.ProgA, false)
	other := f.approved(t, "钱七", f.ProgB, false) // another base
	for _, a := range []recruit.Application{zhang, other} {
		if _, err := f.svc.AdmitProvisionally(ctx, recruit.Staff{ID: 1, Role: recruit.RoleProvince}, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	first, err := f.svc.PublishList(ctx, adminA, f.BaseA)
	if err != nil {
		t.Fatal(err)
	}
	if first.Round != recruit.PhaseRound1 || first.BaseID != f.BaseA || len(first.Entries) != 1 || first.Entries[0].Name != "张*" || first.Entries[0].SpecialtyName != "内科" {
		t.Errorf("first publication %+v", first)
	}
	if e := f.lastAudit(t, review.ActionPublishList); e.Target != fmt.Sprintf("publication:%d", first.ID) || e.BaseID != f.BaseA || !strings.Contains(e.After, `"entries":1`) {
		t.Errorf("audit entry %+v", e)
	}
	_, err = f.svc.PublishList(ctx, adminA, f.BaseA)
	wantMessage(t, "the same list again", err, recruit.ECONFLICT, "无需重新公示")

	f.clock.Set(testyear.Day(time.July, 13, 9))
	if _, err := f.svc.AdmitProvisionally(ctx, adminA, ouyang.ID); err != nil {
		t.Fatal(err)
	}
	second, err := f.svc.PublishList(ctx, adminA, f.BaseA)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{second.Entries[0].Name, second.Entries[1].Name}
	if !slices.Equal(names, []string{"张*", "欧阳**"}) || !second.PublishedAt.Equal(testyear.Day(time.July, 13, 9)) {
		t.Errorf("second publication %+v", second)
	}
	pubs, err := f.Store.ListPublications(ctx, testyear.Year, f.BaseA)
	if err != nil || len(pubs) != 2 || pubs[0].ID != second.ID || pubs[1].ID != first.ID {
		t.Errorf("publications %+v, %v; want the second and the first", pubs, err)
	}

	// Round2's list holds only round2's admissions.
	f.clock.Set(testyear.Day(time.August, 2, 9))
	_, err = f.svc.PublishList(ctx, adminA, f.BaseA)
	wantMessage(t, "round2 without admissions", err, recruit.ECONFLICT, "二志愿拟录取名单为空")
	late := f.approved(t, "孙八", f.ProgA, false)
	if _, err := f.svc.AdmitProvisionally(ctx, adminA, late.ID); err != nil {
		t.Fatal(err)
	}
	r2, err := f.svc.PublishList(ctx, adminA, f.BaseA)
	if err != nil || r2.Round != recruit.PhaseRound2 || len(r2.Entries) != 1 || r2.Entries[0].Name != "孙*" {
		t.Errorf("round2 publication %+v, %v", r2, err)
	}

	// Confirmation publishes the final list of the admitted.
	f.clock.Set(testyear.Day(time.August, 17, 9))
	_, err = f.svc.PublishList(ctx, adminA, f.BaseA)
	wantMessage(t, "a final list before any admission", err, recruit.ECONFLICT, "录取名单为空")
	if _, err := f.svc.AdmitApplication(ctx, adminA, ouyang.ID); err != nil {
		t.Fatal(err)
	}
	final, err := f.svc.PublishList(ctx, adminA, f.BaseA)
	if err != nil || !final.Final() || len(final.Entries) != 1 || final.Entries[0].Name != "欧阳**" {
		t.Errorf("final publication %+v, %v", final, err)
	}
	f.clock.Set(testyear.Day(time.September, 2, 9))
	_, err = f.svc.PublishList(ctx, adminA, f.BaseA)
	wantCode(t, "publishing when closed", err, recruit.EFORBIDDEN)
}

func TestAdmitApplication(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-11")
	f := newFixture(t)
	adminA, adminB, _ := f.staffAB(t)
	a := f.approved(t, "张三", f.ProgA, false)
	b := f.approved(t, "李四", f.ProgA, false)
	if _, err := f.svc.AdmitProvisionally(ctx, adminA, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.AdmitApplication(ctx, adminA, a.ID)
	wantMessage(t, "admission in round1", err, recruit.EFORBIDDEN, "确认录取仅在录取确认阶段进行")

	f.clock.Set(testyear.Day(time.August, 17, 9))
	_, err = f.svc.AdmitApplication(ctx, adminB, a.ID)
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, err = f.svc.AdmitApplication(ctx, adminA, b.ID)
	wantMessage(t, "admission of an approved application", err, recruit.EFORBIDDEN, "仅能对拟录取人员确认录取")
	got, err := f.svc.AdmitApplication(ctx, adminA, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recruit.StateAdmitted || f.kinds(t, a.IdentityID)[0] != recruit.KindAdmitted {
		t.Errorf("admitted %+v, notifications %v", got, f.kinds(t, a.IdentityID))
	}
	if p := f.program(t, f.ProgA); p.Admitted != 1 || p.Final != 1 || p.Provisional() != 0 {
		t.Errorf("counters %+v, want one final admission", p)
	}
	if e := f.lastAudit(t, review.ActionAdmitApplication); e.Before != `"provisional"` || e.After != `"admitted"` || e.RequestID != "req-11" {
		t.Errorf("audit entry %+v", e)
	}
}

func TestSendNotice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	reviewerA := f.Staff(t, recruit.RoleReviewer, f.BaseA)
	a := f.approved(t, "张三", f.ProgA, false)
	b := f.approved(t, "李四", f.ProgA, false)
	pending := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))
	other := f.approved(t, "王五", f.ProgB, false)
	at := testyear.Day(time.July, 20, 9)
	n := review.Notice{BaseID: f.BaseA, Kind: review.NoticeExam, At: at, Place: " 甲医院教学楼301 ", ApplicationIDs: []int64{a.ID, b.ID}}
	with := func(change func(*review.Notice)) review.Notice {
		c := n
		c.ApplicationIDs = slices.Clone(n.ApplicationIDs)
		change(&c)
		return c
	}

	for what, c := range map[string]struct {
		n    review.Notice
		code string
		part string
	}{
		"an unknown kind":       {with(func(c *review.Notice) { c.Kind = "party" }), recruit.EINVALID, "通知类型"},
		"a time in the past":    {with(func(c *review.Notice) { c.At = testyear.Day(time.July, 1, 9) }), recruit.EINVALID, "晚于当前时间"},
		"no place":              {with(func(c *review.Notice) { c.Place = " " }), recruit.EINVALID, "请填写地点"},
		"a repeated applicant":  {with(func(c *review.Notice) { c.ApplicationIDs = []int64{a.ID, a.ID} }), recruit.EINVALID, "不重复"},
		"a pending applicant":   {with(func(c *review.Notice) { c.ApplicationIDs = []int64{a.ID, pending.ID} }), recruit.EFORBIDDEN, fmt.Sprintf("报名编号 %d", pending.ID)},
		"another base's":        {with(func(c *review.Notice) { c.ApplicationIDs = []int64{a.ID, other.ID} }), recruit.ENOTFOUND, recruit.MsgNoApplication},
		"another base as a way": {with(func(c *review.Notice) { c.BaseID = f.BaseB }), recruit.ENOTFOUND, "不存在"},
	} {
		_, err := f.svc.SendNotice(ctx, adminA, c.n)
		wantMessage(t, what, err, c.code, c.part)
	}
	_, err := f.svc.SendNotice(ctx, reviewerA, n)
	wantCode(t, "a reviewer", err, recruit.EFORBIDDEN)
	if k := f.kinds(t, a.IdentityID); len(k) != 1 {
		t.Fatalf("refused notices queued %v", k)
	}

	res, err := f.svc.SendNotice(ctx, adminA, n)
	if err != nil || res != (review.NoticeResult{Queued: 2}) {
		t.Fatalf("SendNotice = %+v, %v", res, err)
	}
	ns, err := f.Store.ListNotifications(ctx, b.IdentityID)
	if err != nil || ns[0].Kind != recruit.KindExamNotice || !strings.Contains(ns[0].Body, "甲医院教学楼301") || !strings.Contains(ns[0].Body, "2025年07月20日 09:00") {
		t.Errorf("notifications %+v, %v", ns, err)
	}
	e := f.lastAudit(t, review.ActionSendNotice)
	if e.StaffID != adminA.ID || e.BaseID != f.BaseA || !strings.Contains(e.After, `"place":"甲医院教学楼301"`) || !strings.Contains(e.After, fmt.Sprintf(`"application_ids":[%d,%d]`, a.ID, b.ID)) {
		t.Errorf("audit entry %+v", e)
	}
	res, err = f.svc.SendNotice(ctx, adminA, with(func(c *review.Notice) { c.Kind = review.NoticeInterview }))
	if err != nil || res != (review.NoticeResult{Queued: 2}) {
		t.Errorf("an interview notice = %+v, %v", res, err)
	}
	res, err = f.svc.SendNotice(ctx, adminA, n)
	if err != nil || res != (review.NoticeResult{Already: 2}) || len(f.kinds(t, a.IdentityID)) != 3 {
		t.Errorf("the same notice again = %+v, %v; notifications %v", res, err, f.kinds(t, a.IdentityID))
	}
}

func TestAdmissionScreen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	adminA, adminB, reviewerA := f.staffAB(t)
	a := f.approved(t, "张三", f.ProgA, false)
	b := f.approved(t, "李四", f.ProgA, false)
	f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9)) // pending: not a candidate
	f.approved(t, "王五", f.ProgB, false)                       // another base
	if _, err := f.svc.AdmitProvisionally(ctx, adminA, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PublishList(ctx, adminA, f.BaseA); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetBaseDates(ctx, adminA, recruit.BaseDates{BaseID: f.BaseA, Round: recruit.PhaseRound1, Interview: testyear.Day(time.July, 25, 9)}); err != nil {
		t.Fatal(err)
	}

	_, err := f.svc.Admission(ctx, adminB, f.BaseA)
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, err = f.svc.Admission(ctx, reviewerA, f.BaseA)
	wantCode(t, "a reviewer", err, recruit.EFORBIDDEN)
	got, err := f.svc.Admission(ctx, adminA, f.BaseA)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phase != recruit.PhaseRound1 || len(got.Programs) != 1 || got.Programs[0].Admitted != 1 || len(got.Publications) != 1 || len(got.Dates) != 1 {
		t.Errorf("admission screen %+v", got)
	}
	if len(got.Candidates) != 2 || got.Candidates[0].App.ID != a.ID || got.Candidates[0].Name != "张三" || !got.Candidates[0].Published ||
		got.Candidates[1].App.ID != b.ID || got.Candidates[1].Published || got.Candidates[1].Program.ID != f.ProgA {
		t.Errorf("candidates %+v", got.Candidates)
	}
}
