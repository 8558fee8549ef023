package wechat_test

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/store/sqlite"
	"zhupei/store/storetest"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// testAESKey is the EncodingAESKey of the tests (43 characters).
const testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// env is the service's WeChat side and the sandbox, served over real HTTP on
// 127.0.0.1 with the real SQLite store.
type env struct {
	cfg    wechat.Config
	db     *sqlite.DB
	client *wechat.Client
	sb     *sandbox.Sandbox
	cb     *wechat.Callback
	app    *fiber.App
	events *recorder
}

type envOptions struct {
	safe    bool          // safe (AES) mode
	timeout time.Duration // SDK request timeout
	secret  string        // the service's secret, if not the sandbox's
}

const (
	testAppID  = "wx5andb0x0000001"
	testSecret = "s3cr3t-0123456789abcdef"
	testMiniID = "wx5andb0xm1n10001"
	testMiniSc = "m1n1-s3cr3t-0123456789"
	testToken  = "callbacktoken"
)

func newEnv(tb testing.TB, o envOptions) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "zhupei.db"), storetest.Sealer())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := wechat.Config{
		Mode: wechat.ModeSandbox, AppID: testAppID, Secret: testSecret, Token: testToken,
		BaseURL: base, SandboxURL: base + "/sandbox", MiniAppID: testMiniID, MiniSecret: testMiniSc,
		Timeout: o.timeout,
	}
	if o.safe {
		cfg.AESKey = testAESKey
	}
	e := &env{cfg: cfg, db: db, events: newRecorder(), app: fiber.New(fiber.Config{DisableStartupMessage: true})}
	e.sb, err = sandbox.Register(e.app.Group("/sandbox"), sandbox.Options{
		AppID: testAppID, Secret: testSecret, Token: testToken, AESKey: cfg.AESKey,
		MiniAppID: testMiniID, MiniSecret: testMiniSc, URL: cfg.SandboxURL,
		CallbackURL: base + wechat.CallbackPath, KV: db, Now: time.Now, HangFor: 2 * time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	if o.secret != "" {
		cfg.Secret = o.secret
	}
	e.client = e.newClient(tb, cfg)
	e.cb = e.client.NewCallback(e.events, wechat.CallbackOptions{}) // the service's defaults
	e.cb.Register(e.app)
	go func() { _ = e.app.Listener(ln) }()
	tb.Cleanup(func() {
		_ = e.app.ShutdownWithTimeout(5 * time.Second)
		e.cb.Close()
	})
	return e
}

// newClient is another instance of the service on the same store.
func (e *env) newClient(tb testing.TB, cfg wechat.Config) *wechat.Client {
	tb.Helper()
	c, err := wechat.New(cfg, e.db, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// follower creates a test user who follows the account.
func (e *env) follower(tb testing.TB, name string) sandbox.User {
	tb.Helper()
	u, err := e.sb.AddUser(name, true)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// recorder is an EventHandler that records what it is given.
type recorder struct {
	mu  sync.Mutex
	got []wechat.Event
	ch  chan wechat.Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan wechat.Event, 1024)} }

func (r *recorder) add(ev wechat.Event) error {
	r.mu.Lock()
	r.got = append(r.got, ev)
	r.mu.Unlock()
	r.ch <- ev
	return nil
}

func (r *recorder) Subscribe(_ context.Context, openID, scene string) error {
	return r.add(wechat.Event{Type: "subscribe", OpenID: openID, Key: scene})
}
func (r *recorder) Unsubscribe(_ context.Context, openID string) error {
	return r.add(wechat.Event{Type: "unsubscribe", OpenID: openID})
}
func (r *recorder) Scan(_ context.Context, openID, scene string) error {
	return r.add(wechat.Event{Type: "SCAN", OpenID: openID, Key: scene})
}
func (r *recorder) Click(_ context.Context, openID, key string) error {
	return r.add(wechat.Event{Type: "CLICK", OpenID: openID, Key: key})
}
func (r *recorder) View(_ context.Context, openID, url string) error {
	return r.add(wechat.Event{Type: "VIEW", OpenID: openID, Key: url})
}

// next waits for the next event.
func (r *recorder) next(tb testing.TB) wechat.Event {
	tb.Helper()
	select {
	case ev := <-r.ch:
		return ev
	case <-time.After(5 * time.Second):
		tb.Fatal("no event reached the handler")
		return wechat.Event{}
	}
}

// all returns every event recorded so far.
func (r *recorder) all() []wechat.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wechat.Event(nil), r.got...)
}
