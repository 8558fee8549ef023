package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/internal/testid"
	"zhupei/recruit"
)

// waitPath waits until the tab shows path, across navigations.
func waitPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	deadline := time.Now().Add(stepWait)
	last := ""
	for time.Now().Before(deadline) {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.pathname : ""`))
		if err == nil && p == path {
			return
		}
		if err == nil {
			last = p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the tab did not reach %s within %s (last at %q)", path, stepWait, last)
}

// newSandboxUser creates a test WeChat user on a sandbox picker page (the
// authorization page or the "scan with phone" page) and submits it.
func newSandboxUser(t *testing.T, ctx context.Context, nickname string) {
	t.Helper()
	step(t, ctx, "sandbox picker",
		chromedp.WaitVisible(chromedp.CSS(`input[name="nickname"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="nickname"]`), nickname),
	)
	evaluate[chromedp.Void](t, ctx, `document.querySelector('input[name="nickname"]').form.querySelector('button').click()`)
}

// authorizeReplyLink follows the link of the account's reply on the
// phone's sandbox page to the authorization page, and picks the test user
// of that nickname there. The reply page lists the same users, so the
// navigation is awaited before anything is clicked.
func authorizeReplyLink(t *testing.T, phone context.Context, nickname string) {
	t.Helper()
	step(t, phone, "the account's reply", chromedp.WaitVisible(chromedp.CSS("#reply a")))
	open(t, phone, evaluate[string](t, phone, `document.querySelector('#reply a').href`))
	step(t, phone, "authorization page", chromedp.WaitReady(chromedp.CSS(`input[name="openid"]`)))
	evaluate[chromedp.Void](t, phone, fmt.Sprintf(`Array.from(document.querySelectorAll('input[name="openid"] + button')).find(b => b.textContent.startsWith(%s)).click()`, jsString(nickname)))
}

// bindRealName fills and submits the binding form.
func bindRealName(t *testing.T, ctx context.Context, name, number string) {
	t.Helper()
	step(t, ctx, "binding form", chromedp.WaitVisible(chromedp.CSS("#bind-form")))
	if note := text(t, ctx, ".wx-note"); !strings.Contains(note, "一月内只能认证一次") {
		t.Fatalf("binding note %q", note)
	}
	// One script fills and submits the form: a node id that chromedp holds
	// between steps went stale on a loaded machine ("No node with given id
	// found") while the page was still settling.
	evaluate[chromedp.Void](t, ctx, `document.querySelector('#bind-name').value = `+jsString(name)+`;
		document.querySelector('#bind-number').value = `+jsString(number)+`;
		document.querySelector('#bind-submit').click()`)
}

// TestLoginQRWithPhone is the PC login of seed 四 and 6.1: the PC shows the
// QR code, a phone (another browser context) scans it in the sandbox,
// follows the account's reply, binds its real name and confirms; the PC
// then lands, logged in, on the basic-information page.
func TestLoginQRWithPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	pc := newBrowser(t)
	step(t, pc, "desktop", desktop())
	open(t, pc, srv.URL+"/login?next=/apply")
	waitFor(t, pc, `(i => i && i.complete && i.naturalWidth > 100)(document.querySelector('#login-qr'))`, stepWait, "the QR code image")
	if s := text(t, pc, "#login-status"); s != "请使用微信扫一扫，扫码后在手机上确认登录" {
		t.Fatalf("login status %q", s)
	}
	if left := text(t, pc, "#login-left"); !strings.HasPrefix(left, "4:") && left != "5:00" {
		t.Fatalf("remaining time %q", left)
	}
	scanURL := evaluate[string](t, pc, `document.querySelector('#sandbox-scan').href`)

	phone := newIsolatedContext(t, pc)
	step(t, phone, "phone", mobile())
	open(t, phone, scanURL)
	newSandboxUser(t, phone, "扫码医生")
	step(t, phone, "the account's reply", chromedp.WaitVisible(chromedp.CSS("#reply a")))
	if reply := text(t, phone, "#reply"); !strings.Contains(reply, "点此确认登录") {
		t.Fatalf("reply %q", reply)
	}
	waitFor(t, pc, `document.querySelector('#login-status').textContent.includes('已扫码')`, stepWait, "the PC to see the scan")

	// The link passes through OAuth: the same user authorizes.
	authorizeReplyLink(t, phone, "扫码医生")
	// Not bound yet: the binding page first, then back to the confirmation.
	bindRealName(t, phone, "张医生", testid.Resident("37010219900307123"))
	step(t, phone, "confirmation page", chromedp.WaitVisible(chromedp.CSS("#confirm-login")))
	step(t, phone, "confirm", chromedp.Click(chromedp.CSS("#confirm-login")), chromedp.WaitVisible(chromedp.CSS("#confirm-done")))

	waitPath(t, pc, "/apply/basic")
	if who := text(t, pc, "#who-name"); who != "张医生" {
		t.Fatalf("PC header shows %q, want the bound name", who)
	}
	if count(t, pc, "#logout") != 1 {
		t.Fatal("no 退出登录 button on the PC")
	}
}

// TestLoginOAuthBindOnPhone is the H5 path of seed 7.2–7.3: WeChat on a
// phone opens the binding entry, the sandbox authorizes a new user, the
// person binds a real name and sees the bound state.
func TestLoginOAuthBindOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	phone := newBrowser(t)
	step(t, phone, "phone", mobile())
	open(t, phone, srv.URL+"/wechat/oauth/start?next=/bind")
	newSandboxUser(t, phone, "手机医生")
	number := testid.Resident("37020219851111002")
	bindRealName(t, phone, "王医生", number)
	step(t, phone, "bound page", chromedp.WaitVisible(chromedp.CSS("#bound-name")))
	waitPath(t, phone, "/bind")
	if name := text(t, phone, "#bound-name"); name != "王医生" {
		t.Fatalf("bound name %q", name)
	}
	if id := text(t, phone, "#bound-id"); id != recruit.MaskID(number) {
		t.Fatalf("bound ID %q, want %q", id, recruit.MaskID(number))
	}
	if n := count(t, phone, "#unbind"); n != 1 {
		t.Fatal("no 解除认证 button")
	}
	if warn := text(t, phone, ".wx-warn"); warn != "一个月内仅限认证一次，请谨慎选择认证或解除认证。" {
		t.Fatalf("warning %q", warn)
	}
	if evaluate[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the binding page scrolls sideways on a phone")
	}
}
