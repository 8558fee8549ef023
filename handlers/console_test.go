package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zhupei/province"
	"zhupei/recruit"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// newConsoleFixture is the WeChat fixture with the province service (the
// console's invitations) and the seeded catalogue.
func newConsoleFixture(t *testing.T) *wxFixture {
	t.Helper()
	var prov *province.Service
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		prov = province.New(province.Deps{Store: c.Store.(province.Store), Now: c.Now})
		c.Province = prov
	})
	f.seed(t)
	return f
}

// invite creates an invitation code for role at base.
func (f *wxFixture) invite(t *testing.T, role recruit.Role, base int64, name string) string {
	t.Helper()
	inv, err := province.New(province.Deps{Store: f.store, Now: f.clock.Now}).CreateInvite(context.Background(),
		province.InviteRequest{Role: role, BaseID: base, Name: name, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

// consoleLogin runs the console's QR login of u in pc (the phone confirms)
// and returns where the PC is sent.
func (f *wxFixture) consoleLogin(t *testing.T, pc *browser, u sandbox.User) string {
	t.Helper()
	resp, body := pc.get(t, "/admin/login")
	want(t, "console login page", resp, body, http.StatusOK, "")
	wantContains(t, "console login page", body, "管理后台登录", "/login/qr.png?t=", `id="sandbox-scan"`)
	m := ticketRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no ticket on the console login page: %.500s", body)
	}
	ticket := m[1]
	link := hrefRe.FindStringSubmatch(f.scan(t, ticket, u))
	if link == nil {
		t.Fatal("the scan reply has no confirmation link")
	}
	phone := f.browser()
	resp, body = phone.get(t, strings.ReplaceAll(link[1], "&amp;", "&"))
	want(t, "confirm link", resp, body, http.StatusFound, "")
	resp, body = phone.get(t, phone.authorize(t, resp.Header.Get("Location"), u))
	want(t, "oauth", resp, body, http.StatusSeeOther, "/login/confirm?t="+ticket)
	// A staff login needs no real-name binding on the phone.
	resp, body = phone.get(t, "/login/confirm?t="+ticket)
	want(t, "staff confirm page", resp, body, http.StatusOK, "")
	wantContains(t, "staff confirm page", body, "招录管理后台", "以您的工作人员身份")
	resp, body = phone.post(t, "/login/confirm", url.Values{csrfField: {phone.session(t).CSRF}, "t": {ticket}, "action": {"confirm"}})
	want(t, "staff confirm", resp, body, http.StatusOK, "")
	code, st := pc.status(t, ticket)
	if code != http.StatusOK || st["state"] != "confirmed" {
		t.Fatalf("console login status: %d %v", code, st)
	}
	if _, ok := pc.cookies[sessionCookie]; ok {
		t.Fatal("a console login started an applicant session")
	}
	return st["redirect"].(string)
}

var consoleCSRFRe = regexp.MustCompile(`name="_csrf" value="([0-9a-f]{32})"`)

// csrfOf returns the form token of a console page.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := consoleCSRFRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the page: %.400s", body)
	}
	return m[1]
}

func TestConsoleLoginRedeemAndLogout(t *testing.T) {
	f := newConsoleFixture(t)
	u := f.user(t, "王主任")
	pc := f.browser()
	resp, body := pc.get(t, "/admin")
	want(t, "console without session", resp, body, http.StatusSeeOther, "/admin/login?next=%2Fadmin")
	if to := f.consoleLogin(t, pc, u); to != "/admin" {
		t.Fatalf("console login goes to %q", to)
	}
	// Not bound yet: the invitation page first.
	resp, body = pc.get(t, "/admin")
	want(t, "unbound console", resp, body, http.StatusSeeOther, "/admin/redeem")
	resp, body = pc.get(t, "/admin/redeem")
	want(t, "redeem page", resp, body, http.StatusOK, "")
	token := csrfOf(t, body)
	resp, body = pc.post(t, "/admin/redeem", url.Values{"code": {"ABCD2345"}})
	want(t, "redeem without token", resp, body, http.StatusForbidden, "")
	resp, body = pc.post(t, "/admin/redeem", url.Values{csrfField: {token}, "code": {"0000"}})
	want(t, "a malformed code", resp, body, http.StatusBadRequest, "")
	wantContains(t, "a malformed code", body, "邀请码应为 8 位", `value="0000"`)
	resp, body = pc.post(t, "/admin/redeem", url.Values{csrfField: {token}, "code": {"ABCD2345"}})
	want(t, "an unknown code", resp, body, http.StatusNotFound, "")
	wantContains(t, "an unknown code", body, "邀请码无效或已过期")

	code := f.invite(t, recruit.RoleBaseAdmin, f.baseA, "王主任")
	resp, body = pc.post(t, "/admin/redeem", url.Values{csrfField: {token}, "code": {strings.ToLower(code)}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	st, err := f.store.StaffByOAOpenID(context.Background(), u.OpenID)
	if err != nil || st.Role != recruit.RoleBaseAdmin || st.BaseID != f.baseA || st.MPOpenID != "" {
		t.Fatalf("the redeemed account: %+v, %v", st, err)
	}
	resp, body = pc.get(t, "/admin")
	want(t, "console home", resp, body, http.StatusOK, "")
	wantContains(t, "console home", body, `id="console-name">王主任<`, `id="home-role">基地管理员<`, `id="home-base">甲医院<`,
		`data-nav="queue"`, ">审核<", ">拟录取与公示<", ">日期与通知<", ">导出<", "2025-07-05 18:00")
	wantMissing(t, "a base admin's navigation", body, ">日历<", ">温馨提示<")
	resp, _ = pc.get(t, "/admin/login")
	want(t, "login page when logged in", resp, "", http.StatusSeeOther, "/admin")

	// Logging out needs the token and ends the session.
	resp, body = pc.post(t, "/admin/logout", url.Values{})
	want(t, "logout without token", resp, body, http.StatusForbidden, "")
	_, home := pc.get(t, "/admin")
	resp, body = pc.post(t, "/admin/logout", url.Values{csrfField: {csrfOf(t, home)}})
	want(t, "logout", resp, body, http.StatusSeeOther, consoleLoginURL)
	resp, body = pc.get(t, "/admin")
	want(t, "after logout", resp, body, http.StatusSeeOther, "/admin/login?next=%2Fadmin")

	// A second login of the bound account goes straight to the home page;
	// the session expires after consoleTTL.
	f.consoleLogin(t, pc, u)
	resp, body = pc.get(t, "/admin")
	want(t, "second login", resp, body, http.StatusOK, "")
	f.clock.Add(consoleTTL + time.Second)
	resp, body = pc.get(t, "/admin")
	want(t, "expired session", resp, body, http.StatusSeeOther, "/admin/login?next=%2Fadmin")
}

// The console's home makes a link code for the mini-program; redeemed
// there, it binds the mini-program's openid to the same account, and the
// home then says the mini-program is bound.
func TestConsoleLinkCodeBindsTheMiniProgram(t *testing.T) {
	f := newConsoleFixture(t)
	pc := f.consoleBrowser(t, recruit.RoleReviewer, f.baseA)
	_, body := pc.get(t, "/admin")
	wantContains(t, "home", body, `id="make-link-code"`, "生成小程序绑定码")
	resp, body := pc.post(t, "/admin/link-code", url.Values{})
	want(t, "without the form token", resp, body, http.StatusForbidden, "")
	resp, body = pc.post(t, "/admin/link-code", url.Values{csrfField: {f.token(t, pc)}})
	want(t, "link code", resp, body, http.StatusOK, "")
	m := regexp.MustCompile(`id="link-code">([^<]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link code on the page:\n%s", body)
	}
	wantContains(t, "link code", body, "只能使用一次", "绑定码在 "+f.clock.Now().Add(province.LinkCodeTTL).In(recruit.Shanghai).Format(time.DateTime)+" 前有效")
	st, err := province.New(province.Deps{Store: f.store, Now: f.clock.Now}).Redeem(context.Background(), m[1], recruit.ChannelMP, "mp-reviewer")
	if err != nil {
		t.Fatal(err)
	}
	if st.Role != recruit.RoleReviewer || st.BaseID != f.baseA || st.OAOpenID == "" || st.MPOpenID != "mp-reviewer" {
		t.Fatalf("the mini-program's account %+v, want the console's reviewer with both openids", st)
	}
	_, body = pc.get(t, "/admin")
	wantContains(t, "home after linking", body, `id="mp-linked"`)
	wantMissing(t, "home after linking", body, `id="make-link-code"`)
}

func TestConsoleProvinceNavigation(t *testing.T) {
	f := newConsoleFixture(t)
	u := f.user(t, "省管")
	pc := f.browser()
	f.consoleLogin(t, pc, u)
	_, body := pc.get(t, "/admin/redeem")
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, recruit.RoleProvince, 0, "")}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	_, body = pc.get(t, "/admin")
	wantContains(t, "province home", body, `id="home-role">省级管理员<`, "全省", ">日历<", ">基地与计划<", ">温馨提示<", ">人员<", ">统计<", ">审计日志<")
	wantMissing(t, "province home", body, `id="console-base"`, ">拟录取与公示<")
}

// form posts form values as c (with its CSRF token) without following
// redirects.
func (f *adminFixture) form(t *testing.T, c caller, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	form.Set(csrfField, c.csrf)
	c.csrf = "" // in the form only
	st, h, raw := f.requestAs(t, c, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	return st, h, string(raw)
}

var inviteCodeRe = regexp.MustCompile(`id="invite-code">([2-9A-HJKMNP-Z]{8})<`)

func TestConsoleStaffScreen(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	_, provStaff := f.token(t, recruit.RoleProvince, 0)
	_, adminA := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	_, reviewerA := f.token(t, recruit.RoleReviewer, f.baseA)
	_, adminB := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	for st, oa := range map[recruit.Staff]string{provStaff: "oa-p", adminA: "oa-a", reviewerA: "oa-r", adminB: "oa-b"} {
		f.bindOA(t, st, oa)
	}
	prov, admin, reviewer := f.consoleCaller(t, "oa-p"), f.consoleCaller(t, "oa-a"), f.consoleCaller(t, "oa-r")

	st, _, body := f.callAs(t, prov, http.MethodGet, "/admin/staff", nil)
	if st != http.StatusOK {
		t.Fatalf("the province's 人员: %d %.300s", st, body)
	}
	wantContains(t, "the province's 人员", string(body), "邀请基地管理员或省级管理员", `id="release-form"`, `id="staff-`+fmt.Sprint(adminB.ID)+`"`, "乙医院", `class="on" aria-current="page">人员<`)
	st, _, page := f.form(t, prov, "/admin/staff/invite", url.Values{"role": {"base_admin"}, "base_id": {fmt.Sprint(f.baseB)}, "days": {"3"}, "name": {"赵主任"}})
	if st != http.StatusOK || inviteCodeRe.FindStringSubmatch(page) == nil {
		t.Fatalf("the province invites: %d %.400s", st, page)
	}
	wantContains(t, "the new invitation", page, "乙医院的基地管理员", "2025-07-08 10:00")
	st, _, page = f.form(t, prov, "/admin/staff/invite", url.Values{"role": {"base_admin"}, "base_id": {fmt.Sprint(f.baseB)}, "days": {"90"}})
	if st != http.StatusBadRequest || !strings.Contains(page, "有效期须为 1 到 30 天") {
		t.Errorf("a 90-day invitation: %d", st)
	}

	// A base admin sees its base's accounts, invites its reviewers and
	// disables them.
	st, _, body = f.callAs(t, admin, http.MethodGet, "/admin/staff", nil)
	if st != http.StatusOK {
		t.Fatalf("base admin's 人员: %d", st)
	}
	wantContains(t, "base admin's 人员", string(body), "邀请本基地审核员", `id="staff-`+fmt.Sprint(reviewerA.ID)+`"`)
	wantMissing(t, "base admin's 人员", string(body), `id="staff-`+fmt.Sprint(adminB.ID)+`"`, `id="release-form"`)
	st, _, page = f.form(t, admin, "/admin/staff/invite", url.Values{"role": {"reviewer"}, "base_id": {fmt.Sprint(f.baseA)}})
	if st != http.StatusOK || inviteCodeRe.FindStringSubmatch(page) == nil {
		t.Fatalf("the base admin invites: %d %.400s", st, page)
	}
	st, h, _ := f.form(t, admin, fmt.Sprintf("/admin/staff/%d/disable", reviewerA.ID), url.Values{"reason": {"调岗"}})
	if st != http.StatusSeeOther || h.Get("Location") != "/admin/staff?done=disabled" {
		t.Fatalf("disable: %d %q", st, h.Get("Location"))
	}
	_, _, body = f.callAs(t, admin, http.MethodGet, "/admin/staff?done=disabled", nil)
	wantContains(t, "after disabling", string(body), "其所有登录已立即失效", "已停用")
	// The disabled reviewer is told once, and the session is gone.
	if st, _, body := f.callAs(t, reviewer, http.MethodGet, "/admin", nil); st != http.StatusForbidden || !strings.Contains(string(body), "该工作人员账号已停用") {
		t.Errorf("the disabled reviewer's console: %d", st)
	}
	if st, h, _ := f.callAs(t, reviewer, http.MethodGet, "/admin", nil); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), consoleLoginURL) {
		t.Errorf("the disabled reviewer's console again: %d %q, want the login", st, h.Get("Location"))
	}

	// The province releases a binding: the reason is required, and what was
	// typed stays on the form.
	st, _, page = f.form(t, prov, "/admin/staff/release", url.Values{"id_type": {recruit.IDTypePassport}, "id_number": {"E00000003"}})
	if st != http.StatusBadRequest || !strings.Contains(page, `id="release-error" role="alert">请填写原因`) || !strings.Contains(page, `value="E00000003"`) {
		t.Fatalf("a release without reason: %d %.300s", st, page)
	}
	st, h, _ = f.form(t, prov, "/admin/staff/release", url.Values{"id_type": {recruit.IDTypePassport}, "id_number": {"E00000003"}, "reason": {"本人申诉"}})
	if st != http.StatusSeeOther || h.Get("Location") != "/admin/staff?done=released" {
		t.Fatalf("release: %d %q", st, h.Get("Location"))
	}
	if _, err := f.store.IdentityByOpenID(ctx, "openid-3"); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the release left the binding: %v", err)
	}
	st, _, page = f.form(t, admin, "/admin/staff/release", url.Values{"id_type": {recruit.IDTypePassport}, "id_number": {"E00000004"}, "reason": {"x"}})
	if st != http.StatusForbidden || !strings.Contains(page, "仅省级管理员可以解除实名认证") {
		t.Errorf("a base admin's release: %d", st)
	}
}

// The console's login leads into the console only.
func TestConsoleLoginNext(t *testing.T) {
	f := newConsoleFixture(t)
	for next, want := range map[string]string{"/admin/staff": "/admin/staff", "/apply": "/admin", "//evil.example/admin": "/admin", "/administrator": "/admin"} {
		pc := f.browser()
		resp, body := pc.get(t, "/admin/login?next="+url.QueryEscape(next))
		m := ticketRe.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("console login page: %d", resp.StatusCode)
		}
		var tk loginTicket
		if err := f.getJSON(m[1], &tk); err != nil || tk.Next != want || !tk.Staff {
			t.Errorf("next %q: ticket %+v, %v; want next %q", next, tk, err, want)
		}
	}
}
