package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleQRLogin is the staff console's login (issue 10): a base admin
// opens /admin/login on the PC, a phone scans the QR code in the sandbox and
// confirms without any real-name binding, the PC enters the invitation code
// that `zhupei staff-invite` printed and lands on the console home with the
// name, role and base, and invites a reviewer on 人员; at 375 px the
// console does not scroll sideways.
func TestConsoleQRLogin(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	code := staffInvite(t, srv, "-role", "base_admin", "-base", "1", "-name", "王主任")
	pc := newBrowser(t)
	screenshotOnFailure(t, pc, "pc")
	consoleLogin(t, srv, pc, "基地王主任", code)
	step(t, pc, "console home", chromedp.WaitVisible(chromedp.CSS("#console-home")))
	if name, role := text(t, pc, "#console-name"), text(t, pc, "#home-role"); name != "王主任" || role != "基地管理员" {
		t.Errorf("the console shows %q as %q, want 王主任 as 基地管理员", name, role)
	}
	if base := text(t, pc, "#home-base"); base == "" || base != text(t, pc, "#console-base") {
		t.Errorf("the console's base %q, header %q", base, text(t, pc, "#console-base"))
	}
	nav := texts(t, pc, "#console-nav a")
	if strings.Join(nav, " ") != "首页 审核 拟录取与公示 日期与通知 导出 人员 统计 审计日志" {
		t.Errorf("navigation %q", nav)
	}
	shot(t, pc, "console-home", "1280")

	// 人员: the base admin invites a reviewer of its base.
	step(t, pc, "人员", chromedp.Click(chromedp.CSS(`#console-nav a[data-nav="staff"]`)))
	waitPath(t, pc, "/admin/staff")
	step(t, pc, "invite", chromedp.SetValue(chromedp.CSS("#invite-name"), "李老师"), chromedp.Click(chromedp.CSS("#invite-submit")))
	step(t, pc, "the new code", chromedp.WaitVisible(chromedp.CSS("#invite-code")))
	if c := text(t, pc, "#invite-code"); len(c) != 8 {
		t.Errorf("invitation code %q", c)
	}
	if n := count(t, pc, "#staff-list tbody tr"); n != 1 {
		t.Errorf("the base's accounts: %d rows, want the admin's own", n)
	}
	shot(t, pc, "console-staff", "1280")

	step(t, pc, "phone width", chromedp.Emulate(phone375))
	open(t, pc, srv.URL+"/admin/staff")
	fitsScreen(t, pc, "/admin/staff at 375 px")
	shot(t, pc, "console-staff", "375")
	open(t, pc, srv.URL+"/admin")
	fitsScreen(t, pc, "/admin at 375 px")
	shot(t, pc, "console-home", "375")
	step(t, pc, "the mini-program's link code", chromedp.Click(chromedp.CSS("#make-link-code")), chromedp.WaitVisible(chromedp.CSS("#link-code")))
	if c := text(t, pc, "#link-code"); len(c) != 8 {
		t.Errorf("link code %q", c)
	}
	fitsScreen(t, pc, "the link code at 375 px")
	shot(t, pc, "console-link-code", "375")

	// 退出登录 ends the console session.
	step(t, pc, "logout", chromedp.Click(chromedp.CSS("#console-logout")))
	waitPath(t, pc, "/admin/login")
	fitsScreen(t, pc, "/admin/login at 375 px")
	shot(t, pc, "console-login", "375")
	open(t, pc, srv.URL+"/admin")
	waitPath(t, pc, "/admin/login")
}

// consoleLogin logs the PC browser pc into the console: /admin/login shows
// the QR code, a new sandbox user nickname scans and confirms it on a phone
// (no real-name binding), and the PC redeems the invitation code and lands
// on /admin.
func consoleLogin(t *testing.T, srv *server, pc context.Context, nickname, code string) {
	t.Helper()
	step(t, pc, "desktop", desktop())
	open(t, pc, srv.URL+"/admin")
	waitPath(t, pc, "/admin/login")
	waitFor(t, pc, `(i => i && i.complete && i.naturalWidth > 100)(document.querySelector('#login-qr'))`, stepWait, "the QR code image")
	shot(t, pc, "console-login", "1280")
	scanURL := evaluate[string](t, pc, `document.querySelector('#sandbox-scan').href`)

	phone := newIsolatedContext(t, pc)
	screenshotOnFailure(t, phone, "phone")
	step(t, phone, "phone", mobile())
	open(t, phone, scanURL)
	newSandboxUser(t, phone, nickname)
	step(t, phone, "the account's reply", chromedp.WaitVisible(chromedp.CSS("#reply a")))
	waitFor(t, pc, `document.querySelector('#login-status').textContent.includes('已扫码')`, stepWait, "the PC to see the scan")
	authorizeReplyLink(t, phone, nickname)
	// No binding page: a staff login goes straight to the confirmation.
	step(t, phone, "confirmation page", chromedp.WaitVisible(chromedp.CSS("#confirm-login")))
	if p := text(t, phone, "#confirm p"); !strings.Contains(p, "招录管理后台") {
		t.Errorf("the phone's confirmation reads %q", p)
	}
	step(t, phone, "confirm", chromedp.Click(chromedp.CSS("#confirm-login")), chromedp.WaitVisible(chromedp.CSS("#confirm-done")))

	// The new account's first login asks for the invitation code.
	waitPath(t, pc, "/admin/redeem")
	shot(t, pc, "console-redeem", "1280")
	step(t, pc, "redeem", chromedp.SetValue(chromedp.CSS("#redeem-code"), strings.ToLower(code)), chromedp.Click(chromedp.CSS("#redeem-submit")))
	waitPath(t, pc, "/admin")
}
