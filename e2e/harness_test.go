package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"zhupei/internal/testlog"
)

const (
	// chromiumPath is Debian's chromium, which `make test` installs.
	chromiumPath = "/usr/bin/chromium"
	// browserTimeout bounds everything one test does in its browser.
	browserTimeout = 120 * time.Second
	// startTimeout bounds the start-up of zhupei, stopTimeout its shutdown
	// after SIGTERM.
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	// screenshotTimeout bounds the screenshot of a failed test's tab.
	screenshotTimeout = 5 * time.Second
	// stepWait bounds one step: a page transition, a wait for an element.
	stepWait = 15 * time.Second
)

var (
	// moduleRoot is the zhupei module: the server runs there, as with
	// `make run`, so that it reads config.yaml.
	moduleRoot string
	// binary is the zhupei binary that TestMain builds.
	binary string
)

// TestMain builds zhupei once for every test and removes it afterwards.
func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds ./cmd/zhupei of the module that holds this package
// into a temporary directory, runs the tests and removes the directory.
func buildAndRun(m *testing.M) int {
	root, err := filepath.Abs("..") // go test runs in the package directory
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "go.mod"))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot find the module root above the e2e directory: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "zhupei-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "zhupei")
	build := exec.Command("go", "build", "-o", bin, "./cmd/zhupei")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/zhupei: %v\n%s", err, out)
		return 1
	}
	moduleRoot, binary = root, bin
	code := m.Run()
	if err := demoStore.snap.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
	}
	return code
}

// startupLine is the line that `zhupei serve` prints on stdout once it
// listens, with the real address (the real port when http.addr asks for 0).
var startupLine = regexp.MustCompile(`(?m)^zhupei 已启动：(http://\S+)\n`)

// startupWatcher keeps the stdout of zhupei and sends the address of its
// start-up line on url, once.
type startupWatcher struct {
	testlog.Buffer
	url  chan string // buffered; exec's copying goroutine is the only writer
	sent bool
}

func (w *startupWatcher) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if !w.sent {
		if m := startupLine.FindStringSubmatch(w.String()); m != nil {
			w.sent = true
			w.url <- m[1]
		}
	}
	return n, err
}

// server is a zhupei process that startServer runs for one test.
type server struct {
	// URL is the address of the start-up line without the final "/", such
	// as http://127.0.0.1:41234, so that tests write srv.URL+"/board".
	URL string
	// DataDir is the data directory (the SQLite database) of the process.
	DataDir string
	proc    *process
}

// process is a started command and the goroutine that waits for it.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // the result of cmd.Wait once exited is closed
	ended  bool          // kill or stop ended it on purpose
}

// startServer runs `zhupei serve` as `make run` does, on a fresh data
// directory (so zhupei creates the demo year, in its registration phase) and
// a free port of 127.0.0.1, with warn-level logs; env adds or overrides
// variables (KEY=value, e.g. "ZHUPEI_YEAR=2026"). It returns once the start-up
// line is printed. At cleanup it sends SIGTERM and fails the test unless
// zhupei exits with status 0 within stopTimeout. The stdout and stderr of the
// process are logged when the test fails.
func startServer(t *testing.T, env ...string) *server {
	t.Helper()
	return startServerOn(t, t.TempDir(), env...)
}

// startServerOn is startServer on the data directory dataDir, which may
// hold the database of an earlier process.
func startServerOn(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Dir = moduleRoot
	// exec.Cmd uses the last value of a variable that Env repeats.
	cmd.Env = append(os.Environ(),
		"ZHUPEI_HTTP_ADDR=127.0.0.1:0",
		"ZHUPEI_DATA_DIR="+dataDir,
		"ZHUPEI_LOG_LEVEL=warn",
	)
	cmd.Env = append(cmd.Env, env...)
	stdout := &startupWatcher{url: make(chan string, 1)}
	var stderr testlog.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start zhupei: %v", err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	// Cleanups run last first: stop, then log the output of the whole run.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("zhupei stdout:\n%s\nzhupei stderr:\n%s", stdout.String(), stderr.String())
		}
	})
	t.Cleanup(func() { p.stop(t) })

	select {
	case u := <-stdout.url:
		return &server{URL: strings.TrimSuffix(u, "/"), DataDir: dataDir, proc: p}
	case <-p.exited:
		t.Fatalf("zhupei exited before its start-up line: %v", p.err)
	case <-time.After(startTimeout):
		t.Fatalf("zhupei printed no start-up line within %s", startTimeout)
	}
	return nil
}

// stop ends the process with SIGTERM, or kills it after stopTimeout, and
// fails the test unless the process exits cleanly when asked to.
func (p *process) stop(t *testing.T) {
	if p.ended {
		return
	}
	p.ended = true
	select {
	case <-p.exited:
		t.Errorf("zhupei exited before the end of the test: %v", p.cmd.ProcessState)
		return
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("send SIGTERM to zhupei: %v", err)
	}
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("zhupei did not exit cleanly after SIGTERM: %v", p.err)
		}
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("zhupei did not stop within %s of SIGTERM and was killed", stopTimeout)
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer does,
// and waits until it has exited.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.proc.ended = true
	if err := s.proc.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill zhupei: %v", err)
	}
	<-s.proc.exited
}

// stop ends the process with SIGTERM before the end of the test and fails
// the test unless it exits cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.proc.stop(t)
}

// newBrowser starts one headless chromium for the test, with a fresh
// profile and a 1280×900 window, and returns the context of its first tab.
// Everything the test does in the browser must end within browserTimeout.
// The browser closes at cleanup; when the test fails, the cleanup logs the
// output of chromium and saves a screenshot of the tab.
//
// The test fails, and tells to run `make test`, when chromium is missing.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Debian chromium at %s (%v): run `make test`, which installs it", chromiumPath, err)
	}
	var output testlog.Buffer
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(desktopScreen.Width), int(desktopScreen.Height)),
		chromedp.CombinedOutput(&output),
	)
	// The first Run binds the browser to this context, so the deadline
	// bounds the whole test in the browser.
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for chromium to exit, before t.TempDir is removed
		cancelTimeout()
		if t.Failed() {
			t.Logf("chromium output (without D-Bus errors):\n%s", withoutDBus(output.String()))
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	screenshotOnFailure(t, ctx, "browser")
	return ctx
}

// withoutDBus drops the lines of chromium's output about D-Bus, which a
// container has not: chromium logs dozens of them at every start.
func withoutDBus(out string) string {
	lines := strings.SplitAfter(out, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, ":ERROR:dbus/") }), "")
}

// newIsolatedContext opens a tab in a new browser context of the browser of
// browserCtx: a second user, with its own cookies and storage, such as the
// phone next to the PC page of a QR login. The tab closes at cleanup; when
// the test fails, a screenshot of it is saved.
func newIsolatedContext(t *testing.T, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open an isolated browser context: %v", err)
	}
	screenshotOnFailure(t, ctx, "isolated")
	return ctx
}

// wechatUserAgent is the user agent of WeChat's built-in browser on an
// iPhone; "MicroMessenger" is what tells WeChat apart.
const wechatUserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 " +
	"(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN"

var (
	// wechatPhone is WeChat on a 390×844 phone (iPhone 12 to 14): a mobile
	// viewport with touch and WeChat's user agent.
	wechatPhone = device.Info{Name: "WeChat on iPhone", UserAgent: wechatUserAgent,
		Width: 390, Height: 844, Scale: 3, Mobile: true, Touch: true}
	// desktopScreen is a 1280×900 desktop window with chromium's own user
	// agent (an empty user agent resets the override).
	desktopScreen = device.Info{Name: "desktop", Width: 1280, Height: 900, Scale: 1}
)

// mobile is the action that makes the tab WeChat on a phone (wechatPhone).
// Run it before open; it lasts for the tab's later navigations.
func mobile() chromedp.Action[chromedp.Void] {
	return chromedp.Emulate(wechatPhone)
}

// desktop is the action that makes the tab a desktop browser
// (desktopScreen), also after mobile.
func desktop() chromedp.Action[chromedp.Void] {
	return chromedp.Emulate(desktopScreen)
}

// step runs browser actions and fails the test with what on error.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepWait)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// open navigates the tab to url and waits until the page has loaded.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// evaluate runs the JavaScript expression in the tab and decodes its
// value into T (see chromedp.Evaluate; chromedp.Void ignores it).
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always encodes
	}
	return string(b)
}

// text returns the text content of the first element that matches the CSS
// selector, with runs of white space made one space; the test fails at once
// when nothing matches.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s := evaluate[*string](t, ctx, `(e => e && e.textContent.replace(/\s+/g, ' ').trim())(document.querySelector(`+jsString(selector)+`))`)
	if s == nil {
		t.Fatalf("no element matches %s", selector)
	}
	return *s
}

// texts returns the text contents, as text does, of every element that
// matches the CSS selector.
func texts(t *testing.T, ctx context.Context, selector string) []string {
	t.Helper()
	return evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll(`+jsString(selector)+`), e => e.textContent.replace(/\s+/g, ' ').trim())`)
}

// count returns the number of elements that match the CSS selector.
func count(t *testing.T, ctx context.Context, selector string) int {
	t.Helper()
	return evaluate[int](t, ctx, `document.querySelectorAll(`+jsString(selector)+`).length`)
}

// waitFor waits until the JavaScript expression is truthy in the tab, and
// fails the test with what (what the test waits for) after timeout. It fails
// too when the tab navigates while it waits.
func waitFor(t *testing.T, ctx context.Context, expr string, timeout time.Duration, what string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		t.Fatalf("waited %s for %s", timeout, what)
	}
	if err != nil {
		t.Fatalf("wait for %s: %v", what, err)
	}
}

// screenshot saves a PNG of the whole page of the tab to path.
func screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// screenshotOnFailure saves a screenshot of the tab at cleanup when the
// test has failed, and logs its path. The file goes to the system's
// temporary directory, not t.TempDir, which the test removes at its end.
func screenshotOnFailure(t *testing.T, ctx context.Context, tab string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
		f, err := os.CreateTemp("", "zhupei-e2e-"+name+"-"+tab+"-*.png")
		if err != nil {
			t.Logf("screenshot of tab %s: %v", tab, err)
			return
		}
		f.Close()
		sctx, cancel := context.WithTimeout(ctx, screenshotTimeout)
		defer cancel()
		if err := screenshot(sctx, f.Name()); err != nil {
			os.Remove(f.Name())
			t.Logf("screenshot of tab %s: %v", tab, err)
			return
		}
		t.Logf("screenshot of tab %s: %s", tab, f.Name())
	})
}

// TestIsolatedContextHasItsOwnCookies checks the harness: a tab of
// newIsolatedContext does not see the cookies of the first user, while a
// second tab of the first user does.
func TestIsolatedContextHasItsOwnCookies(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	open(t, ctx, srv.URL+"/")
	evaluate[chromedp.Void](t, ctx, `document.cookie = "e2e_user=first; path=/"`)

	sameUser, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	open(t, sameUser, srv.URL+"/board")
	if c := evaluate[string](t, sameUser, `document.cookie`); !strings.Contains(c, "e2e_user=first") {
		t.Errorf("second tab of the same user: cookies %q, want e2e_user=first", c)
	}

	other := newIsolatedContext(t, ctx)
	open(t, other, srv.URL+"/board")
	if c := evaluate[string](t, other, `document.cookie`); strings.Contains(c, "e2e_user") {
		t.Errorf("isolated context sees the first user's cookie: %q", c)
	}
}
