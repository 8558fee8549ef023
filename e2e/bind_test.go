package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// TestUnbindConfirmation binds on a 375 px phone, opens 解除认证 and cancels
// it (still bound), then on the 1280 px PC confirms it: the dialog gives the
// date 30 days after the binding and warns that it is after the demo year's
// 10-day registration window, whose last day it names.
func TestUnbindConfirmation(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	before := time.Now()
	ctx := boundBrowser(t, srv, phoneOf(375), "解绑用户", 31)
	after := time.Now()
	// The demo registration opened the day before the start of zhupei.
	start := time.Date(before.In(recruit.Shanghai).Year(), before.In(recruit.Shanghai).Month(), before.In(recruit.Shanghai).Day()-1, 0, 0, 0, 0, recruit.Shanghai)
	lastDay := recruit.ChineseDate(start.AddDate(0, 0, 9))

	openUnbind := func(size string) {
		t.Helper()
		open(t, ctx, srv.URL+"/bind")
		if !evaluate[bool](t, ctx, `document.getElementById('unbind-dialog').hidden`) {
			t.Fatalf("%s: the confirmation is open before 解除认证 is pressed", size)
		}
		step(t, ctx, "press 解除认证", chromedp.Click(chromedp.CSS("#unbind")), chromedp.WaitVisible(chromedp.CSS("#unbind-dialog")))
		next := text(t, ctx, "#unbind-next")
		if next != recruit.ChineseDate(before.Add(30*24*time.Hour)) && next != recruit.ChineseDate(after.Add(30*24*time.Hour)) {
			t.Errorf("%s: next binding %q, want 30 days after %v", size, next, before)
		}
		late := text(t, ctx, "#unbind-late")
		if !strings.Contains(late, "晚于本次报名截止日（"+lastDay+"）") || !strings.Contains(late, "无法重新认证") {
			t.Errorf("%s: warning reads %q, want the last day %s", size, late, lastDay)
		}
		fitsScreen(t, ctx, "/bind with its dialog at "+size+" px")
	}

	openUnbind("375")
	step(t, ctx, "cancel", chromedp.Click(chromedp.CSS("#unbind-cancel")), chromedp.WaitNotVisible(chromedp.CSS("#unbind-dialog")))
	open(t, ctx, srv.URL+"/bind")
	if n := count(t, ctx, "#bound-name"); n != 1 {
		t.Fatalf("cancelling unbound the account")
	}

	if err := chromedp.Do(ctx, desktop()); err != nil {
		t.Fatal(err)
	}
	openUnbind("1280")
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#unbind-ok")), chromedp.WaitVisible(chromedp.CSS("#bind-form")))
	if msg := text(t, ctx, "#next-change"); !strings.Contains(msg, "30天内只能认证一次，下次可认证时间：") {
		t.Errorf("after unbinding: %q", msg)
	}
}
