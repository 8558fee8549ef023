package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// TestProvinceConsole is the province admin's console (issue 10): logged in
// through the QR flow, the admin moves the end of the year by a day in 日历,
// changes a plan and imports a plan file adding a base in 基地与计划,
// rewrites the 温馨提示 (the home page shows it), reads 统计 with its
// charts and finds every change in 审计日志; each screen fits a 375 px
// phone. The later parts run in browsers of their own (with the console
// session's cookie), each with its own time limit.
func TestProvinceConsole(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	code := staffInvite(t, srv, "-role", "province", "-name", "省中心李老师")
	pc := newBrowser(t)
	screenshotOnFailure(t, pc, "pc")
	consoleLogin(t, srv, pc, "省中心李老师", code)
	nav := strings.Join(texts(t, pc, "#console-nav a"), " ")
	if nav != "首页 审核 日历 基地与计划 温馨提示 人员 统计 调剂方案 审计日志" {
		t.Errorf("the province's navigation %q", nav)
	}

	open(t, pc, srv.URL+"/admin/calendar")
	closed := evaluate[string](t, pc, `document.querySelector('input[name="closed"]').value`)
	at, err := time.ParseInLocation("2006-01-02T15:04", closed, recruit.Shanghai)
	if err != nil {
		t.Fatalf("the calendar's closed field holds %q", closed)
	}
	later := at.AddDate(0, 0, 1).Format("2006-01-02T15:04")
	shot(t, pc, "console-calendar", "1280")
	step(t, pc, "move the end", chromedp.SetValue(chromedp.CSS(`input[name="closed"]`), later), chromedp.Click(chromedp.CSS("#calendar-save")),
		chromedp.WaitVisible(chromedp.CSS("#calendar-saved")))
	if got := evaluate[string](t, pc, `document.querySelector('input[name="closed"]').value`); got != later {
		t.Errorf("closed after saving = %q, want %q", got, later)
	}

	open(t, pc, srv.URL+"/admin/plans")
	step(t, pc, "raise the first plan", chromedp.SetValue(chromedp.CSS(`#plans-table tbody tr:first-child input[name="plan"]`), "77"),
		chromedp.Click(chromedp.CSS(`#plans-table tbody tr:first-child button`)), chromedp.WaitVisible(chromedp.CSS("#plans-saved-plan")))
	if got := text(t, pc, "#plans-table tbody tr:first-child .plan"); got != "77" {
		t.Errorf("the first plan after saving = %q, want 77", got)
	}
	csv := writeFile(t, "plan.csv", []byte("基地名称,城市,专业代码,专业名称,计划数\n测试新增医院,济南,0100,内科,6\n"))
	step(t, pc, "import a plan file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{csv}),
		chromedp.Click(chromedp.CSS("#import-submit")), chromedp.WaitVisible(chromedp.CSS("#plans-saved-import")))
	base := evaluate[string](t, pc, `Array.from(document.querySelectorAll('#plans-base option')).find(o => o.textContent.startsWith('测试新增医院'))?.value ?? ''`)
	if base == "" {
		t.Fatal("the imported base is not offered")
	}
	open(t, pc, srv.URL+"/admin/plans?base="+base)
	if rows := texts(t, pc, "#plans-table tbody tr"); len(rows) != 1 || !strings.Contains(rows[0], "内科") || !strings.Contains(rows[0], "6") {
		t.Errorf("the imported base's programs: %q", rows)
	}
	shot(t, pc, "console-plans", "1280")

	cookies := sessionCookies(t, pc)
	pc = newBrowser(t)
	screenshotOnFailure(t, pc, "pc2")
	step(t, pc, "desktop", desktop())
	setCookies(t, pc, cookies)
	open(t, pc, srv.URL+"/admin/notice")
	notice := "一、报名时间以本系统公布的日程为准。\n二、请在报名截止前提交志愿。"
	step(t, pc, "rewrite the notice", chromedp.SetValue(chromedp.CSS(`textarea[name="notice"]`), notice),
		chromedp.Click(chromedp.CSS("#notice-save")), chromedp.WaitVisible(chromedp.CSS("#notice-saved")))
	shot(t, pc, "console-notice", "1280")
	open(t, pc, srv.URL+"/")
	if home := text(t, pc, "body"); !strings.Contains(home, "请在报名截止前提交志愿") {
		t.Error("the home page does not show the new notice")
	}

	open(t, pc, srv.URL+"/admin/statistics")
	step(t, pc, "statistics", chromedp.WaitVisible(chromedp.CSS("#stats-table")))
	if n := evaluate[int](t, pc, `document.querySelectorAll('svg.chart').length`); n != 2 {
		t.Errorf("the statistics show %d charts, want 2", n)
	}
	if funnel := text(t, pc, "#stats-funnel"); !strings.Contains(funnel, "实名认证") || !strings.Contains(funnel, "录取") {
		t.Errorf("the funnel reads %q", funnel)
	}
	shot(t, pc, "console-statistics", "1280")

	open(t, pc, srv.URL+"/admin/audit")
	actions := strings.Join(texts(t, pc, "#audit-table td.action"), " ")
	if actions != "修改温馨提示 导入招收计划 修改计划数 修改年度日程" {
		t.Errorf("the audit log lists %q", actions)
	}
	shot(t, pc, "console-audit", "1280")

	phone := newBrowser(t)
	screenshotOnFailure(t, phone, "phone")
	step(t, phone, "phone width", chromedp.Emulate(phone375))
	setCookies(t, phone, cookies)
	for _, page := range []string{"calendar", "plans", "notice", "statistics", "audit"} {
		open(t, phone, srv.URL+"/admin/"+page)
		fitsScreen(t, phone, "/admin/"+page+" at 375 px")
		shot(t, phone, "console-"+page, "375")
	}
}
