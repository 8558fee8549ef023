package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// sessionCookies returns the cookies of the browser of ctx, to give the
// same logged-in user to browsers with time limits of their own
// (setCookies).
func sessionCookies(t *testing.T, ctx context.Context) []*network.CookieParam {
	t.Helper()
	got, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{})
	if err != nil {
		t.Fatalf("read cookies: %v", err)
	}
	var params []*network.CookieParam
	for _, c := range got.Cookies {
		params = append(params, &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite})
	}
	return params
}

// setCookies sets the cookies of sessionCookies in the browser of ctx.
func setCookies(t *testing.T, ctx context.Context, cookies []*network.CookieParam) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, storage.SetCookies, storage.SetCookiesParams{Cookies: cookies}); err != nil {
		t.Fatalf("set cookies: %v", err)
	}
}

// phoneWidths are the narrow screens that no page may scroll sideways on.
var phoneWidths = []int64{320, 375, 414}

// phoneOf is WeChat on a phone w px wide.
func phoneOf(w int64) device.Info {
	p := wechatPhone
	// Scale 1 keeps full-page screenshots small; the layout is the same.
	p.Name, p.Width, p.Scale = "WeChat "+strconv.FormatInt(w, 10)+"px", w, 1
	return p
}

// keepScreenshot saves a screenshot of the tab as name.png in the directory
// ZHUPEI_E2E_SHOTS names, when it is set: the pictures of the pages that a
// change to their layout is judged by.
func keepScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ZHUPEI_E2E_SHOTS")
	if dir == "" {
		return
	}
	if err := screenshot(ctx, filepath.Join(dir, name+".png")); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// fitsScreen fails the test when the open page scrolls sideways: the
// document is wider than the viewport.
func fitsScreen(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	l := evaluate[phoneLayout](t, ctx, measurePhoneLayout)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("%s: the page is %d px wide on a %d px screen; too wide: %q", what, l.ScrollWidth, l.InnerWidth, l.Overflowing)
	}
	if wrapped := evaluate[[]string](t, ctx, wrappedButtons); len(wrapped) > 0 {
		t.Errorf("%s: buttons whose label wraps: %q", what, wrapped)
	}
}

// wrappedButtons lists the visible buttons whose label takes more than one
// line.
const wrappedButtons = `Array.from(document.querySelectorAll('.btn, button')).filter(b => {
	if (!b.offsetWidth || !b.textContent.trim()) return false;
	const r = document.createRange();
	r.selectNodeContents(b);
	return new Set(Array.from(r.getClientRects(), c => Math.round(c.top))).size > 1;
}).map(b => b.textContent.trim())`

// boundBrowser opens a browser as dev, logs a new sandbox user nickname in
// and binds the ID number applyIDNumber(seq); it ends on /apply.
func boundBrowser(t *testing.T, srv *server, dev device.Info, nickname string, seq int) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.Emulate(dev)); err != nil {
		t.Fatal(err)
	}
	loginAndBind(t, ctx, srv, nickname, applyIDNumber(t, seq))
	return ctx
}

// submittedApplicant opens a 375 px phone browser, binds a new applicant
// (boundBrowser), fills every section and submits the first program of the
// first base; it returns the browser and the base's id.
func submittedApplicant(t *testing.T, srv *server, nickname string, seq int) (context.Context, string) {
	t.Helper()
	ctx := boundBrowser(t, srv, phoneOf(375), nickname, seq)
	fillAllSections(t, ctx, srv, applyPhoto(t))
	open(t, ctx, srv.URL+"/apply/choice")
	base := evaluate[string](t, ctx, `document.querySelector('#f-base option[value]:not([value=""])').value`)
	pickBase(t, ctx, base)
	submitChoice(t, ctx, evaluate[string](t, ctx, `Array.from(document.querySelectorAll('#f-program option'), o => o.value).filter(v => v)[0]`))
	return ctx, base
}

// pageName turns a path into a file name: /apply/education/new is
// apply_education_new, / is home.
func pageName(path string) string {
	if path == "/" {
		return "home"
	}
	return strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(strings.TrimPrefix(path, "/"))
}

// TestNoPageScrollsSideways registers an applicant and opens every public
// and applicant page, the education list and its form, the inbox and its
// first message, and the open dialogs, at 320, 375 and 414 px: none may be
// wider than the screen; at 1280 px the PC layout keeps its tables.
func TestNoPageScrollsSideways(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx, _ := submittedApplicant(t, srv, "窄屏用户", 21)
	open(t, ctx, srv.URL+"/apply/education")
	record := evaluate[string](t, ctx, `document.querySelector('.records a[href^="/apply/education/"]').getAttribute('href')`)
	open(t, ctx, srv.URL+"/results")
	result := evaluate[string](t, ctx, `(a => a ? a.getAttribute('href') : '/results')(document.querySelector('main a[href^="/results/"]'))`)
	open(t, ctx, srv.URL+"/messages")
	message := evaluate[string](t, ctx, `document.querySelector('#messages a[href^="/messages/"]').getAttribute('href')`)
	cookies := sessionCookies(t, ctx)

	// Two groups per width, each in a browser with its own time limit.
	groups := map[string][]string{
		"public":    {"/", "/board", "/vacancies?city=济南", "/results", result, "/bind", "/preview", "/history", "/messages", message},
		"applicant": {"/apply", "/apply/basic", "/apply/work", "/apply/education", "/apply/education/new", record, "/apply/certificates", "/apply/choice", "/result", "/adjustment"},
	}
	dialogs := map[string]string{"/bind": "#unbind", "/apply/choice": "#submit-choice"}
	for _, w := range append(phoneWidths, desktopScreen.Width) {
		size := strconv.FormatInt(w, 10)
		for _, group := range []string{"public", "applicant"} {
			pages := groups[group]
			t.Run(size+"/"+group, func(t *testing.T) {
				dev := phoneOf(w)
				if w == desktopScreen.Width {
					dev = desktopScreen
				}
				ctx := newBrowser(t)
				setCookies(t, ctx, cookies)
				if err := chromedp.Do(ctx, chromedp.Emulate(dev)); err != nil {
					t.Fatal(err)
				}
				for _, path := range pages {
					open(t, ctx, srv.URL+path)
					fitsScreen(t, ctx, path+" at "+size+" px")
					keepScreenshot(t, ctx, size+"_"+pageName(path))
					if button, ok := dialogs[path]; ok {
						if path == "/apply/choice" {
							fill(t, ctx, [][2]string{{"accepts_adjustment", "是"}})
						}
						evaluate[chromedp.Void](t, ctx, `document.querySelector(`+jsString(button)+`).click()`)
						waitFor(t, ctx, `!!document.querySelector('.dialog:not([hidden])')`, stepWait, "the dialog of "+path)
						fitsScreen(t, ctx, path+" with its dialog at "+size+" px")
						keepScreenshot(t, ctx, size+"_"+pageName(path)+"_dialog")
					}
				}
				if group == "applicant" {
					cardsOnPhones(t, ctx, srv, w != desktopScreen.Width, size)
				}
			})
		}
	}
}

// cardsOnPhones checks that narrow screens (phone) show the result and the
// education records as cards (no table header, every value labelled) and
// the PC its tables, with every control on the screen.
func cardsOnPhones(t *testing.T, ctx context.Context, srv *server, phone bool, size string) {
	t.Helper()
	for _, path := range []string{"/result", "/apply/education"} {
		open(t, ctx, srv.URL+path)
		headerShown := evaluate[bool](t, ctx, `getComputedStyle(document.querySelector('main table thead')).display !== 'none'`)
		if headerShown == phone {
			t.Errorf("%s at %s px: table header shown %v", path, size, headerShown)
		}
	}
	open(t, ctx, srv.URL+"/result")
	if labels := texts(t, ctx, "#result td[data-label]"); len(labels) < 6 {
		t.Errorf("/result at %s px: %d labelled cells, want 6", size, len(labels))
	}
	for _, sel := range []string{`#result a[href="/form"]`, `#result [data-field="state"]`, `.records button.danger`} {
		if sel == `.records button.danger` {
			open(t, ctx, srv.URL+"/apply/education")
		}
		if !evaluate[bool](t, ctx, `(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth })(document.querySelector(`+jsString(sel)+`))`) {
			t.Errorf("%s at %s px is not entirely on the screen", sel, size)
		}
	}
}
