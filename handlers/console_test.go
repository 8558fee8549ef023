package handlers

import (
	"context"
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
