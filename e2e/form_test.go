package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// formResponse is what the page's fetch of a form route saw.
type formResponse struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Head        string `json:"head"` // the first bytes of the body
	Body        string `json:"body"` // base64
}

// fetchForm requests a form route from the page with its session cookie
// and, for POST, the page's CSRF token; redirects are followed.
func fetchForm(t *testing.T, ctx context.Context, method, path string) formResponse {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[formResponse](`(async () => {
		const token = document.querySelector('input[name="_csrf"]');
		const init = {method: `+jsString(method)+`, credentials: 'same-origin'};
		if (init.method === 'POST') init.headers = {'X-CSRF-Token': token ? token.value : ''};
		const r = await fetch(`+jsString(path)+`, init);
		const body = new Uint8Array(await r.arrayBuffer());
		let bin = '';
		for (const b of body) bin += String.fromCharCode(b);
		return {status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
			head: bin.slice(0, 5), body: btoa(bin)};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s %s: %v", method, path, err)
	}
	return r
}

// TestFormPDF registers an applicant in the browser, opens 查看报名表 and
// 重新生成报名表 from the result page, and checks the printed verification
// URL answers in another browser without a session.
func TestFormPDF(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, desktop()); err != nil {
		t.Fatal(err)
	}
	loginAndBind(t, ctx, srv, "报名表用户", applyIDNumber(t, 31))
	fillAllSections(t, ctx, srv, applyPhoto(t))
	open(t, ctx, srv.URL+"/apply/choice")
	pickBase(t, ctx, evaluate[string](t, ctx, `document.querySelector('#f-base option[value]:not([value=""])').value`))
	submitChoice(t, ctx, evaluate[string](t, ctx, `document.querySelector('#f-program option[value]:not([value=""])').value`))

	if n := count(t, ctx, `#result a[href="/form"]`); n != 1 {
		t.Fatalf("the result page has %d 查看报名表 links to /form", n)
	}
	view := fetchForm(t, ctx, "GET", "/form")
	if view.Status != 200 || view.Type != "application/pdf" || view.Head != "%PDF-" || !strings.HasPrefix(view.Disposition, "inline;") {
		t.Fatalf("GET /form: %d %q %q %q, want an inline PDF", view.Status, view.Type, view.Disposition, view.Head)
	}
	download := fetchForm(t, ctx, "GET", "/form/download")
	if !strings.HasPrefix(download.Disposition, "attachment;") || !strings.Contains(download.Disposition, "filename*=UTF-8''") {
		t.Errorf("GET /form/download: Content-Disposition %q", download.Disposition)
	}
	// 重新生成报名表 of an unchanged version keeps the same form.
	again := fetchForm(t, ctx, "POST", "/form/generate")
	if again.Status != 200 || again.Head != "%PDF-" || again.Body != view.Body {
		t.Errorf("POST /form/generate: %d %q; same PDF: %v", again.Status, again.Head, again.Body == view.Body)
	}

	// The printed code's page, opened without a session, says the form is
	// current.
	code := printedCode(t, view.Body)
	other := newIsolatedContext(t, ctx)
	open(t, other, srv.URL+"/verify/"+code)
	if msg := text(t, other, ".verify-status"); msg != "该报名表为最新版本，有效" {
		t.Errorf("verification page of %s: %q", code, msg)
	}
	open(t, other, srv.URL+"/verify/ABCDEFGHJK")
	if msg := text(t, other, ".message"); !strings.Contains(msg, "未找到校验码为 ABCDEFGHJK 的报名表") {
		t.Errorf("unknown code page: %q", msg)
	}
}

// printedCode extracts the verification code from the text of a PDF given
// in base64.
func printedCode(t *testing.T, b64 string) string {
	t.Helper()
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	m := regexp.MustCompile(`校验码：\s*([0-9A-Z]{10})`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no verification code in the PDF text:\n%s", out)
	}
	return string(m[1])
}
