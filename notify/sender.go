package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"zhupei/recruit"
	"zhupei/wechat"
)

// Messenger sends WeChat messages: wechat.Client.
type Messenger interface {
	SendTemplate(ctx context.Context, t wechat.Template) (int64, error)
	SendSubscribe(ctx context.Context, openID, templateID, page string, data map[string]string) error
	BaseURL() string
}

// Store is what the sender reads and writes.
type Store interface {
	recruit.Outbox
	recruit.KV
	GetIdentity(ctx context.Context, id int64) (recruit.Identity, error)
	GetStaff(ctx context.Context, id int64) (recruit.Staff, error)
}

// Deps are the dependencies of a Sender.
type Deps struct {
	Store  Store
	WeChat Messenger
	Config Config // WithDefaults applied by New
	// Owner names this instance in the leases of the rows it holds.
	Owner string
	Now   func() time.Time
	Log   *slog.Logger
}

// Sender sends the outbox. Run is its job; several instances may run it at
// once on one store.
type Sender struct {
	st    Store
	wx    Messenger
	cfg   Config
	owner string
	now   func() time.Time
	log   *slog.Logger
	limit *limiter
}

// New returns a Sender; cfg.WithDefaults must have been applied (New
// applies the numeric defaults again, not the sandbox templates).
func New(d Deps) *Sender {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cfg := d.Config
	tpl := cfg.Templates
	cfg = cfg.WithDefaults(false)
	cfg.Templates = tpl
	return &Sender{st: d.Store, wx: d.WeChat, cfg: cfg, owner: d.Owner, now: d.Now, log: d.Log,
		limit: &limiter{gap: time.Duration(float64(time.Second) / cfg.Rate)}}
}

// pauseKey holds, for every instance, the time until which sending is
// paused (45009: the daily quota is used up).
const pauseKey = "notify:paused"

// PausedUntil returns the end of a pause in force at now, zero if none.
func (s *Sender) PausedUntil(ctx context.Context) (time.Time, error) {
	v, err := s.st.GetKV(ctx, pauseKey, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, v)
}

// Run sends every row due now, batch by batch, until none is due, sending
// is paused or ctx ends, and returns how many rows it ended (any state).
func (s *Sender) Run(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		if until, err := s.PausedUntil(ctx); err != nil || !until.IsZero() {
			return total, err
		}
		rows, err := s.st.ClaimNotifications(ctx, s.owner, s.now(), s.cfg.Lease, s.cfg.Batch)
		if err != nil || len(rows) == 0 {
			return total, err
		}
		n, err := s.sendAll(ctx, rows)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Job is Run as a scheduler job (scheduler.Job); the sender keeps its own
// clock for leases and back-off.
func (s *Sender) Job(ctx context.Context, _ time.Time) error {
	_, err := s.Run(ctx)
	return err
}

// sendAll sends rows with the configured number of workers and records
// their outcomes with one FinishNotifications: with SQLite's one writer a
// commit per row was about 45 % of the sender's CPU. It returns how many
// rows it ended.
//
// A crash (or a store error) after WeChat took a message and before the
// batch is written leaves its row sending: it is sent again after its
// lease, with the row id as client_msg_id, which WeChat uses to drop a
// repeat within about 10 minutes (longer than Defaults.Lease; a sender
// down for longer sends it twice). A staff member's subscribe message has
// no client_msg_id: it is sent again. That was already so for the shorter
// window between one send and its own write; the window is now the
// batch's (Config.Batch rows). So is the one in which a delivery report can come before its
// msgid is recorded (Report ignores it as unknown): WeChat reports after
// the delivery, seconds later, while a batch takes well under a second
// unless WeChat times out.
func (s *Sender) sendAll(ctx context.Context, rows []recruit.Notification) (int, error) {
	next := make(chan recruit.Notification)
	b := &batch{}
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() {
			for n := range next {
				if o, ok := s.sendOne(ctx, b, n); ok {
					b.add(n.ID, o)
				}
			}
		})
	}
	for _, n := range rows {
		next <- n
	}
	close(next)
	wg.Wait()
	return s.finish(ctx, b.results)
}

// batch collects the outcomes of one claimed batch as its workers end
// them.
type batch struct {
	mu      sync.Mutex
	results []recruit.NoticeResult
	// paused is the end of the pause a 45009 in this batch started; the
	// rows not yet tried are deferred to it.
	paused time.Time
}

func (b *batch) add(id int64, o recruit.NoticeOutcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.results = append(b.results, recruit.NoticeResult{ID: id, Outcome: o})
}

func (b *batch) pause(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused = until
}

func (b *batch) pausedUntil() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paused
}

// sendOne makes one attempt at row n and returns its outcome; false when
// the sender is shutting down and n is left to its lease. Run read the
// pause every instance shares before claiming the batch; a 45009 met in
// this batch defers its remaining rows (another instance's pause is seen
// at the next claim). The pause is checked after the rate limiter's wait,
// so a worker that waited does not send past a 45009 met meanwhile.
func (s *Sender) sendOne(ctx context.Context, b *batch, n recruit.Notification) (recruit.NoticeOutcome, bool) {
	if err := s.limit.wait(ctx); err != nil || ctx.Err() != nil {
		return recruit.NoticeOutcome{}, false
	}
	if until := b.pausedUntil(); !until.IsZero() {
		return recruit.NoticeOutcome{State: recruit.NoticeRetry, NextAt: until, At: s.now()}, true
	}
	msgID, err := s.deliver(ctx, n)
	if err != nil && ctx.Err() != nil {
		// Cut off by the shutdown: whether WeChat took it is unknown, and
		// the retry after the lease carries the same client_msg_id.
		return recruit.NoticeOutcome{}, false
	}
	return s.outcome(ctx, b, n, msgID, err), true
}

// finishTimeout bounds the write of a batch's outcomes once a shutdown has
// cancelled ctx: the write goes on so that the messages sent are recorded.
const finishTimeout = 10 * time.Second

// finish records the outcomes rs in one write and returns how many rows
// it ended; a lost lease (the row's lease ran out and another sender took
// it) is logged, not returned. The write is not cut short by ctx ending
// (the shutdown): from then on it has finishTimeout.
func (s *Sender) finish(ctx context.Context, rs []recruit.NoticeResult) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	// Cancelling wctx after the write has returned does nothing.
	defer context.AfterFunc(ctx, func() { time.AfterFunc(finishTimeout, cancel) })()
	ctx = wctx
	lost, err := s.st.FinishNotifications(ctx, s.owner, rs)
	if err != nil {
		return 0, err
	}
	if len(lost) > 0 {
		state := make(map[int64]recruit.NoticeState, len(rs))
		for _, r := range rs {
			state[r.ID] = r.Outcome.State
		}
		for _, id := range lost {
			s.log.Warn("notification lease lost before its outcome was recorded", "id", id, "state", state[id])
		}
	}
	return len(rs) - len(lost), nil
}

// errInboxOnly is a row with no WeChat channel: no template for its kind,
// an applicant no longer bound, a staff member without the mini-program.
var errInboxOnly = errors.New("inbox only")

// deliver sends n as its recipient's message and returns WeChat's msgid.
func (s *Sender) deliver(ctx context.Context, n recruit.Notification) (int64, error) {
	t, ok := s.cfg.Templates[n.Kind]
	if !ok {
		return 0, errInboxOnly
	}
	data := Data(t, n.Values)
	if n.StaffID != 0 {
		staff, err := s.st.GetStaff(ctx, n.StaffID)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND || err == nil && (staff.MPOpenID == "" || staff.Disabled) {
			return 0, errInboxOnly
		}
		if err != nil {
			return 0, err
		}
		return 0, s.wx.SendSubscribe(ctx, staff.MPOpenID, t.ID, fmt.Sprintf("%s?id=%d", s.cfg.Page, n.ID), data)
	}
	to := n.OpenID
	if to == "" {
		id, err := s.st.GetIdentity(ctx, n.IdentityID)
		if recruit.ErrorCode(err) == recruit.ENOTFOUND || err == nil && id.OpenID == "" {
			return 0, errInboxOnly
		}
		if err != nil {
			return 0, err
		}
		to = id.OpenID
	}
	return s.wx.SendTemplate(ctx, wechat.Template{ToUser: to, TemplateID: t.ID,
		URL: s.wx.BaseURL() + n.Link(), ClientMsgID: strconv.FormatInt(n.ID, 10), Data: data})
}

// Data is the keyword values of template t for the source values v, each
// cut to its type.
func Data(t Template, v map[string]string) map[string]string {
	data := make(map[string]string, len(t.Fields))
	for _, f := range t.Fields {
		data[f.Keyword] = Fit(f.Type, v[f.Source])
	}
	return data
}

// WeChat errcodes the sender acts on.
const (
	codeQuota      = 45009 // daily quota reached
	codeNotFollow  = 43004 // the user does not follow the account
	codeRefused    = 43101 // the user refused (subscribe messages)
	codeBadOpenID  = 40003
	maxErrorLength = 300
)

// outcome decides how the attempt on n ends: sent, inbox-only,
// undeliverable (no retry), a quota pause (not counted as a try), a retry
// with back-off, or failed after the last try. The errcode comes from
// wechat.ErrCode, the one parser of the SDK's error strings; the token was
// already refreshed and the call retried once by wechat.Client.Do.
func (s *Sender) outcome(ctx context.Context, b *batch, n recruit.Notification, msgID int64, err error) recruit.NoticeOutcome {
	now := s.now()
	o := recruit.NoticeOutcome{Attempted: true, At: now}
	if err == nil {
		o.State, o.MsgID = recruit.NoticeSent, msgID
		return o
	}
	if errors.Is(err, errInboxOnly) {
		o.State, o.Attempted = recruit.NoticeInboxOnly, false
		return o
	}
	code := wechat.ErrCode(err)
	o.LastError = errorText(err)
	switch code {
	case codeNotFollow, codeRefused, codeBadOpenID:
		o.State = recruit.NoticeUndeliverable
		return o
	case codeQuota:
		until := nextMidnight(now)
		s.pause(ctx, until)
		b.pause(until)
		o.State, o.NextAt, o.Attempted = recruit.NoticeRetry, until, false
		return o
	}
	if n.Attempts+1 >= s.cfg.MaxAttempts {
		o.State = recruit.NoticeFailed
		s.log.Error("notification failed after the last attempt", "id", n.ID, "kind", n.Kind, "attempts", n.Attempts+1, "errcode", code, "error", o.LastError)
		return o
	}
	o.State, o.NextAt = recruit.NoticeRetry, now.Add(s.backoff(n.Attempts+1))
	s.log.Warn("notification send failed, will retry", "id", n.ID, "kind", n.Kind, "attempts", n.Attempts+1, "errcode", code, "error", o.LastError, "next", o.NextAt)
	return o
}

// backoff is the wait after the attempt-th failed try.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.cfg.Backoff
	for i := 1; i < attempt && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxBackoff)
}

// errorText is the scrubbed WeChat error of err, short enough to keep.
func errorText(err error) string {
	var api *wechat.APIError
	text := err.Error()
	if errors.As(err, &api) {
		text = api.Text
	}
	text = wechat.Scrub(errors.New(text)).Error()
	if r := []rune(text); len(r) > maxErrorLength {
		text = string(r[:maxErrorLength])
	}
	return text
}

// nextMidnight is the next 00:00 in Asia/Shanghai after t, when WeChat
// resets its daily quotas.
func nextMidnight(t time.Time) time.Time {
	l := t.In(recruit.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, recruit.Shanghai)
}

// pause stops every instance's sending until until.
func (s *Sender) pause(ctx context.Context, until time.Time) {
	now := s.now()
	err := s.st.SetKV(ctx, pauseKey, until.Format(time.RFC3339), until.Sub(now), now)
	s.log.Error("WeChat daily quota reached (45009): sending paused", "until", until, "error", err)
}

// Delivery report statuses of TEMPLATESENDJOBFINISH.
const (
	StatusSuccess     = "success"
	StatusUserBlock   = "failed:user block"
	StatusSystemError = "failed: system failed"
)

// Report applies WeChat's TEMPLATESENDJOBFINISH report on msgid: a user
// block makes the row undeliverable; a system failure sends it again
// (after back-off) or fails it when it had its last try. Success and
// unknown msgids change nothing.
func (s *Sender) Report(ctx context.Context, msgID int64, status string) error {
	if status == StatusSuccess {
		return nil
	}
	n, err := s.st.NotificationByMsgID(ctx, msgID)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		s.log.Warn("delivery report for an unknown msgid", "msgid", msgID, "status", status)
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	o := recruit.NoticeOutcome{LastError: "TEMPLATESENDJOBFINISH " + status, At: now}
	switch {
	case status == StatusUserBlock:
		o.State = recruit.NoticeUndeliverable
	case n.Attempts >= s.cfg.MaxAttempts:
		o.State = recruit.NoticeFailed
	default:
		o.State, o.NextAt = recruit.NoticeRetry, now.Add(s.backoff(n.Attempts))
	}
	err = s.st.ReportDelivery(ctx, n.ID, msgID, o)
	if recruit.ErrorCode(err) == recruit.ECONFLICT {
		return nil // reported before
	}
	return err
}

// limiter spaces calls gap apart (wall-clock time: it protects WeChat).
type limiter struct {
	gap  time.Duration
	mu   sync.Mutex
	next time.Time
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.gap)
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
