package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// boardPoll is how long the board may take to refresh itself: board.js
// polls every 5 seconds, and the server's snapshot can be 2 seconds old.
const boardPoll = 12 * time.Second

// noticeItems is the number of items of the 温馨提示 in the user manual.
const noticeItems = 9

// TestHomePage checks the public home page of the demo year on a desktop.
func TestHomePage(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, desktop()); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, srv.URL+"/")

	// zhupei serve creates the demo year for the current year.
	wantTitle := fmt.Sprintf("%d年度山东省住院医师规范化培训招录报名系统", time.Now().In(recruit.Shanghai).Year())
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || !strings.Contains(title, wantTitle) {
		t.Errorf("title %q (%v), want it to contain %q", title, err, wantTitle)
	}

	if h := text(t, ctx, ".notice h2"); h != "温馨提示" {
		t.Errorf("notice heading %q, want 温馨提示", h)
	}
	items := texts(t, ctx, ".notice ol > li")
	if len(items) != noticeItems {
		t.Errorf("温馨提示 has %d items, want %d: %q", len(items), noticeItems, items)
	} else if !strings.Contains(items[1], "报名端口开放时间") {
		t.Errorf("温馨提示 item 2 is %q, want the 报名端口开放时间", items[1])
	}

	links := evaluate[map[string]string](t, ctx,
		`Object.fromEntries(Array.from(document.querySelectorAll('a.btn'), a => [a.textContent.trim(), a.getAttribute('href')]))`)
	for _, name := range []string{"立即报名", "结果查询"} {
		href, ok := links[name]
		if !ok {
			t.Errorf("no %s button; buttons: %q", name, links)
			continue
		}
		u, err := url.Parse(href)
		if err != nil || u.Path != "/login" || !strings.HasPrefix(u.Query().Get("next"), "/") {
			t.Errorf("%s links to %q, want /login?next=/…", name, href)
		}
	}

	// The chart is an inline SVG that the server renders: its bars are the
	// rects of the rows, the legend is text in the SVG.
	bars := evaluate[int](t, ctx, `Array.from(document.querySelectorAll('svg.chart g.row rect')).filter(r => r.width.baseVal.value > 0).length`)
	if bars == 0 {
		t.Error("the chart has no bars")
	}
	legend := texts(t, ctx, "svg.chart > text")
	for _, want := range []string{"招收计划", "报名人数"} {
		if !slices.Contains(legend, want) {
			t.Errorf("chart legend %q lacks %s", legend, want)
		}
	}

	if qr := text(t, ctx, ".qr"); !strings.Contains(qr, "扫码关注公众号") {
		t.Errorf("account QR box reads %q, want 扫码关注公众号", qr)
	}
}

// boardRow is one program row of the board table.
type boardRow struct {
	Base      string `json:"base"`
	Specialty string `json:"specialty"`
	Plan      string `json:"plan"`
}

// boardRows reads the program rows of the board table.
func boardRows(t *testing.T, ctx context.Context) []boardRow {
	t.Helper()
	return evaluate[[]boardRow](t, ctx, `Array.from(document.querySelectorAll('#board tbody tr[data-id]'),
		r => ({base: r.cells[0].textContent.trim(), specialty: r.cells[1].textContent.trim(), plan: r.cells[2].textContent.trim()}))`)
}

// TestBoard checks the 招录情况一览表: the demo plans, the base filter, and
// the counts that refresh themselves without a reload.
func TestBoard(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	open(t, ctx, srv.URL+"/board")

	all := boardRows(t, ctx)
	if !slices.ContainsFunc(all, func(r boardRow) bool { return r.Base == "山东大学齐鲁医院" && r.Specialty == "内科" }) {
		t.Errorf("no 山东大学齐鲁医院 内科 row among %d rows", len(all))
	}
	for _, r := range all {
		if n, err := strconv.Atoi(r.Plan); err != nil || n <= 0 {
			t.Errorf("row %+v: 计划数 is not a positive number", r)
		}
	}

	type option struct {
		Value string `json:"value"`
		Name  string `json:"name"`
	}
	bases := evaluate[[]option](t, ctx, `Array.from(document.querySelectorAll('select[name="base"] option'),
		o => ({value: o.value, name: o.textContent.trim()})).filter(o => o.value !== '')`)
	if len(bases) != 24 {
		t.Errorf("the base filter lists %d bases, want the 24 demo bases", len(bases))
	}
	const chosen = "青岛大学附属医院"
	i := slices.IndexFunc(bases, func(o option) bool { return o.Name == chosen })
	if i < 0 {
		t.Fatalf("the base filter lacks %s: %+v", chosen, bases)
	}
	var want []boardRow
	for _, r := range all {
		if r.Base == chosen {
			want = append(want, r)
		}
	}

	// Choosing a base submits the filter form (board.js), as a user does.
	resp, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('select[name="base"]');
		s.value = `+jsString(bases[i].Value)+`;
		s.dispatchEvent(new Event('change', {bubbles: true}));
	})()`))
	if err != nil {
		t.Fatalf("choose %s: %v", chosen, err)
	}
	if resp.Status != 200 || !strings.Contains(resp.URL, "base="+bases[i].Value) {
		t.Errorf("choosing %s loaded %s (status %d), want /board?base=%s", chosen, resp.URL, resp.Status, bases[i].Value)
	}
	filtered := boardRows(t, ctx)
	if !slices.Equal(filtered, want) {
		t.Errorf("rows for %s:\n%+v\nwant the base's rows of the full table:\n%+v", chosen, filtered, want)
	}
	sum := 0
	for _, r := range filtered {
		n, _ := strconv.Atoi(r.Plan)
		sum += n
	}
	if total := text(t, ctx, `[data-total="plan"]`); total != strconv.Itoa(sum) {
		t.Errorf("合计 计划数 %s, want %d, the sum of the rows", total, sum)
	}

	// The page refreshes its counts in place: a marker set in the window
	// survives the update of 更新时间.
	evaluate[chromedp.Void](t, ctx, `window.__noReload = 1`)
	before := text(t, ctx, "#updated-at")
	waitFor(t, ctx, `document.getElementById('updated-at').textContent !== `+jsString(before), boardPoll,
		"更新时间 to change after "+before)
	if !evaluate[bool](t, ctx, `window.__noReload === 1`) {
		t.Error("the board reloaded the page to update itself")
	}
	if status := text(t, ctx, "#poll-status"); status != "" {
		t.Errorf("poll status %q, want none", status)
	}
	if after := boardRows(t, ctx); !slices.Equal(after, want) {
		t.Errorf("rows after the update:\n%+v\nwant:\n%+v", after, want)
	}

	// Nothing changed since: the next poll sends the ETag and gets 304
	// without a body, the rows stay and 更新时间 still moves.
	polled := text(t, ctx, "#updated-at")
	waitFor(t, ctx, `performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/programs') && e.responseStatus === 304)`,
		2*boardPoll, "a poll answered 304 Not Modified")
	waitFor(t, ctx, `document.getElementById('updated-at').textContent !== `+jsString(polled), boardPoll,
		"更新时间 to move after the 304")
	if after := boardRows(t, ctx); !slices.Equal(after, want) {
		t.Errorf("rows after a 304:\n%+v\nwant:\n%+v", after, want)
	}
	if status := text(t, ctx, "#poll-status"); status != "" {
		t.Errorf("poll status %q after a 304, want none", status)
	}
}

// phoneLayout is what TestHomePageFitsPhone measures.
type phoneLayout struct {
	InnerWidth  int      `json:"innerWidth"`
	ScrollWidth int      `json:"scrollWidth"`
	UserAgent   string   `json:"userAgent"`
	TouchPoints int      `json:"touchPoints"`
	Overflowing []string `json:"overflowing"`
}

// measurePhoneLayout lists the elements that reach past the right edge of
// the viewport, except those inside a container that scrolls or clips them
// by design (such as the chart).
const measurePhoneLayout = `(() => {
	const w = window.innerWidth;
	const contained = e => {
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
		}
		return false;
	};
	const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
		(typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
	const overflowing = [];
	for (const e of document.body.querySelectorAll('*')) {
		const r = e.getBoundingClientRect();
		if (r.width > 0 && r.right > w + 1 && !contained(e)) overflowing.push(name(e) + ' (right ' + Math.round(r.right) + ')');
	}
	return {innerWidth: w, scrollWidth: document.documentElement.scrollWidth,
		userAgent: navigator.userAgent, touchPoints: navigator.maxTouchPoints, overflowing};
})()`

// TestHomePageFitsPhone checks that the home page fits a phone in WeChat:
// nothing but the scrolling chart is wider than the screen.
func TestHomePageFitsPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, mobile()); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, srv.URL+"/")

	l := evaluate[phoneLayout](t, ctx, measurePhoneLayout)
	if l.InnerWidth != int(wechatPhone.Width) || !strings.Contains(l.UserAgent, "MicroMessenger") || l.TouchPoints == 0 {
		t.Fatalf("not emulating WeChat on a phone: width %d, user agent %q, %d touch points", l.InnerWidth, l.UserAgent, l.TouchPoints)
	}
	if l.ScrollWidth > l.InnerWidth+1 || len(l.Overflowing) > 0 {
		t.Errorf("the page is %d px wide on a %d px screen; too wide: %q", l.ScrollWidth, l.InnerWidth, l.Overflowing)
	}
	if n := count(t, ctx, ".chart-wrap svg.chart"); n != 1 {
		t.Errorf("%d charts on the phone, want 1", n)
	}
}
