package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"zhupei/apply"
	"zhupei/internal/testclock"
	"zhupei/internal/testhttp"
	"zhupei/miniprogram"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/store"
	"zhupei/store/storetest"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// adminFixture is the seeded fixture served on a listener with the sandbox
// WeChat, the staff mini-program's routes and the admin API, as cmd/zhupei
// wires them.
type adminFixture struct {
	*fixture
	url   string
	clock *testclock.Clock
	sb    *sandbox.Sandbox
	users map[int64]string // the sandbox user (openid) of each account token made
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	f := &adminFixture{fixture: newFixture(t, true), clock: testclock.New(testNow), users: map[int64]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.url = "http://" + ln.Addr().String()
	cfg := wechat.Config{Mode: wechat.ModeSandbox, AppID: "wx5andb0x0000001", Secret: "s3cr3t-0123456789abcdef",
		Token: "callbacktoken", BaseURL: f.url, SandboxURL: f.url + "/sandbox",
		MiniAppID: "wx5andb0xm1n1001", MiniSecret: "mini-s3cr3t-0123456789", Timeout: 5 * time.Second}
	client, err := wechat.New(cfg, f.store, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	sbApp, sb, err := sandbox.App(cfg, f.store, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	f.sb = sb
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	mp := miniprogram.New(miniprogram.Config{Store: f.store, WeChat: client, Province: province.New(province.Deps{Store: f.store, Now: f.clock.Now}), Now: f.clock.Now, Logger: log})
	f.app = New(Config{
		Store: f.store, Now: f.clock.Now, Logger: log, Registry: prometheus.NewRegistry(), Version: "test",
		Apply:   apply.New(apply.Deps{Store: f.store, Now: f.clock.Now, Logger: log, Sealer: storetest.Sealer()}),
		WeChat:  client,
		Sandbox: sbApp,
		Staff:   mp.Staff, Review: review.New(review.Deps{Store: f.store, Now: f.clock.Now}),
		Province: province.New(province.Deps{Store: f.store, Now: f.clock.Now, ParsePlan: store.ParsePlan,
			Bindings: apply.New(apply.Deps{Store: f.store, Now: f.clock.Now, Logger: log, Sealer: storetest.Sealer()})}),
	})
	mp.Register(f.app)
	go func() { _ = f.app.Listener(ln) }()
	t.Cleanup(func() { _ = f.app.Shutdown() })
	return f
}

var miniCodeRe = regexp.MustCompile(`<code>([^<]+)</code>`)

// token logs a new sandbox user into the mini-program and, unless role is
// empty, binds it to a new staff account of role at base; it returns the
// bearer token and the account.
func (f *adminFixture) token(t *testing.T, role recruit.Role, base int64) (string, recruit.Staff) {
	t.Helper()
	u, err := f.sb.AddUser("工作人员", false)
	if err != nil {
		t.Fatal(err)
	}
	tok := f.miniLogin(t, u.OpenID)
	if role == "" {
		return tok, recruit.Staff{}
	}
	inv, err := province.New(province.Deps{Store: f.store, Now: func() time.Time { return f.clock.Now() }}).CreateInvite(context.Background(), province.InviteRequest{Role: role, BaseID: base, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := f.call(t, http.MethodPost, "/api/v1/mp/bind", tok, map[string]string{"invite": inv.Code}); st != http.StatusOK {
		t.Fatalf("bind: %d %s", st, body)
	}
	all, err := f.store.ListStaff(context.Background(), recruit.StaffFilter{BaseID: base})
	if err != nil || len(all) == 0 {
		t.Fatalf("staff after bind: %+v, %v", all, err)
	}
	f.users[all[len(all)-1].ID] = u.OpenID
	return tok, all[len(all)-1] // the newest account is the one just bound
}

// tokenOf logs the sandbox user of account st (made by token) into the
// mini-program again and returns the new token.
func (f *adminFixture) tokenOf(t *testing.T, st recruit.Staff) string {
	t.Helper()
	return f.miniLogin(t, f.users[st.ID])
}

// miniLogin logs the sandbox user openID into the mini-program through
// the sandbox's code2session and returns the bearer token.
func (f *adminFixture) miniLogin(t *testing.T, openID string) string {
	t.Helper()
	resp, err := http.PostForm(f.url+"/sandbox/minicode", url.Values{"openid": {openID}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := miniCodeRe.FindSubmatch(page)
	if m == nil {
		t.Fatalf("sandbox login-code page: %.300s", page)
	}
	var login struct{ Token string }
	if st, body := f.call(t, http.MethodPost, "/api/v1/mp/login", "", map[string]string{"code": string(m[1])}); st != http.StatusOK || json.Unmarshal(body, &login) != nil || login.Token == "" {
		t.Fatalf("login: %d %s", st, body)
	}
	return login.Token
}

// call sends a JSON request over the listener with a bearer token.
func (f *adminFixture) call(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	status, _, raw := testhttp.Call(t, method, f.url+path, token, body)
	return status, raw
}

// wantError fails unless the answer is status with a JSON error of code.
func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, code string) {
	t.Helper()
	var e apiError
	if status != wantStatus || json.Unmarshal(body, &e) != nil || e.Error.Code != code || e.Error.Message == "" || e.Error.RequestID == "" {
		t.Errorf("%s: %d %s, want %d with code %s", what, status, body, wantStatus, code)
	}
}

// pendingApp returns a pending application of the seeded program.
func (f *adminFixture) pendingApp(t *testing.T, program int64) recruit.Application {
	t.Helper()
	return pendingOf(t, f.store, program)
}

// pendingOf returns a pending application of program in s.
func pendingOf(t *testing.T, s recruit.Store, program int64) recruit.Application {
	t.Helper()
	apps, err := s.ListApplications(context.Background(), program)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if a.State == recruit.StatePending {
			return a
		}
	}
	t.Fatalf("no pending application of program %d", program)
	return recruit.Application{}
}

func TestAdminReviewApplication(t *testing.T) {
	f := newAdminFixture(t)
	f.clock.Add(time.Date(testYear, time.July, 12, 9, 0, 0, 0, recruit.Shanghai).Sub(testNow)) // round1
	tokA, reviewerA := f.token(t, recruit.RoleReviewer, f.baseA)
	tokB, _ := f.token(t, recruit.RoleReviewer, f.baseB)
	unbound, _ := f.token(t, "", 0)
	app := f.pendingApp(t, f.progA1)
	path := fmt.Sprintf("/api/v1/admin/applications/%d/review", app.ID)

	st, body := f.call(t, http.MethodPost, path, "", map[string]string{"decision": "approve"})
	wantError(t, "no token", st, body, http.StatusUnauthorized, recruit.EUNAUTHORIZED)
	st, body = f.call(t, http.MethodPost, path, unbound, map[string]string{"decision": "approve"})
	wantError(t, "a mini-program account without staff binding", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPost, path, tokB, map[string]string{"decision": "approve"})
	wantError(t, "another base's reviewer", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/applications/99999/review", tokB, map[string]string{"decision": "approve"})
	wantError(t, "a missing application", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPost, path, tokA, map[string]string{"decision": "reject"})
	wantError(t, "a rejection without remark", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, path, tokA, `{"decision": "approve", "extra": 1}`)
	wantError(t, "an unknown field", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPost, "/api/v1/admin/applications/x/review", tokA, map[string]string{"decision": "approve"})
	wantError(t, "a bad id", st, body, http.StatusBadRequest, recruit.EINVALID)

	// An applicant's own session reaches no admin route.
	m := f.newMember(t, 7)
	resp, raw := f.api(t, m, http.MethodPost, path, map[string]string{"decision": "approve"})
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("an applicant: %d %s", resp.StatusCode, raw)
	}
	if got, _ := f.store.GetApplicationByID(context.Background(), app.ID); got.State != recruit.StatePending {
		t.Fatalf("refused calls changed the application: %+v", got)
	}

	remark := strings.Repeat("学历证书扫描件不清晰，", 6)
	st, body = f.call(t, http.MethodPost, path, tokA, map[string]string{"decision": "reject", "remark": remark})
	var out struct {
		Application struct {
			ID           int64
			State        recruit.State
			StateLabel   string `json:"state_label"`
			ReviewRemark string `json:"review_remark"`
		}
	}
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Application.State != recruit.StateRejected ||
		out.Application.StateLabel != "审核不通过" || out.Application.ReviewRemark != remark {
		t.Fatalf("review: %d %s", st, body)
	}
	st, body = f.call(t, http.MethodPost, path, tokA, map[string]string{"decision": "approve"})
	wantError(t, "reviewing twice", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	entries, err := f.store.ListAudit(context.Background(), recruit.AuditFilter{StaffID: reviewerA.ID})
	if err != nil || len(entries) != 1 || entries[0].RequestID == "" || entries[0].Remark != remark {
		t.Errorf("audit %+v, %v", entries, err)
	}

	// Disabling the account refuses its token at once.
	if _, err := f.store.SetStaffDisabled(context.Background(), reviewerA.ID, true); err != nil {
		t.Fatal(err)
	}
	other := f.pendingApp(t, f.progA1)
	st, body = f.call(t, http.MethodPost, fmt.Sprintf("/api/v1/admin/applications/%d/review", other.ID), tokA, map[string]string{"decision": "approve"})
	wantError(t, "a disabled reviewer", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
}

func TestAdminSetBaseDates(t *testing.T) {
	f := newAdminFixture(t)
	tokA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	tokB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)
	reviewer, _ := f.token(t, recruit.RoleReviewer, f.baseA)
	path := fmt.Sprintf("/api/v1/admin/bases/%d/dates/round1", f.baseA)
	dates := map[string]string{"review_deadline": "2025-07-20T18:00:00+08:00", "interview": "2025-07-25T09:00:00+08:00"}

	st, body := f.call(t, http.MethodPut, path, tokB, dates)
	wantError(t, "another base's admin", st, body, http.StatusNotFound, recruit.ENOTFOUND)
	st, body = f.call(t, http.MethodPut, path, reviewer, dates)
	wantError(t, "a reviewer", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	st, body = f.call(t, http.MethodPut, fmt.Sprintf("/api/v1/admin/bases/%d/dates/round9", f.baseA), tokA, dates)
	wantError(t, "an unknown round", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPut, path, tokA, map[string]string{"interview": "2025-08-02T09:00:00+08:00"})
	wantError(t, "an interview outside round1", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPut, path, tokA, map[string]string{"interview": "下周一"})
	wantError(t, "a date that is no date", st, body, http.StatusBadRequest, recruit.EINVALID)

	st, body = f.call(t, http.MethodPut, path, tokA, dates)
	var got recruit.BaseDates
	if st != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Round != recruit.PhaseRound1 || got.BaseID != f.baseA ||
		!got.Interview.Equal(time.Date(2025, time.July, 25, 9, 0, 0, 0, recruit.Shanghai)) || strings.Contains(string(body), "written_exam") {
		t.Fatalf("setBaseDates: %d %s", st, body)
	}
	stored, err := f.store.GetBaseDates(context.Background(), testYear, f.baseA, recruit.PhaseRound1)
	if err != nil || !stored.ReviewDeadline.Equal(got.ReviewDeadline) {
		t.Errorf("stored %+v, %v", stored, err)
	}
}

func TestAdminUpdateCalendar(t *testing.T) {
	f := newAdminFixture(t)
	prov, provStaff := f.token(t, recruit.RoleProvince, 0)
	admin, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	cal := recruit.DefaultCalendar(testYear)
	cal.Closed = cal.Closed.Add(24 * time.Hour)

	st, body := f.call(t, http.MethodPut, "/api/v1/admin/calendar", admin, cal)
	wantError(t, "a base admin", st, body, http.StatusForbidden, recruit.EFORBIDDEN)
	bad := cal
	bad.Round1 = bad.Round2
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/calendar", prov, bad)
	wantError(t, "an unordered calendar", st, body, http.StatusBadRequest, recruit.EINVALID)
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/calendar", prov, `{"registration": "2025-07-01"}`)
	wantError(t, "a date without time", st, body, http.StatusBadRequest, recruit.EINVALID)
	// Registration has begun: moving it later needs the override.
	moved := cal
	moved.Registration = testNow.Add(time.Hour)
	st, body = f.call(t, http.MethodPut, "/api/v1/admin/calendar", prov, moved)
	wantError(t, "moving a begun phase", st, body, http.StatusForbidden, recruit.EFORBIDDEN)

	st, body = f.call(t, http.MethodPut, "/api/v1/admin/calendar?override=true&reason="+url.QueryEscape("系统维护，推迟报名"), prov, moved)
	var out struct {
		Year     int
		Calendar recruit.Calendar
	}
	if st != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Year != testYear || !out.Calendar.Registration.Equal(moved.Registration) {
		t.Fatalf("updateCalendar: %d %s", st, body)
	}
	entries, err := f.store.ListAudit(context.Background(), recruit.AuditFilter{StaffID: provStaff.ID})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Remark, "系统维护") {
		t.Errorf("audit %+v, %v", entries, err)
	}
}

// TestAdminRoutesDocumented checks that every admin route is in the
// OpenAPI file with its operationId and the admin API's security (bearer
// token or console session).
func TestAdminRoutesDocumented(t *testing.T) {
	spec := testhttp.Spec(t)
	want := map[string]string{
		"PUT /admin/calendar":                     "updateCalendar",
		"PUT /admin/bases/{baseID}/dates/{round}": "setBaseDates",
		"POST /admin/applications/{id}/review":    "reviewApplication",
		"POST /admin/invitations":                 "createInvitation",
		"GET /admin/staff":                        "listStaff",
		"POST /admin/staff/{id}/disable":          "disableStaff",
		"POST /admin/bindings/release":            "releaseBinding",
		"GET /admin/applications":                 "listApplications",
		"GET /admin/applications/export":          "exportApplications",
		"POST /admin/applications/review":         "reviewApplications",
		"GET /admin/applications/{id}":            "getApplication",
		"GET /admin/statistics":                   "getStatistics",
		"GET /admin/audit":                        "listAudit",
		"PUT /admin/programs/{id}/plan":           "updatePlan",
		"POST /admin/plan":                        "importPlan",
		"PUT /admin/notice":                       "updateNotice",

		"POST /admin/applications/{id}/provisional":      "admitProvisionally",
		"POST /admin/applications/{id}/provisional/undo": "undoProvisional",
		"POST /admin/applications/{id}/admit":            "admitApplication",
		"POST /admin/bases/{baseID}/publications":        "publishList",
		"POST /admin/bases/{baseID}/notices":             "sendNotice",
		"POST /admin/applications/{id}/offer/void":       "voidOffer",
		"PUT /admin/shortage-specialties":                "setShortageSpecialties",
		"POST /admin/placement/proposal":                 "proposePlacement",
		"POST /admin/placement/apply":                    "applyPlacement",
		"GET /admin/bases/{baseID}/pool":                 "listPool",
		"PUT /admin/bases/{baseID}/pool/ranking":         "rankPoolCandidates",
	}
	app := fiber.New()
	(&server{}).adminAPIRoutes(app, Config{Staff: func(*fiber.Ctx) (recruit.Staff, error) { return recruit.Staff{}, nil },
		Review: &review.Service{}, Province: &province.Service{}})
	seen := 0
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead {
			continue
		}
		path := regexp.MustCompile(`:(\w+)`).ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		key := r.Method + " " + path
		op, ok := spec[path][strings.ToLower(r.Method)]
		if !ok || op.OperationID != want[key] || !op.Staff() {
			t.Errorf("%s: documented %v as %+v, want operationId %q with bearer or console security", key, ok, op, want[key])
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("%d admin routes, want %d", seen, len(want))
	}
}
