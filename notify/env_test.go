package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/internal/testclock"
	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// env is one store, the sandbox WeChat over real HTTP on 127.0.0.1, the
// service's callback, and a test clock for the sender and the store.
type env struct {
	db    *sqlite.DB
	sb    *sandbox.Sandbox
	cfg   wechat.Config
	base  string
	clock *testclock.Clock
	// people counts the identities applicants created (their ID numbers).
	people int
	// reports is the sender the callback hands delivery reports to.
	reports *notify.Sender
}

// start is 10:00 on 1 July 2025 in Shanghai.
var start = time.Date(2025, 7, 1, 10, 0, 0, 0, recruit.Shanghai)

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	e := &env{db: openDB(tb), base: base, clock: testclock.New(start)}
	db := e.db
	e.cfg = wechat.Config{Mode: wechat.ModeSandbox, AppID: "wx5andb0x0000001", Secret: "s3cr3t-0123456789abcdef", Token: "callbacktoken",
		BaseURL: base, SandboxURL: base + "/sandbox", MiniAppID: "wx5andb0xm1n10001", MiniSecret: "m1n1-s3cr3t-0123456789",
		Timeout: 500 * time.Millisecond}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	e.sb, err = sandbox.Register(app.Group("/sandbox"), sandbox.Options{
		AppID: e.cfg.AppID, Secret: e.cfg.Secret, Token: e.cfg.Token, MiniAppID: e.cfg.MiniAppID, MiniSecret: e.cfg.MiniSecret,
		URL: e.cfg.SandboxURL, CallbackURL: base + wechat.CallbackPath, KV: db, Now: time.Now, HangFor: 700 * time.Millisecond,
	})
	if err != nil {
		tb.Fatal(err)
	}
	cb := e.client(tb).NewCallback(reporter{e}, wechat.CallbackOptions{Log: quiet})
	cb.Register(app)
	go func() { _ = app.Listener(ln) }()
	tb.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		cb.Close()
	})
	return e
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// client is one service instance's WeChat client on the shared store.
func (e *env) client(tb testing.TB) *wechat.Client {
	tb.Helper()
	c, err := wechat.New(e.cfg, e.db, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// sender is one instance's sender with 4 workers; fast settings for tests.
func (e *env) sender(tb testing.TB, owner string) *notify.Sender { return e.senderWith(tb, owner, 4) }

// senderWith is a sender with the given number of workers.
func (e *env) senderWith(tb testing.TB, owner string, workers int) *notify.Sender {
	tb.Helper()
	return e.newSender(owner, workers, 50, e.db, e.client(tb), quiet)
}

// newSender is a sender over st and wx with fast settings for tests.
func (e *env) newSender(owner string, workers, batch int, st notify.Store, wx notify.Messenger, log *slog.Logger) *notify.Sender {
	cfg := notify.Config{Rate: 5000, Workers: workers, Batch: batch, MaxAttempts: 8}.WithDefaults(true)
	return notify.New(notify.Deps{Store: st, WeChat: wx, Config: cfg, Owner: owner, Now: e.clock.Now, Log: log})
}

// applicants creates n bound applicants following the account (or not)
// and returns their identities.
func (e *env) applicants(tb testing.TB, n int, following bool) []recruit.Identity {
	tb.Helper()
	out := make([]recruit.Identity, n)
	for i := range out {
		u, err := e.sb.AddUser(fmt.Sprintf("用户%d", i), following)
		if err != nil {
			tb.Fatal(err)
		}
		e.people++
		out[i], err = e.db.CreateIdentity(context.Background(), recruit.Identity{OpenID: u.OpenID, Name: fmt.Sprintf("张%d", i),
			IDType: recruit.IDTypePassport, IDNumber: fmt.Sprintf("E%08d", e.people), BoundAt: start})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// roundOpened queues a round-opening notice for each identity.
func (e *env) roundOpened(tb testing.TB, ids []recruit.Identity) []recruit.Notification {
	tb.Helper()
	out := make([]recruit.Notification, len(ids))
	for i, id := range ids {
		n, err := e.db.AddNotification(context.Background(), notify.RoundOpened(id.ID, 2025, recruit.PhaseRound2, start, start.Add(72*time.Hour), e.clock.Now()))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = n
	}
	return out
}

// drain runs sender until no row is left to send, moving the clock to the
// end of a pause or on to the next retry when nothing is due, and returns
// how many runs it took.
func (e *env) drain(tb testing.TB, senders ...*notify.Sender) int {
	tb.Helper()
	ctx := context.Background()
	for runs := 1; runs <= 200; runs++ {
		var wg sync.WaitGroup
		for _, s := range senders {
			wg.Go(func() {
				if _, err := s.Run(ctx); err != nil {
					tb.Error(err)
				}
			})
		}
		wg.Wait()
		until, err := senders[0].PausedUntil(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if !until.IsZero() {
			e.clock.Set(until)
			continue
		}
		st, err := e.db.OutboxStats(ctx, e.clock.Now().Add(100*365*24*time.Hour))
		if err != nil {
			tb.Fatal(err)
		}
		if st.OldestDue.IsZero() {
			return runs
		}
		if st.OldestDue.After(e.clock.Now()) {
			e.clock.Set(st.OldestDue)
		}
	}
	tb.Fatal("the outbox did not drain in 200 runs")
	return 0
}

// reporter hands the callback's delivery reports to env.reports.
type reporter struct{ e *env }

func (r reporter) TemplateFinished(ctx context.Context, msgID int64, status string) error {
	return r.e.reports.Report(ctx, msgID, status)
}
func (reporter) Subscribe(context.Context, string, string) error { return nil }
func (reporter) Unsubscribe(context.Context, string) error       { return nil }
func (reporter) Scan(context.Context, string, string) error      { return nil }
func (reporter) Click(context.Context, string, string) error     { return nil }
func (reporter) View(context.Context, string, string) error      { return nil }
