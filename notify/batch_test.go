package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/wechat"
)

// countingStore counts the outcome writes and their sizes.
type countingStore struct {
	*sqlite.DB
	mu    sync.Mutex
	sizes []int
}

func (c *countingStore) FinishNotifications(ctx context.Context, owner string, rs []recruit.NoticeResult) ([]int64, error) {
	c.mu.Lock()
	c.sizes = append(c.sizes, len(rs))
	c.mu.Unlock()
	return c.DB.FinishNotifications(ctx, owner, rs)
}

// The outcomes of a claimed batch are written together, one write a batch.
func TestSenderWritesOutcomesABatchAtATime(t *testing.T) {
	e := newEnv(t)
	ids := e.applicants(t, 10, true)
	rows := e.roundOpened(t, ids)
	st := &countingStore{DB: e.db}
	s := e.newSender("a", 2, 4, st, e.client(t), quiet)
	if n, err := s.Run(context.Background()); err != nil || n != 10 {
		t.Fatalf("Run = %d, %v; want 10", n, err)
	}
	if fmt.Sprint(st.sizes) != "[4 4 2]" {
		t.Errorf("outcome writes of %v rows, want [4 4 2] (batches of 4)", st.sizes)
	}
	wantAll(t, e, ids, recruit.NoticeSent)
	wantDeliveredOnce(t, e, rows)
}

// hook is the sandbox WeChat with f run after each template send.
type hook struct {
	*wechat.Client
	f func(call int, err error)
	n int
}

func (h *hook) SendTemplate(ctx context.Context, tpl wechat.Template) (int64, error) {
	id, err := h.Client.SendTemplate(ctx, tpl)
	h.n++
	h.f(h.n, err)
	return id, err
}

// A row whose lease ends during the batch and that another sender claims
// is reported lost and left to that sender; the rest of the batch lands.
func TestSenderLostLeaseKeepsTheBatch(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.applicants(t, 3, true)
	rows := e.roundOpened(t, ids)
	var logs bytes.Buffer
	// One worker: the first send is the first row's, and only it is taken.
	wx := &hook{Client: e.client(t), f: func(call int, err error) {
		if call != 1 {
			return
		}
		e.clock.Set(start.Add(notify.Defaults.Lease + time.Second))
		if got, err := e.db.ClaimNotifications(ctx, "thief", e.clock.Now(), time.Hour, 1); err != nil || len(got) != 1 || got[0].ID != rows[0].ID {
			t.Errorf("thief claimed %+v, %v; want row %d", got, err, rows[0].ID)
		}
	}}
	s := e.newSender("a", 1, 50, e.db, wx, slog.New(slog.NewTextHandler(&logs, nil)))
	if n, err := s.Run(ctx); err != nil || n != 2 {
		t.Fatalf("Run = %d, %v; want the 2 rows still held", n, err)
	}
	stolen, err := e.db.GetNotification(ctx, ids[0].ID, rows[0].ID)
	if err != nil || stolen.State != recruit.NoticeSending || stolen.LeaseOwner != "thief" || stolen.MsgID != 0 || stolen.Attempts != 0 {
		t.Errorf("the stolen row = %+v, %v; want it sending, held by thief, untouched", stolen, err)
	}
	wantAll(t, e, ids[1:], recruit.NoticeSent)
	lost := fmt.Sprintf(`msg="notification lease lost before its outcome was recorded" id=%d state=sent`, rows[0].ID)
	if !strings.Contains(logs.String(), lost) || strings.Contains(logs.String(), ids[0].Name) || strings.Contains(logs.String(), ids[0].OpenID) {
		t.Errorf("logs %q, want %q and no personal data", logs.String(), lost)
	}
}

// A shutdown during a batch records the sends that were made and leaves
// the rows not sent to their lease; after it another sender sends them,
// each message once.
func TestSenderShutdownRecordsWhatWasSent(t *testing.T) {
	e := newEnv(t)
	ids := e.applicants(t, 3, true)
	rows := e.roundOpened(t, ids)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	wx := &hook{Client: e.client(t), f: func(call int, err error) {
		if call == 1 && err == nil {
			stop()
		}
	}}
	if n, err := e.newSender("a", 1, 50, e.db, wx, quiet).Run(ctx); err != nil || n != 1 {
		t.Fatalf("Run = %d, %v; want the 1 row sent before the shutdown", n, err)
	}
	wantAll(t, e, ids[:1], recruit.NoticeSent)
	for _, n := range wantAll(t, e, ids[1:], recruit.NoticeSending) {
		if n.LeaseOwner != "a" || n.Attempts != 0 {
			t.Errorf("row left at the shutdown = %+v, want held by a, no attempt", n)
		}
	}
	if wx.n != 1 {
		t.Errorf("%d sends, want 1", wx.n)
	}
	e.clock.Set(start.Add(notify.Defaults.Lease))
	e.drain(t, e.sender(t, "b"))
	wantAll(t, e, ids, recruit.NoticeSent)
	wantDeliveredOnce(t, e, rows)
}
