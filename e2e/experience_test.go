package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"zhupei/internal/testimg"
)

// The applicant's experience (issue 12): ordinary ID photos accepted,
// typed input never lost, and the signals of the pages, each at a 375 px
// phone and a 1280 px desktop.

// phone375 is WeChat on a 375 px phone (iPhone SE to 13 mini).
var phone375 = device.Info{Name: "WeChat 375", UserAgent: wechatUserAgent, Width: 375, Height: 812, Scale: 2, Mobile: true, Touch: true}

// viewports are the widths every experience test runs at.
var viewports = []struct {
	name   string
	screen device.Info
}{{"375", phone375}, {"1280", desktopScreen}}

// eachViewport runs f in a new browser for each viewport, as a new
// applicant (ID sequences seq and seq+2: odd, a man's, as basicValues say).
func eachViewport(t *testing.T, srv *server, seq int, f func(t *testing.T, ctx context.Context, width string)) {
	for i, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			ctx := newBrowser(t)
			if err := chromedp.Do(ctx, chromedp.Emulate(vp.screen)); err != nil {
				t.Fatal(err)
			}
			loginAndBind(t, ctx, srv, "体验用户"+vp.name, applyIDNumber(t, seq+2*i))
			f(t, ctx, vp.name)
		})
	}
}

// shot saves a screenshot of the page as <name>-<width>.png in the
// directory $ZHUPEI_E2E_SHOTS, when it is set (for looking at the pages).
func shot(t *testing.T, ctx context.Context, name, width string) {
	t.Helper()
	dir := os.Getenv("ZHUPEI_E2E_SHOTS")
	if dir == "" {
		return
	}
	if err := screenshot(ctx, filepath.Join(dir, name+"-"+width+".png")); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// writeFile writes data to a file named name in the test's directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// basicValues is a valid 基本信息 of the applicants of applyIDNumber.
var basicValues = [][2]string{{"gender", "男"}, {"birth_date", "1995-03-15"}, {"ethnicity", "汉族"}, {"political", "群众"},
	{"phone", "13800138000"}, {"email", "doctor@example.com"}, {"qq", "12345678"}, {"personnel_type", "社会化"}}

// submitBasic fills 基本信息, chooses photo and saves; it returns the
// message next to the photo ("" when the save went through).
func submitBasic(t *testing.T, ctx context.Context, srv *server, photo string) string {
	t.Helper()
	open(t, ctx, srv.URL+"/apply/basic")
	fill(t, ctx, basicValues)
	step(t, ctx, "photo", chromedp.SetUploadFiles(chromedp.CSS("#f-photo_id"), []string{photo}))
	// A phone photo takes a while to send and decode on a loaded machine.
	sctx, cancel := context.WithTimeout(ctx, 4*stepWait)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.Click(chromedp.CSS("#save")), chromedp.WaitReady(chromedp.CSS(".flash"))); err != nil {
		t.Fatalf("save with %s: %v", filepath.Base(photo), err)
	}
	if count(t, ctx, ".flash.ok") == 1 {
		return ""
	}
	return text(t, ctx, `[data-error-for="photo_id"]`)
}

// TestIDPhotos uploads realistic generated ID photos, all accepted, and the
// same photo on coloured backdrops, each refused with its reason.
//
// It does not run in parallel with the other browser tests: it uploads
// and decodes eight photos per viewport, one of 12 million pixels.
func TestIDPhotos(t *testing.T) {
	srv := startServer(t)
	want := map[string]string{
		"蓝色背景": "照片底色必须为白色，检测到蓝色背景，请更换白底证件照",
		"红色背景": "照片底色必须为白色，检测到红色背景，请更换白底证件照",
		"灰色背景": "照片底色必须为白色，检测到灰色背景，请更换白底证件照",
	}
	photos := func(list []testimg.Named) []string {
		out := make([]string, len(list))
		for i, p := range list {
			out[i] = writeFile(t, p.Name+".jpg", testimg.IDPhoto(t, p.Portrait))
		}
		return out
	}
	coloured, realistic := photos(testimg.Coloured), photos(testimg.Realistic)
	eachViewport(t, srv, 41, func(t *testing.T, ctx context.Context, width string) {
		for i, p := range testimg.Coloured {
			msg := submitBasic(t, ctx, srv, coloured[i])
			if msg != want[p.Name] {
				t.Errorf("%s: %q, want %q", p.Name, msg, want[p.Name])
			}
			if got := evaluate[string](t, ctx, `document.querySelector('[name="phone"]').value`); got != "13800138000" {
				t.Errorf("%s: the refused page lost the phone (%q)", p.Name, got)
			}
		}
		shot(t, ctx, "basic-refused-photo", width)
		for i, p := range testimg.Realistic {
			if msg := submitBasic(t, ctx, srv, realistic[i]); msg != "" {
				t.Errorf("%s (%d×%d) refused: %q", p.Name, p.W, p.H, msg)
			}
		}
	})
}

// TestTypedInputKept: an oversized photo is refused in the page before
// anything is sent; a valid photo sent with an error elsewhere is staged
// and saved with the corrected form; a save from an outdated page shows the
// saved values next to the user's and saving again keeps the user's.
func TestTypedInputKept(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	huge := append(testimg.IDPhoto(t, testimg.Realistic[0].Portrait), make([]byte, 12<<20)...)
	eachViewport(t, srv, 51, func(t *testing.T, ctx context.Context, width string) {
		open(t, ctx, srv.URL+"/apply/basic")
		fill(t, ctx, basicValues)
		fill(t, ctx, [][2]string{{"phone", "123"}})
		step(t, ctx, "oversized photo", chromedp.SetUploadFiles(chromedp.CSS("#f-photo_id"), []string{writeFile(t, "huge.jpg", huge)}))
		waitFor(t, ctx, `!document.querySelector('[data-size-error-for="photo_id"]').hidden`, stepWait, "the size message")
		if msg := text(t, ctx, `[data-size-error-for="photo_id"]`); !strings.Contains(msg, "超过10MB的上限，未上传") {
			t.Errorf("size message %q", msg)
		}
		if n := evaluate[int](t, ctx, `document.querySelector('#f-photo_id').files.length`); n != 0 {
			t.Errorf("the oversized photo is still in the form (%d files)", n)
		}
		shot(t, ctx, "basic-oversized-photo", width)

		// A valid photo with a wrong phone: refused, values and photo kept.
		step(t, ctx, "photo", chromedp.SetUploadFiles(chromedp.CSS("#f-photo_id"),
			[]string{writeFile(t, "photo.jpg", testimg.IDPhoto(t, testimg.Realistic[1].Portrait))}))
		step(t, ctx, "save", chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#form-errors")))
		if msg := text(t, ctx, `[data-error-for="phone"]`); msg == "" {
			t.Error("no message next to the wrong phone")
		}
		for _, kv := range [][2]string{{"email", "doctor@example.com"}, {"qq", "12345678"}, {"phone", "123"}} {
			if got := evaluate[string](t, ctx, `document.querySelector('[name="`+kv[0]+`"]').value`); got != kv[1] {
				t.Errorf("after the refused save %s = %q, want %q", kv[0], got, kv[1])
			}
		}
		staged := evaluate[string](t, ctx, `(document.querySelector('[name="staged_photo_id"]') || {}).value || ''`)
		if len(staged) != 32 || count(t, ctx, "#staged-photo_id") != 1 {
			t.Fatalf("the accepted photo is not kept (staged %q)", staged)
		}
		shot(t, ctx, "basic-staged-photo", width)
		fill(t, ctx, [][2]string{{"phone", "13800138000"}})
		save(t, ctx, "基本信息")
		open(t, ctx, srv.URL+"/preview")
		if n := count(t, ctx, `img[src="/apply/files/`+staged+`"]`); n != 1 {
			t.Errorf("the preview shows %d images of the staged photo", n)
		}

		// Back, then 保存: the page's form is older than the profile.
		open(t, ctx, srv.URL+"/apply/work")
		fill(t, ctx, [][2]string{{"has_employer", "否"}, {"western_support", "否"}, {"military", "否"}, {"order_directed", "否"}})
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => { const f = document.querySelector('form.apply-form');
			const r = await fetch(f.action, {method: 'POST', body: new FormData(f), credentials: 'same-origin'}); return r.ok })()`,
			chromedp.EvalAwaitPromise))
		if err != nil || !ok {
			t.Fatalf("saving the work section in the background: %v %v", ok, err)
		}
		fill(t, ctx, [][2]string{{"military", "是"}})
		step(t, ctx, "stale save", chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#conflicts")))
		row := text(t, ctx, `.conflict[data-field-label="是否为军队住院医师"]`)
		if !strings.Contains(row, "当前已保存否") || !strings.Contains(row, "您的填写是") {
			t.Errorf("conflict row %q", row)
		}
		if got := evaluate[string](t, ctx, `document.querySelector('[name="military"]').value`); got != "是" {
			t.Errorf("the conflict page lost the user's value: %q", got)
		}
		shot(t, ctx, "work-conflict", width)
		save(t, ctx, "工作信息")
		open(t, ctx, srv.URL+"/apply/work")
		if got := evaluate[string](t, ctx, `document.querySelector('[name="military"]').value`); got != "是" {
			t.Errorf("saving the conflict page did not keep the user's value: %q", got)
		}
	})
}

// TestFormSignals: dependent fields appear only when needed; the form
// button says 生成报名表 before any form and 重新生成报名表 after, on the
// step list too; a change after the form says it is outdated on /result
// and in the save message.
func TestFormSignals(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	eachViewport(t, srv, 61, func(t *testing.T, ctx context.Context, width string) {
		open(t, ctx, srv.URL+"/apply/work")
		shown := `getComputedStyle(document.querySelector('[data-show-if="has_employer"]')).display !== 'none'`
		if evaluate[bool](t, ctx, shown) {
			t.Error("employer fields displayed before 是否有工作单位 is answered")
		}
		fill(t, ctx, [][2]string{{"has_employer", "是"}})
		if !evaluate[bool](t, ctx, shown) {
			t.Error("employer fields not displayed after 是否有工作单位 = 是")
		}
		fill(t, ctx, [][2]string{{"has_employer", "否"}})
		if evaluate[bool](t, ctx, shown) {
			t.Error("employer fields displayed after 是否有工作单位 = 否")
		}
		shot(t, ctx, "work-dependents-hidden", width)

		fillAllSections(t, ctx, srv, writeFile(t, "photo.jpg", testimg.IDPhoto(t, testimg.Realistic[0].Portrait)))
		open(t, ctx, srv.URL+"/apply/choice")
		pickBase(t, ctx, evaluate[string](t, ctx, `document.querySelector('#f-base option[value]:not([value=""])').value`))
		submitChoice(t, ctx, evaluate[string](t, ctx, `document.querySelector('#f-program option[value]:not([value=""])').value`))
		if got := text(t, ctx, "#generate-form"); got != "生成报名表" {
			t.Errorf("result before any form: button %q", got)
		}
		open(t, ctx, srv.URL+"/apply")
		if got := text(t, ctx, "#generate-form"); got != "生成报名表" {
			t.Errorf("step list before any form: button %q", got)
		}
		shot(t, ctx, "steps-generate", width)
		if r := fetchForm(t, ctx, "POST", "/form/generate"); r.Status != 200 || r.Head != "%PDF-" {
			t.Fatalf("generate from the step list: %d %q", r.Status, r.Head)
		}
		open(t, ctx, srv.URL+"/result")
		if got := text(t, ctx, "#generate-form"); got != "重新生成报名表" || count(t, ctx, "#form-outdated") != 0 {
			t.Errorf("result after the form: button %q, %d outdated notices", got, count(t, ctx, "#form-outdated"))
		}

		open(t, ctx, srv.URL+"/apply/work")
		fill(t, ctx, [][2]string{{"military", "是"}})
		save(t, ctx, "工作信息")
		const notice = "您在生成报名表后修改了信息，请重新生成并以最新版本为准"
		if got := text(t, ctx, ".flash.ok"); !strings.Contains(got, notice) {
			t.Errorf("save message after the change %q", got)
		}
		shot(t, ctx, "steps-outdated", width)
		open(t, ctx, srv.URL+"/result")
		if got := text(t, ctx, "#form-outdated"); got != notice {
			t.Errorf("result after the change: notice %q", got)
		}
		shot(t, ctx, "result-outdated", width)
		if r := fetchForm(t, ctx, "POST", "/form/generate"); r.Status != 200 {
			t.Fatalf("regenerate: %d", r.Status)
		}
		open(t, ctx, srv.URL+"/result")
		if n := count(t, ctx, "#form-outdated"); n != 0 {
			t.Errorf("the notice stays after regenerating (%d)", n)
		}
	})
}
