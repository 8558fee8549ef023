package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhupei/recruit"
)

// consoleAs logs a new sandbox user into the console and redeems an
// invitation of role at base; it returns the browser and a page's form
// token.
func (f *wxFixture) consoleAs(t *testing.T, name string, role recruit.Role, base int64) (*browser, string) {
	t.Helper()
	pc := f.browser()
	f.consoleLogin(t, pc, f.user(t, name))
	_, body := pc.get(t, "/admin/redeem")
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, role, base, name)}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	_, body = pc.get(t, "/admin")
	return pc, csrfOf(t, body)
}

// The province's screens: each one refused to a base admin (403) but the
// statistics and the audit log, which show the base admin's own base; the
// province edits the calendar, a plan and the notice through the forms, a
// refused change shows the page again with the reason and what was typed,
// and the audit log lists the changes.
func TestConsoleProvinceScreens(t *testing.T) {
	f := newConsoleFixture(t)
	admin, _ := f.consoleAs(t, "王主任", recruit.RoleBaseAdmin, f.baseA)
	for _, path := range []string{"/admin/calendar", "/admin/plans", "/admin/notice"} {
		resp, body := admin.get(t, path)
		want(t, "a base admin's "+path, resp, body, http.StatusForbidden, "")
	}
	resp, body := admin.get(t, "/admin/statistics")
	want(t, "a base admin's statistics", resp, body, http.StatusOK, "")
	wantContains(t, "a base admin's statistics", body, "甲医院", `id="chart-seats-title"`, `id="chart-days-title"`, ">统计<",
		fmt.Sprintf(`data-program="%d"`, f.progA1), fmt.Sprintf(`data-program="%d"`, f.progA2))
	wantMissing(t, "a base admin's statistics", body, "乙医院", "实名认证")
	resp, body = admin.get(t, fmt.Sprintf("/admin/statistics?base=%d", f.baseB))
	want(t, "a base admin asking for another base", resp, body, http.StatusNotFound, "")

	prov, token := f.consoleAs(t, "省中心", recruit.RoleProvince, 0)
	resp, body = prov.get(t, "/admin/calendar")
	want(t, "calendar screen", resp, body, http.StatusOK, "")
	cal := recruit.DefaultCalendar(testYear)
	form := url.Values{csrfField: {token}}
	for _, ps := range cal.Starts() {
		form.Set(string(ps.Phase), ps.At.In(recruit.Shanghai).Format(localMinute))
		wantContains(t, "calendar screen", body, fmt.Sprintf(`name="%s" value="%s"`, ps.Phase, ps.At.In(recruit.Shanghai).Format(localMinute)))
	}
	form.Set("round2", "2025-07-01T00:00") // before round1: out of order
	resp, body = prov.post(t, "/admin/calendar", form)
	want(t, "an unordered calendar", resp, body, http.StatusBadRequest, "")
	wantContains(t, "an unordered calendar", body, `id="calendar-error"`, `name="round2" value="2025-07-01T00:00"`)
	form.Set("round2", "2025-08-01T00:00")
	form.Set("registration", "2025-07-06T00:00") // registration has begun: moving it later needs the override
	resp, body = prov.post(t, "/admin/calendar", form)
	want(t, "moving a begun phase", resp, body, http.StatusForbidden, "")
	wantContains(t, "moving a begun phase", body, "强制修改", `name="registration" value="2025-07-06T00:00"`)
	form.Set("override", "1")
	form.Set("reason", "系统维护，报名顺延一天")
	resp, body = prov.post(t, "/admin/calendar", form)
	want(t, "a begun phase moved with the override", resp, body, http.StatusSeeOther, "/admin/calendar?saved=2025")
	if es, _ := f.store.ListAudit(context.Background(), recruit.AuditFilter{Action: "update_calendar"}); len(es) != 1 || !strings.Contains(es[0].Remark, "系统维护") {
		t.Errorf("the override's audit entries: %+v", es)
	}
	form.Set("registration", "2025-07-01T00:00")
	form.Set("closed", "2025-09-02T00:00")
	resp, body = prov.post(t, "/admin/calendar", form)
	want(t, "calendar saved", resp, body, http.StatusSeeOther, "/admin/calendar?saved=2025")
	if y, _ := f.store.GetYear(context.Background(), testYear); y.Calendar.Closed.In(recruit.Shanghai).Day() != 2 {
		t.Errorf("stored calendar %+v", y.Calendar)
	}

	resp, body = prov.get(t, "/admin/plans")
	want(t, "plans screen", resp, body, http.StatusOK, "")
	wantContains(t, "plans screen", body, "甲医院", "乙医院", fmt.Sprintf(`action="/admin/plans/%d?base=%d"`, f.progA1, f.baseA), `id="import-form"`)
	resp, body = prov.post(t, fmt.Sprintf("/admin/plans/%d?base=%d", f.progA1, f.baseA), url.Values{csrfField: {token}, "plan": {"0"}})
	want(t, "a plan below the admitted", resp, body, http.StatusConflict, "")
	wantContains(t, "a plan below the admitted", body, "不能少于已录取人数", `value="0" required`)
	resp, body = prov.post(t, fmt.Sprintf("/admin/plans/%d?base=%d", f.progA1, f.baseA), url.Values{csrfField: {token}, "plan": {"十二"}})
	want(t, "a plan that is no number", resp, body, http.StatusBadRequest, "")
	resp, body = prov.post(t, fmt.Sprintf("/admin/plans/%d?base=%d", f.progA1, f.baseA), url.Values{csrfField: {token}, "plan": {"12"}})
	want(t, "plan saved", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/plans?base=%d&saved=plan", f.baseA))
	if p, _ := f.store.GetProgram(context.Background(), f.progA1); p.Plan != 12 {
		t.Errorf("plan after the form = %d, want 12", p.Plan)
	}

	resp, body = prov.post(t, "/admin/notice", url.Values{csrfField: {token}, "notice": {"  "}})
	want(t, "an empty notice", resp, body, http.StatusBadRequest, "")
	wantContains(t, "an empty notice", body, "请填写温馨提示的内容")
	resp, body = prov.post(t, "/admin/notice", url.Values{csrfField: {token}, "notice": {"一、报名请携带身份证。\n二、新的提示。"}})
	want(t, "notice saved", resp, body, http.StatusSeeOther, "/admin/notice?saved=1")
	_, home := prov.get(t, "/")
	wantContains(t, "the home page", home, "新的提示。")

	resp, body = prov.get(t, "/admin/statistics")
	want(t, "the province's statistics", resp, body, http.StatusOK, "")
	wantContains(t, "the province's statistics", body, "甲医院", "乙医院", "实名认证", `id="stats-total"`,
		fmt.Sprintf(`data-base="%d"`, f.baseA), fmt.Sprintf(`href="/admin/statistics?base=%d"`, f.baseB))
	resp, body = prov.get(t, fmt.Sprintf("/admin/statistics?base=%d&round=round1", f.baseB))
	want(t, "the province's statistics of base B", resp, body, http.StatusOK, "")
	wantContains(t, "the province's statistics of base B", body, fmt.Sprintf(`data-program="%d"`, f.progB1), "一志愿审核")
	wantMissing(t, "the province's statistics of base B", body, fmt.Sprintf(`data-program="%d"`, f.progA1))
	resp, body = prov.get(t, "/admin/audit")
	want(t, "the province's audit log", resp, body, http.StatusOK, "")
	wantContains(t, "the province's audit log", body, "修改年度日程", "修改计划数", "修改温馨提示", "系统维护，报名顺延一天")
	resp, body = prov.get(t, "/admin/audit?action=update_plan")
	want(t, "the audit log by action", resp, body, http.StatusOK, "")
	if n := strings.Count(body, "data-entry="); n != 1 {
		t.Errorf("the audit log of update_plan has %d rows, want 1", n)
	}
	resp, body = admin.get(t, "/admin/audit")
	want(t, "a base admin's audit log", resp, body, http.StatusOK, "")
	if n := strings.Count(body, "data-entry="); n != 1 || !strings.Contains(body, "修改计划数") {
		t.Errorf("base A's audit log has %d rows, want the plan change of its program", n)
	}
}
