package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/wechat"
)

// newAdmissionConsole is the console fixture with the review service, in
// round1, and a logged-in console browser of a new staff member of role at
// base; it returns the fixture, the browser and a form token of it.
func newAdmissionConsole(t *testing.T, role recruit.Role, base func(*wxFixture) int64) (*wxFixture, *browser, string) {
	t.Helper()
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		c.Province = province.New(province.Deps{Store: c.Store.(province.Store), Now: c.Now})
		c.Review = review.New(review.Deps{Store: c.Store.(review.Store), Now: c.Now})
	})
	f.seed(t)
	f.clock.Set(time.Date(testYear, time.July, 12, 9, 0, 0, 0, recruit.Shanghai))
	pc := f.consoleBrowser(t, role, base(f))
	return f, pc, f.token(t, pc)
}

// consoleBrowser logs a new staff member of role at base into the console.
func (f *wxFixture) consoleBrowser(t *testing.T, role recruit.Role, base int64) *browser {
	t.Helper()
	pc := f.browser()
	f.consoleLogin(t, pc, f.user(t, fmt.Sprint("工作人员", role, base)))
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {f.token(t, pc)}, "code": {f.invite(t, role, base, "")}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	return pc
}

// token returns a form token of pc's console session.
func (f *wxFixture) token(t *testing.T, pc *browser) string {
	t.Helper()
	_, body := pc.get(t, "/admin/redeem")
	if resp, home := pc.get(t, "/admin"); resp.StatusCode == http.StatusOK {
		body = home
	}
	return csrfOf(t, body)
}

// approvedApp approves a pending application of program and returns it.
func (f *wxFixture) approvedApp(t *testing.T, program int64) recruit.Application {
	t.Helper()
	apps, err := f.store.ListApplications(context.Background(), program)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if a.State == recruit.StatePending {
			out, err := f.store.Review(context.Background(), a.ID, recruit.StateApproved, "", f.clock.Now(), nil)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("no pending application of program %d", program)
	return recruit.Application{}
}

func TestConsoleAdmission(t *testing.T) {
	f, pc, token := newAdmissionConsole(t, recruit.RoleBaseAdmin, func(f *wxFixture) int64 { return f.baseA })
	app := f.approvedApp(t, f.progA1)
	resp, body := pc.get(t, "/admin/admission")
	want(t, "admission screen", resp, body, http.StatusOK, "")
	wantContains(t, "admission screen", body, "当前阶段：一志愿审核、拟录取阶段", `data-poll="/api/v1/programs?base=`,
		fmt.Sprintf(`<tr data-id="%d"><td data-label="培训专业">内科</td><td class="num" data-label="计划数" data-field="plan">10</td>`, f.progA1),
		`data-field="provisional">1</td>`, `data-field="free">9</td>`,
		fmt.Sprintf(`action="/admin/admission/%d/provisional"`, app.ID), "撤销拟录取", "公示一志愿拟录取名单", "尚未公示过名单")

	act := func(path string, form url.Values) (*http.Response, string) {
		form.Set(csrfField, token)
		return pc.post(t, path, form)
	}
	resp, body = pc.post(t, fmt.Sprintf("/admin/admission/%d/provisional", app.ID), url.Values{})
	want(t, "without the form token", resp, body, http.StatusForbidden, "")
	resp, body = act(fmt.Sprintf("/admin/admission/%d/provisional", app.ID), url.Values{})
	want(t, "provisional admission", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/admission?base=%d&done=provisional", f.baseA))
	_, body = pc.get(t, resp.Header.Get("Location"))
	wantContains(t, "after the admission", body, "已拟录取，报名人员将收到拟录取通知", `data-field="provisional">2</td>`, `data-field="free">8</td>`)
	resp, body = act(fmt.Sprintf("/admin/admission/%d/provisional", app.ID), url.Values{})
	want(t, "admitting twice", resp, body, http.StatusForbidden, "")
	wantContains(t, "admitting twice", body, `id="refusal"`, "仅能拟录取审核通过的人员", "拟录取与公示")

	resp, body = act("/admin/admission/publish", url.Values{})
	want(t, "publish", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/admission?base=%d&done=publish", f.baseA))
	_, body = pc.get(t, resp.Header.Get("Location"))
	wantContains(t, "after publishing", body, "名单已公示", `<td data-label="名单">一志愿拟录取名单</td><td data-label="公示时间">2025-07-12 09:00:00</td><td data-label="人数">1</td>`, "（已公示）")
	resp, body = act(fmt.Sprintf("/admin/admission/%d/undo", app.ID), url.Values{"remark": {"材料不全"}})
	want(t, "undo after publishing", resp, body, http.StatusForbidden, "")
	wantContains(t, "undo after publishing", body, "公示后不能撤销拟录取")
	resp, body = act(fmt.Sprintf("/admin/admission/%d/nothing", app.ID), url.Values{})
	want(t, "an unknown action", resp, body, http.StatusNotFound, "")

	// Another base's admin reaches none of it.
	other := f.consoleBrowser(t, recruit.RoleBaseAdmin, f.baseB)
	resp, body = other.post(t, fmt.Sprintf("/admin/admission/%d/admit", app.ID), url.Values{csrfField: {f.token(t, other)}})
	want(t, "another base's admin", resp, body, http.StatusNotFound, "")
	_, body = other.get(t, "/admin/admission")
	wantMissing(t, "another base's screen", body, fmt.Sprintf(`data-app="%d"`, app.ID))
	reviewer := f.consoleBrowser(t, recruit.RoleReviewer, f.baseA)
	resp, body = reviewer.get(t, "/admin/admission")
	want(t, "a reviewer", resp, body, http.StatusForbidden, "")
}

func TestConsoleDatesAndNotices(t *testing.T) {
	f, pc, token := newAdmissionConsole(t, recruit.RoleBaseAdmin, func(f *wxFixture) int64 { return f.baseA })
	app := f.approvedApp(t, f.progA1)
	resp, body := pc.get(t, "/admin/dates")
	want(t, "dates screen", resp, body, http.StatusOK, "")
	wantContains(t, "dates screen", body, `id="dates-round1"`, `id="dates-adjustment"`, "批次时间：2025-07-11 00:00:00 至 2025-08-01 00:00:00",
		`name="interview" value=""`, fmt.Sprintf(`name="app" value="%d"`, app.ID))

	resp, body = pc.post(t, "/admin/dates", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"下周一"}, "written_exam": {"2025-07-18T09:00"}})
	want(t, "a date that is no date", resp, body, http.StatusBadRequest, "")
	wantContains(t, "a date that is no date", body, "面试的格式应为", `name="interview" value="下周一"`, `name="written_exam" value="2025-07-18T09:00"`)
	resp, body = pc.post(t, "/admin/dates", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"2025-08-02T09:00"}})
	want(t, "an interview after the round", resp, body, http.StatusBadRequest, "")
	wantContains(t, "an interview after the round", body, "面试日期须在一志愿审核、拟录取阶段内")
	resp, body = pc.post(t, "/admin/dates", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"2025-07-25T09:00"}})
	want(t, "dates", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/dates?base=%d&done=dates", f.baseA))
	_, body = pc.get(t, resp.Header.Get("Location"))
	wantContains(t, "after saving", body, "日期已保存", `name="interview" value="2025-07-25T09:00"`)

	notice := url.Values{csrfField: {token}, "kind": {"interview"}, "at": {"2025-07-25T09:00"}, "place": {"甲医院门诊楼"}}
	resp, body = pc.post(t, "/admin/notices", notice)
	want(t, "a notice to nobody", resp, body, http.StatusBadRequest, "")
	wantContains(t, "a notice to nobody", body, "请选择 1 至 500 名不重复的报名人员", `value="甲医院门诊楼"`, `<option value="interview" selected>`)
	notice.Set("app", fmt.Sprint(app.ID))
	resp, body = pc.post(t, "/admin/notices", notice)
	want(t, "notice", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/dates?already=0&base=%d&sent=1", f.baseA))
	_, body = pc.get(t, resp.Header.Get("Location"))
	wantContains(t, "after the notice", body, "通知已发送给 1 名人员。")
	ns, err := f.store.ListNotifications(context.Background(), app.IdentityID)
	if err != nil || len(ns) == 0 || ns[0].Kind != recruit.KindInterviewNotice {
		t.Errorf("notifications %+v, %v", ns, err)
	}
}

func TestConsoleAdmissionProvincePicksBase(t *testing.T) {
	f, pc, token := newAdmissionConsole(t, recruit.RoleProvince, func(*wxFixture) int64 { return 0 })
	resp, body := pc.get(t, "/admin/admission")
	want(t, "province without a base", resp, body, http.StatusOK, "")
	wantContains(t, "province without a base", body, `id="pick-base"`, fmt.Sprintf(`<option value="%d">甲医院</option>`, f.baseA))
	_, body = pc.get(t, fmt.Sprintf("/admin/admission?base=%d", f.baseB))
	wantContains(t, "province at base B", body, fmt.Sprintf(`<tr data-id="%d">`, f.progB1))
	app := f.approvedApp(t, f.progB1)
	resp, body = pc.post(t, fmt.Sprintf("/admin/admission/%d/provisional", app.ID), url.Values{csrfField: {token}, "base": {fmt.Sprint(f.baseB)}})
	want(t, "province admission", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/admission?base=%d&done=provisional", f.baseB))
	resp, body = pc.get(t, "/admin/dates?base=x")
	want(t, "a bad base", resp, body, http.StatusBadRequest, "")
}
