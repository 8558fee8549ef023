package province_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/store"
)

// auditCount counts the audit entries.
func auditCount(t *testing.T, f *fixture) int {
	t.Helper()
	es, err := f.Store.ListAudit(context.Background(), recruit.AuditFilter{Limit: recruit.MaxAuditPage})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// nonProvince are the staff refused the province's changes.
func nonProvince(t *testing.T, f *fixture) map[string]recruit.Staff {
	disabled := f.Staff(t, recruit.RoleProvince, 0)
	disabled.Disabled = true
	return map[string]recruit.Staff{
		"a reviewer":                f.Staff(t, recruit.RoleReviewer, f.BaseA),
		"a base admin":              f.Staff(t, recruit.RoleBaseAdmin, f.BaseA),
		"a disabled province admin": disabled,
	}
}

func TestUpdatePlan(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-plan")
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	prov := f.Staff(t, recruit.RoleProvince, 0)
	for name, by := range nonProvince(t, f) {
		if _, err := f.svc.UpdatePlan(ctx, by, f.ProgA, 9); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	for i := range 2 {
		app := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 2, 9+i))
		f.review(t, app, recruit.StateApproved)
		if _, err := f.Store.ProvisionallyAdmit(ctx, app.ID, testyear.Day(time.July, 12, 9), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.UpdatePlan(ctx, prov, f.ProgA, 2)
	if err != nil || got.Plan != 2 || got.Admitted != 2 {
		t.Fatalf("UpdatePlan to 2 = %+v, %v", got, err)
	}
	e := lastAudit(t, f, "")
	if e.Action != province.ActionUpdatePlan || e.BaseID != f.BaseA || e.StaffID != prov.ID || e.RequestID != "req-plan" ||
		!strings.Contains(e.Before, `"plan":5`) || !strings.Contains(e.After, `"plan":2`) {
		t.Errorf("audit entry = %+v, want update_plan of base A from 5 to 2", e)
	}
	n := auditCount(t, f)
	_, err = f.svc.UpdatePlan(ctx, prov, f.ProgA, 1)
	if recruit.ErrorCode(err) != recruit.ECONFLICT || !strings.Contains(recruit.ErrorMessage(err), "不能少于已录取人数") {
		t.Errorf("UpdatePlan below the admitted: %v, want ECONFLICT saying why", err)
	}
	if _, err := f.svc.UpdatePlan(ctx, prov, 999, 3); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("UpdatePlan of a missing program: %v, want ENOTFOUND", err)
	}
	if auditCount(t, f) != n {
		t.Error("a refused plan change was audited")
	}
}

func TestImportPlan(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	f.svc = province.New(province.Deps{Store: f.store, Now: f.clock.Now, ParsePlan: store.ParsePlan})
	prov := f.Staff(t, recruit.RoleProvince, 0)
	good := "基地名称,城市,专业代码,专业名称,计划数\n甲医院,济南,0100,内科,7\n丙医院,淄博,0200,儿科,4\n"
	for name, by := range nonProvince(t, f) {
		if _, err := f.svc.ImportPlan(ctx, by, 0, "plan.csv", strings.NewReader(good)); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	programs := func() []recruit.Program {
		ps, err := f.Store.ListPrograms(ctx, recruit.ProgramFilter{Year: testyear.Year})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	before := programs()
	for _, c := range []struct {
		name, file, body string
		want             string
	}{
		{"a bad row", "plan.csv", "基地名称,城市,专业代码,专业名称,计划数\n甲医院,济南,0100,内科,7\n乙医院,青岛,01,内科,x\n", "第3行"},
		{"a text file", "plan.txt", good, ".csv 或 .xlsx"},
	} {
		_, err := f.svc.ImportPlan(ctx, prov, 0, c.file, strings.NewReader(c.body))
		if recruit.ErrorCode(err) != recruit.EINVALID || !strings.Contains(recruit.ErrorMessage(err), c.want) {
			t.Errorf("%s: %v, want EINVALID naming %s", c.name, err, c.want)
		}
	}
	if got := programs(); len(got) != len(before) || got[0] != before[0] || auditCount(t, f) != 0 {
		t.Fatalf("refused imports changed the plan to %+v or were audited", got)
	}
	n, err := f.svc.ImportPlan(ctx, prov, 0, "plan.csv", strings.NewReader(good))
	if err != nil || n != 2 {
		t.Fatalf("ImportPlan = %d, %v", n, err)
	}
	after := programs()
	if len(after) != 3 || after[0].Plan != 7 || after[1].Plan != 5 {
		t.Errorf("programs after the import = %+v", after)
	}
	e := lastAudit(t, f, "")
	var sum struct {
		File     string           `json:"file"`
		Programs int              `json:"programs"`
		Plan     int              `json:"plan"`
		Changed  map[string][]int `json:"changed"`
	}
	if err := json.Unmarshal([]byte(e.After), &sum); err != nil || e.Action != province.ActionImportPlan || sum.File != "plan.csv" ||
		sum.Programs != 3 || sum.Plan != 16 || len(sum.Changed) != 2 || sum.Changed["甲医院/0100"][0] != 5 || sum.Changed["丙医院/0200"][0] != -1 {
		t.Errorf("audit entry = %+v (%+v, %v)", e, sum, err)
	}
}

func TestUpdateNotice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	prov := f.Staff(t, recruit.RoleProvince, 0)
	for name, by := range nonProvince(t, f) {
		if _, err := f.svc.UpdateNotice(ctx, by, 0, "新的提示"); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	for _, bad := range []string{"  \n ", strings.Repeat("长", province.MaxNotice+1)} {
		if _, err := f.svc.UpdateNotice(ctx, prov, 0, bad); recruit.ErrorCode(err) != recruit.EINVALID {
			t.Errorf("notice of %d characters: %v, want EINVALID", len([]rune(bad)), err)
		}
	}
	text := "一、报名时间为7月1日至10日。\r\n二、请如实填写。"
	y, err := f.svc.UpdateNotice(ctx, prov, 0, "  "+text+"\n")
	want := strings.ReplaceAll(text, "\r\n", "\n")
	if err != nil || y.Notice != want {
		t.Fatalf("UpdateNotice = %q, %v", y.Notice, err)
	}
	stored, err := f.Store.GetYear(ctx, testyear.Year)
	if err != nil || stored.Notice != want || stored.Calendar != y.Calendar {
		t.Errorf("stored year = %+v, %v", stored, err)
	}
	if e := lastAudit(t, f, ""); e.Action != province.ActionUpdateNotice || e.Before != `""` || !strings.Contains(e.After, "如实填写") {
		t.Errorf("audit entry = %+v", e)
	}
}

func TestAuditReach(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	prov := f.Staff(t, recruit.RoleProvince, 0)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	at := testyear.Day(time.July, 12, 9)
	for i, e := range []recruit.AuditEntry{
		{BaseID: f.BaseA, Action: "review"}, {BaseID: f.BaseB, Action: "review"}, {Action: "update_calendar"}, {BaseID: f.BaseA, Action: "set_base_dates"},
	} {
		e.At, e.StaffID, e.Role = at.Add(time.Duration(i)*time.Hour), adminA.ID, recruit.RoleBaseAdmin
		if _, err := f.Store.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	actions := func(es []recruit.AuditEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Action)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name string
		by   recruit.Staff
		f    recruit.AuditFilter
		want string
	}{
		{"the province", prov, recruit.AuditFilter{}, "set_base_dates,update_calendar,review,review"},
		{"the province, base B", prov, recruit.AuditFilter{BaseID: f.BaseB}, "review"},
		{"base A's admin", adminA, recruit.AuditFilter{}, "set_base_dates,review"},
		{"base A's admin, by action", adminA, recruit.AuditFilter{Action: "review"}, "review"},
		{"base A's admin, from the second hour", adminA, recruit.AuditFilter{From: at.Add(time.Hour)}, "set_base_dates"},
	} {
		es, err := f.svc.Audit(ctx, c.by, c.f)
		if err != nil || actions(es) != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, actions(es), err, c.want)
		}
	}
	for _, c := range []struct {
		name string
		by   recruit.Staff
		f    recruit.AuditFilter
		want string
	}{
		{"a reviewer", f.Staff(t, recruit.RoleReviewer, f.BaseA), recruit.AuditFilter{}, recruit.EFORBIDDEN},
		{"base A's admin asking for base B", adminA, recruit.AuditFilter{BaseID: f.BaseB}, recruit.ENOTFOUND},
		{"an empty time range", prov, recruit.AuditFilter{From: at, Until: at}, recruit.EINVALID},
	} {
		if _, err := f.svc.Audit(ctx, c.by, c.f); recruit.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
}
