package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/wechat"
)

// appState answers the state of an admission operation's reply.
func appState(t *testing.T, what string, st int, body []byte) recruit.State {
	t.Helper()
	var out struct {
		Application struct {
			State      recruit.State
			StateLabel string `json:"state_label"`
		}
	}
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Application.StateLabel != out.Application.State.Label() {
		t.Fatalf("%s: %d %s", what, st, body)
	}
	return out.Application.State
}

// at moves the fixture's clock to hour o'clock of day d of month m.
func (f *adminFixture) at(m time.Month, d, hour int) {
	f.clock.Set(time.Date(testYear, m, d, hour, 0, 0, 0, recruit.Shanghai))
}

func TestAdminAdmission(t *testing.T) {
	ctx := context.Background()
	f := newAdminFixture(t)
	f.at(time.July, 12, 9) // round1
	tokA, adminA := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	tokB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	reviewer, _ := f.token(t, recruit.RoleReviewer, f.baseA)
	app := f.pendingApp(t, f.progA1)
	if _, err := f.store.Review(ctx, app.ID, recruit.StateApproved, "", f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	prov := fmt.Sprintf("/api/v1/admin/applications/%d/provisional", app.ID)

	st, body := f.call(t, http.MethodPost, prov, "", nil)
	wantError(t, "no token", st, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED)
	st, body = f.call(t, http.MethodPost, prov, tokB, nil)
	wantError(t, "another base's admin", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, prov, reviewer, nil)
	wantError(t, "a reviewer", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/applications/0/provisional", tokA, nil)
	wantError(t, "a bad id", st, body, http.StatusBadRequest, recruit.EINVALID)
	m := f.newMember(t, 8)
	if resp, raw := f.api(t, m, http.MethodPost, prov, nil); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("an applicant: %d %s", resp.StatusCode, raw)
	}

	st, body = f.call(t, http.MethodPost, prov, tokA, nil)
	if s := appState(t, "admitProvisionally", st, body); s != recruit.StateProvisional {
		t.Fatalf("state %s", s)
	}
	st, body = f.call(t, http.MethodPost, prov, tokA, nil)
	wantError(t, "admitting twice", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, prov+"/undo", tokA, `{"remark": 1}`)
	wantError(t, "a remark that is no text", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, prov+"/undo", tokA, map[string]string{"remark": "材料不全"})
	if s := appState(t, "undoProvisional", st, body); s != recruit.StateApproved {
		t.Fatalf("state %s", s)
	}
	f.at(time.July, 12, 10)
	st, body = f.call(t, http.MethodPost, prov, tokA, nil)
	appState(t, "admitProvisionally again", st, body)

	pub := fmt.Sprintf("/api/v1/admin/bases/%d/publications", f.baseA)
	st, body = f.call(t, http.MethodPost, pub, tokB, nil)
	wantError(t, "another base's admin publishing", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, pub, tokA, nil)
	var published struct {
		Publication struct {
			ID      int64
			Title   string
			Final   bool
			Entries []struct{ Name, SpecialtyName string }
		}
	}
	if st != http.StatusCreated || json.Unmarshal(body, &published) != nil || published.Publication.Title != "一志愿拟录取名单" ||
		len(published.Publication.Entries) != 1 || published.Publication.Entries[0].Name != "测*" || strings.Contains(string(body), "application_id") {
		t.Fatalf("publishList: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodPost, pub, tokA, nil)
	wantError(t, "publishing the same list again", st, body, http.StatusConflict, recruit.ECONFLICT)
	st, body = f.call(t, http.MethodPost, prov+"/undo", tokA, nil)
	wantError(t, "undoing a published admission", st, body, http.StatusForbidden, recruit.EFORBIDDEN)

	page := f.get(t, fmt.Sprintf("/results/%d", f.baseA), http.StatusOK)
	wantContains(t, "published results", page, "一志愿拟录取名单", `<span class="name">测*</span><span class="specialty">内科</span>`, "2025-07-12 10:00:00")
	wantMissing(t, "published results", page, "测试", "尚未公布拟录取名单")
	wantContains(t, "results index", f.get(t, "/results", http.StatusOK), fmt.Sprintf(`<a href="/results/%d">查看名单</a>`, f.baseA), "2025-07-12 10:00:00")

	// Notices go to approved applicants only.
	other := f.pendingApp(t, f.progA1)
	notice := map[string]any{"kind": "interview", "at": "2025-07-20T09:00:00+08:00", "place": "甲医院门诊楼", "application_ids": []int64{other.ID}}
	notices := fmt.Sprintf("/api/v1/admin/bases/%d/notices", f.baseA)
	st, body = f.call(t, http.MethodPost, notices, tokA, notice)
	wantError(t, "a notice to a pending applicant", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, fmt.Sprintf("/api/v1/admin/bases/%d/notices", f.baseB), tokA, notice)
	wantError(t, "a notice through another base", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, notices, tokA, `{"kind": "interview", "at": "明天"}`)
	wantError(t, "a time that is no time", st, body, http.StatusBadRequest, recruit.EINVALID)
	if _, err := f.store.Review(ctx, other.ID, recruit.StateApproved, "", f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	st, body = f.call(t, http.MethodPost, notices, tokA, notice)
	if st != http.StatusOK || string(body) != `{"queued":1,"already":0}` {
		t.Errorf("sendNotice: %d %s", st, body)
	}

	admit := fmt.Sprintf("/api/v1/admin/applications/%d/admit", app.ID)
	st, body = f.call(t, http.MethodPost, admit, tokA, nil)
	wantError(t, "admission in round1", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	f.at(time.August, 17, 9) // confirmation: the tokens of July have expired
	tokA, _ = f.token(t, recruit.RoleBaseAdmin, f.baseA)
	tokB, _ = f.token(t, recruit.RoleBaseAdmin, f.baseB)
	st, body = f.call(t, http.MethodPost, admit, tokB, nil)
	wantError(t, "another base's admission", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, admit, tokA, nil)
	if s := appState(t, "admitApplication", st, body); s != recruit.StateAdmitted {
		t.Fatalf("state %s", s)
	}
	st, body = f.call(t, http.MethodPost, pub, tokA, nil)
	if st != http.StatusCreated || !strings.Contains(string(body), `"final":true`) || !strings.Contains(string(body), `"title":"录取名单"`) {
		t.Errorf("publishing the final list: %d %s", st, body)
	}

	// The board now shows 拟录取 and 已录取 apart: the seeded provisional
	// admission and this final one, once the public snapshot (read above
	// for /results) is renewed: within seconds.
	split := `<th class="num">拟录取</th><th class="num">已录取</th>`
	board := f.get(t, "/board", http.StatusOK)
	for deadline := time.Now().Add(3 * snapshotTTL); !strings.Contains(board, split) && time.Now().Before(deadline); {
		time.Sleep(snapshotTTL / 10)
		board = f.get(t, "/board", http.StatusOK)
	}
	wantContains(t, "board", board, split,
		`<td class="num" data-field="provisional">1</td><td class="num" data-field="final">1</td>`,
		`<td class="num" data-total="provisional">1</td><td class="num" data-total="final">1</td>`)
	wantMissing(t, "board", board, "拟录取人数</th>")

	entries, err := f.store.ListAudit(ctx, recruit.AuditFilter{BaseID: f.baseA})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.RequestID == "" || e.Role != recruit.RoleBaseAdmin {
			t.Errorf("audit entry %+v", e)
		}
	}
	want := "[publish_list admit_application send_notice publish_list admit_provisionally undo_provisional admit_provisionally]"
	if fmt.Sprint(actions) != want || entries[len(entries)-1].StaffID != adminA.ID {
		t.Errorf("audit actions %v, want %s by %d", actions, want, adminA.ID)
	}
}

// A republished list shows the newest publication and keeps the earlier
// ones visible as superseded, on the page and in the API.
func TestResultsKeepEarlierPublications(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	entry := func(app int64, name string) recruit.PublishedEntry {
		return recruit.PublishedEntry{ApplicationID: app, Name: name, SpecialtyCode: "0100", SpecialtyName: "内科"}
	}
	at := time.Date(testYear, time.July, 20, 10, 0, 0, 0, recruit.Shanghai)
	for _, p := range []recruit.Publication{
		{Year: testYear, BaseID: f.baseA, Round: recruit.PhaseRound1, PublishedAt: at, Entries: []recruit.PublishedEntry{entry(1, "张*")}},
		{Year: testYear, BaseID: f.baseA, Round: recruit.PhaseRound1, PublishedAt: at.Add(time.Hour), Entries: []recruit.PublishedEntry{entry(1, "张*"), entry(2, "欧阳**")}},
		{Year: testYear, BaseID: f.baseA, Round: recruit.PhaseConfirmation, PublishedAt: at.Add(30 * 24 * time.Hour), Entries: []recruit.PublishedEntry{entry(2, "欧阳**")}},
	} {
		if _, err := f.store.AddPublication(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	page := f.get(t, fmt.Sprintf("/results/%d", f.baseA), http.StatusOK)
	wantContains(t, "base results", page,
		`<section class="card published" id="list-round1">`, "公示时间：<span class=\"published-at\">2025-07-20 11:00:00</span> · 共 2 人 · 此前已公示 1 次，以本次为准",
		`<span class="name">欧阳**</span>`, "<summary>2025-07-20 10:00:00 的公示（已更新，仅供查阅） · 1 人</summary>",
		`<section class="card published" id="list-confirmation">`, "<h2>录取名单</h2>")
	if strings.Index(page, "list-round1") > strings.Index(page, "list-confirmation") {
		t.Error("the final list comes before round1's")
	}
	wantContains(t, "results of another base", f.get(t, fmt.Sprintf("/results/%d", f.baseB), http.StatusOK), "该基地尚未公布拟录取名单")

	var r baseResult
	f.getJSON(t, fmt.Sprintf("/api/v1/results/%d", f.baseA), http.StatusOK, &r)
	if !r.Published || len(r.Lists) != 2 || len(r.Lists[0].Current.Entries) != 2 || len(r.Lists[0].Earlier) != 1 || !r.Lists[1].Final {
		t.Errorf("result = %+v", r)
	}
}

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
	out, err := f.store.Review(context.Background(), pendingOf(t, f.store, program).ID, recruit.StateApproved, "", f.clock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
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

	resp, body = act("/admin/admission", url.Values{})
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

	resp, body = pc.post(t, "/admin/dates/round", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"下周一"}, "written_exam": {"2025-07-18T09:00"}})
	want(t, "a date that is no date", resp, body, http.StatusBadRequest, "")
	wantContains(t, "a date that is no date", body, "面试的格式应为", `name="interview" value="下周一"`, `name="written_exam" value="2025-07-18T09:00"`)
	resp, body = pc.post(t, "/admin/dates/round", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"2025-08-02T09:00"}})
	want(t, "an interview after the round", resp, body, http.StatusBadRequest, "")
	wantContains(t, "an interview after the round", body, "面试日期须在一志愿审核、拟录取阶段内")
	resp, body = pc.post(t, "/admin/dates/round", url.Values{csrfField: {token}, "round": {"round1"}, "interview": {"2025-07-25T09:00"}})
	want(t, "dates", resp, body, http.StatusSeeOther, fmt.Sprintf("/admin/dates?base=%d&done=dates", f.baseA))
	_, body = pc.get(t, resp.Header.Get("Location"))
	wantContains(t, "after saving", body, "日期已保存", `name="interview" value="2025-07-25T09:00"`)

	notice := url.Values{csrfField: {token}, "kind": {"interview"}, "at": {"2025-07-25T09:00"}, "place": {"甲医院门诊楼"}}
	resp, body = pc.post(t, "/admin/dates/notice", notice)
	want(t, "a notice to nobody", resp, body, http.StatusBadRequest, "")
	wantContains(t, "a notice to nobody", body, "请选择 1 至 500 名不重复的报名人员", `value="甲医院门诊楼"`, `<option value="interview" selected>`)
	notice.Set("app", fmt.Sprint(app.ID))
	resp, body = pc.post(t, "/admin/dates/notice", notice)
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

// The admission screen shows each candidate's offer as the queue does, and
// offers only the actions the offer allows: no 撤销拟录取 once the applicant
// accepted, and no 确认录取 while the offer is open.
func TestConsoleAdmissionShowsOffers(t *testing.T) {
	f, pc, _ := newAdmissionConsole(t, recruit.RoleBaseAdmin, func(f *wxFixture) int64 { return f.baseA })
	ctx := context.Background()
	y, err := f.store.LatestYear(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Open until 12 hours into confirmation: due soon then.
	deadline := y.Calendar.Confirmation.Add(12 * time.Hour)
	offer := func(program int64) recruit.Application {
		t.Helper()
		app, err := f.store.MakeOffer(ctx, f.approvedApp(t, program).ID, deadline, f.clock.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	open, accepted := offer(f.progA1), offer(f.progA1)
	if _, err := f.store.MoveOffer(ctx, accepted.ID, recruit.OfferAccepted, "", f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	undo := func(app recruit.Application) string { return fmt.Sprintf(`action="/admin/admission/%d/undo"`, app.ID) }
	admit := func(app recruit.Application) string { return fmt.Sprintf(`action="/admin/admission/%d/admit"`, app.ID) }

	_, body := pc.get(t, "/admin/admission")
	wantContains(t, "round1", body, `<span class="q-offer q-offer-open">待确认</span> <span class="q-deadline">截止 `+formatShortTime(deadline)+`</span>`,
		`<span class="q-offer q-offer-accepted">已接受</span>`, undo(open))
	wantMissing(t, "round1", body, undo(accepted))

	// Days later: a new console login, the first one's session has ended.
	f.clock.Set(y.Calendar.Confirmation.Add(time.Minute))
	_, body = f.consoleBrowser(t, recruit.RoleBaseAdmin, f.baseA).get(t, "/admin/admission")
	wantContains(t, "confirmation", body, "当前阶段：录取确认阶段", admit(accepted), "即将到期")
	wantMissing(t, "confirmation", body, admit(open))
}
