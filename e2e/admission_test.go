package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	_ "modernc.org/sqlite" // the server's database, to find the application's id

	"zhupei/store"
)

// sandboxOpenID returns the openid of the sandbox user nickname, from the
// sandbox's list of test users.
func sandboxOpenID(t *testing.T, srv *server, nickname string) string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/sandbox/minicode") // lists the test users with their openids
	if err != nil {
		t.Fatal(err)
	}
	users, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(openIDRe + regexp.QuoteMeta(nickname)).FindSubmatch(users)
	if m == nil {
		t.Fatalf("the sandbox does not list %s", nickname)
	}
	return string(m[1])
}

// applicationID reads the id of the application of the applicant bound to
// openid from the server's database.
func applicationID(t *testing.T, srv *server, openid string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(srv.DataDir, store.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRow(`SELECT a.id FROM applications a JOIN identities i ON i.id = a.identity_id WHERE i.open_id = ?`, openid).Scan(&id); err != nil {
		t.Fatalf("the application of %s: %v", openid, err)
	}
	return id
}

// openRound1 has a new province admin move the start of round1 to a minute
// ago through the admin API, so that bases review now.
func openRound1(t *testing.T, srv *server) {
	t.Helper()
	province := staffToken(t, srv, "省级管理员", "-role", "province")
	var year struct {
		Calendar map[string]time.Time `json:"calendar"`
	}
	call(t, http.MethodGet, srv.URL+"/api/v1/year", "", nil, &year)
	cal := year.Calendar
	cal["round1"] = time.Now().Add(-time.Minute)
	for k, v := range cal {
		cal[k] = v.In(shanghai)
	}
	call(t, http.MethodPut, srv.URL+"/api/v1/admin/calendar", province, cal, nil)
}

// consoleQRLogin logs pc into the console through the sandbox QR flow as a
// new WeChat user nickname (a phone in a second context scans and
// confirms) and redeems the invitation code; it ends on the console home.
func consoleQRLogin(t *testing.T, srv *server, pc context.Context, nickname, code string) {
	t.Helper()
	open(t, pc, srv.URL+"/admin")
	waitPath(t, pc, "/admin/login")
	waitFor(t, pc, `!!document.querySelector('#sandbox-scan')`, stepWait, "the sandbox scan link")
	scanURL := evaluate[string](t, pc, `document.querySelector('#sandbox-scan').href`)
	phone := newIsolatedContext(t, pc)
	screenshotOnFailure(t, phone, "console phone")
	step(t, phone, "phone", mobile())
	open(t, phone, scanURL)
	newSandboxUser(t, phone, nickname)
	authorizeReplyLink(t, phone, nickname)
	step(t, phone, "confirm", chromedp.WaitVisible(chromedp.CSS("#confirm-login")), chromedp.Click(chromedp.CSS("#confirm-login")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-done")))
	waitPath(t, pc, "/admin/redeem")
	step(t, pc, "redeem", chromedp.SetValue(chromedp.CSS("#redeem-code"), code), chromedp.Click(chromedp.CSS("#redeem-submit")))
	step(t, pc, "console home", chromedp.WaitVisible(chromedp.CSS("#console-home")))
}

// consoleReview reviews an application on the console's detail screen
// (/admin/queue/{id}) open in pc: the decision, the remark, 提交审核.
func consoleReview(t *testing.T, pc context.Context, srvURL string, appID int64, decision, remark string) {
	t.Helper()
	open(t, pc, fmt.Sprintf("%s/admin/queue/%d", srvURL, appID))
	actions := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`#review-form input[name="decision"][value=` + jsString(decision) + `]`))}
	if remark != "" {
		actions = append(actions, chromedp.SendKeys(chromedp.CSS("#review-remark"), remark))
	}
	actions = append(actions, chromedp.Click(chromedp.CSS("#review-submit")), chromedp.WaitVisible(chromedp.CSS("#review-done")))
	step(t, pc, "review "+decision, actions...)
}

// phoneBrowser is a new 375 px phone browser holding cookies.
func phoneBrowser(t *testing.T, name string, cookies []*network.CookieParam) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	screenshotOnFailure(t, ctx, name)
	step(t, ctx, "phone", chromedp.Emulate(phone375))
	setCookies(t, ctx, cookies)
	return ctx
}

// TestAdmissionReachesApplicants is issue 10's browser test: a base admin
// logs into /admin through the QR flow, approves one applicant and rejects
// another with a remark, provisionally admits the approved one on the
// admission screen and publishes; the public results page shows the masked
// name; both applicants see the outcome on /result and in /messages, and
// the sandbox log has their template messages.
func TestAdmissionReachesApplicants(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "ZHUPEI_NOTIFY_INTERVAL=1s")
	// Each browser has a time limit of its own: the applicants come back
	// at the end in new browsers with their session cookies.
	first, base := submittedApplicant(t, srv, "拟录取用户", 61)
	admittedCookies := sessionCookies(t, first)
	second, _ := submittedApplicant(t, srv, "未通过用户", 63)
	rejectedCookies := sessionCookies(t, second)
	openA, openR := sandboxOpenID(t, srv, "拟录取用户"), sandboxOpenID(t, srv, "未通过用户")
	appA, appR := applicationID(t, srv, openA), applicationID(t, srv, openR)
	openRound1(t, srv)

	pc := newBrowser(t)
	screenshotOnFailure(t, pc, "console")
	step(t, pc, "desktop", desktop())
	consoleQRLogin(t, srv, pc, "基地张主任", staffInvite(t, srv, "-role", "base_admin", "-base", base, "-name", "张主任"))
	remark := "执业医师资格证书扫描件不清晰，请重新上传"
	consoleReview(t, pc, srv.URL, appA, "approve", "")
	consoleReview(t, pc, srv.URL, appR, "reject", remark)

	open(t, pc, srv.URL+"/admin/dates") // the approved applicant is one to notify
	if n := count(t, pc, fmt.Sprintf(`input[name="app"][value="%d"]`, appA)); n != 1 {
		t.Errorf("the notice form lists the approved applicant %d times", n)
	}
	shot(t, pc, "admin-dates", "1280")
	open(t, pc, srv.URL+"/admin/admission")
	admit := fmt.Sprintf(`form[action="/admin/admission/%d/provisional"] button`, appA)
	if n := count(t, pc, fmt.Sprintf(`form[action="/admin/admission/%d/provisional"]`, appR)); n != 0 {
		t.Errorf("the rejected applicant can be admitted (%d buttons)", n)
	}
	free := text(t, pc, `#board tbody tr:first-child [data-field="free"]`)
	step(t, pc, "provisional admission", chromedp.Click(chromedp.CSS(admit)), chromedp.WaitVisible(chromedp.CSS("#done")))
	if state := text(t, pc, fmt.Sprintf(`tr[data-app="%d"] [data-field="state"]`, appA)); !strings.HasPrefix(state, "拟录取待确认 截止 ") {
		t.Errorf("the admitted applicant's state reads %q, want 拟录取 with its open offer", state)
	}
	if after := text(t, pc, `#board tbody tr:first-child [data-field="free"]`); after == free {
		t.Errorf("剩余名额 still %s after the admission", after)
	}
	step(t, pc, "publish", chromedp.Click(chromedp.CSS("#publish-list")), chromedp.WaitVisible(chromedp.CSS("#publications")))
	if done := text(t, pc, "#done"); !strings.Contains(done, "名单已公示") {
		t.Errorf("after publishing the screen says %q", done)
	}
	shot(t, pc, "admin-admission", "1280")

	// The public results page: the masked name under the base.
	open(t, pc, srv.URL+"/results/"+base)
	waitFor(t, pc, `!!document.querySelector('#list-round1')`, noticeWait, "the published list (the public snapshot refreshes within seconds)")
	if names := texts(t, pc, "#list-round1 .published-list .name"); strings.Join(names, " ") != "李**" {
		t.Errorf("published names %q, want the masked 李**", names)
	}
	shot(t, pc, "results-base", "1280")
	open(t, pc, srv.URL+"/results")
	shot(t, pc, "results", "1280")
	consoleCookies := sessionCookies(t, pc)
	narrow := phoneBrowser(t, "console at 375 px", consoleCookies)
	for _, page := range []string{"/results", "/results/" + base, "/admin/admission", "/admin/dates"} {
		open(t, narrow, srv.URL+page)
		fitsScreen(t, narrow, page+" at 375 px")
		shot(t, narrow, pageName(page), "375")
	}
	admitted := phoneBrowser(t, "admitted applicant", admittedCookies)
	rejected := phoneBrowser(t, "rejected applicant", rejectedCookies)

	// Both applicants see the outcome, in the inbox and in WeChat.
	for _, c := range []struct {
		ctx      context.Context
		openid   string
		state    string
		inbox    string
		template string
	}{
		{admitted, openA, "拟录取", "拟录取通知", "sandbox-provisional"},
		{rejected, openR, "审核不通过", "审核未通过", "sandbox-review_failed"},
	} {
		open(t, c.ctx, srv.URL+"/result")
		if state := text(t, c.ctx, `#result [data-field="state"]`); !strings.Contains(state, c.state) {
			t.Errorf("/result of %s reads %q, want %s", c.openid, state, c.state)
		}
		open(t, c.ctx, srv.URL+"/messages")
		if got := text(t, c.ctx, "#messages li:first-child strong"); got != c.inbox {
			t.Errorf("newest message of %s %q, want %s", c.openid, got, c.inbox)
		}
		awaitMessage(t, srv, c.openid, c.template)
	}
	if state := text(t, rejected, "#messages li:first-child"); !strings.Contains(state, "审核未通过") {
		t.Errorf("the rejected applicant's inbox %q", state)
	}
	open(t, rejected, srv.URL+"/result")
	if r := text(t, rejected, `#result [data-field="state"]`); !strings.Contains(r, remark) {
		t.Errorf("/result of the rejected applicant %q lacks the remark", r)
	}
	awaitMessage(t, srv, openA, "sandbox-review_passed")
}
