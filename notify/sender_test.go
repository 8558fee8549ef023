package notify_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/wechat/sandbox"
)

func inject(tb testing.TB, e *env, f sandbox.Fault) {
	tb.Helper()
	if err := e.sb.Inject(f); err != nil {
		tb.Fatal(err)
	}
}

// wantDeliveredOnce checks that the sandbox's log (what the users got)
// holds each row exactly once, as a template message with the row id as
// client_msg_id, and nothing else. A send that timed out on the service's
// side may still have reached WeChat; its retry carries the same
// client_msg_id and WeChat (like the sandbox) drops it within about 10
// minutes, which the first back-offs stay inside. So a repeat needs a
// retried row: there are never more repeats than rows tried more than once
// (how many depends on the machine's load against the test's timeout).
func wantDeliveredOnce(t *testing.T, e *env, rows []recruit.Notification) {
	t.Helper()
	got := map[string]int{}
	for _, m := range e.sb.Messages("") {
		got[m.ClientMsgID]++
	}
	for _, n := range rows {
		if c := got[strconv.FormatInt(n.ID, 10)]; c != 1 {
			t.Errorf("row %d delivered %d times", n.ID, c)
		}
	}
	retried := 0
	for _, n := range rows {
		if got, err := e.db.GetNotification(context.Background(), n.IdentityID, n.ID); err != nil || got.Attempts > 1 {
			retried++
		}
	}
	if len(got) != len(rows) || e.sb.Duplicates() > retried {
		t.Errorf("%d distinct messages and %d repeated client_msg_ids, want %d and at most %d (rows retried)", len(got), e.sb.Duplicates(), len(rows), retried)
	}
	t.Logf("%d repeated client_msg_ids (sends that timed out after WeChat took them)", e.sb.Duplicates())
}

// wantFinal checks every row of identities ids is in state want and returns them.
func wantAll(t *testing.T, e *env, ids []recruit.Identity, want recruit.NoticeState) []recruit.Notification {
	t.Helper()
	var all []recruit.Notification
	for _, id := range ids {
		ns, err := e.db.ListNotifications(context.Background(), id.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.State != want {
				t.Errorf("row %d is %s (%s), want %s", n.ID, n.State, n.LastError, want)
			}
		}
		all = append(all, ns...)
	}
	return all
}

// With 30% of sends failing (45009, system errors, timeouts), 1,000
// notifications are each delivered exactly once and every row ends sent.
func TestSenderExactlyOnceUnderFaults(t *testing.T) {
	e := newEnv(t)
	ids := e.applicants(t, 1000, true)
	rows := e.roundOpened(t, ids)
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Codes: []int{45009, -1}, Hang: true, Rate: 0.3, Count: 1000})
	runs := e.drain(t, e.sender(t, "a"))

	all := wantAll(t, e, ids, recruit.NoticeSent)
	if len(all) != 1000 {
		t.Fatalf("%d rows, want 1000", len(all))
	}
	wantDeliveredOnce(t, e, rows)
	retried, paused := 0, 0
	for _, n := range all {
		if n.Attempts > 1 {
			retried++
		}
		if n.MsgID == 0 || n.Body == "" {
			t.Errorf("sent row %+v has no msgid or text", n)
		}
	}
	if e.clock.Now().After(start.Add(24 * time.Hour)) {
		paused = 1
	}
	calls := e.sb.Calls(sandbox.EndpointTemplate)
	if retried < 100 || paused == 0 || calls < 1300 {
		t.Errorf("%d rows retried, paused %d, %d calls: the faults did not bite", retried, paused, calls)
	}
	t.Logf("%d runs, %d template calls, %d rows retried, clock at %v", runs, calls, retried, e.clock.Now())
}

// 43004 (not following) ends the row undeliverable after one try; it is
// never tried again.
func TestSenderNotFollowingIsUndeliverable(t *testing.T) {
	e := newEnv(t)
	ids := e.applicants(t, 1, false)
	e.roundOpened(t, ids)
	s := e.sender(t, "a")
	e.drain(t, s)
	ns := wantAll(t, e, ids, recruit.NoticeUndeliverable)
	if len(ns) != 1 || ns[0].Attempts != 1 || ns[0].LastError == "" {
		t.Errorf("rows %+v, want one undeliverable after one attempt with the WeChat error", ns)
	}
	e.clock.Set(start.Add(30 * 24 * time.Hour))
	if n, err := s.Run(context.Background()); err != nil || n != 0 || e.sb.Calls(sandbox.EndpointTemplate) != 1 {
		t.Errorf("a later run ended %d rows (%v) with %d calls, want none and 1 call", n, err, e.sb.Calls(sandbox.EndpointTemplate))
	}
}

// 43101 and 40003 are undeliverable too, without retry.
func TestSenderRefusedIsUndeliverable(t *testing.T) {
	for _, code := range []int{43101, 40003} {
		e := newEnv(t)
		ids := e.applicants(t, 1, true)
		e.roundOpened(t, ids)
		inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: code, Count: 1})
		e.drain(t, e.sender(t, "a"))
		ns := wantAll(t, e, ids, recruit.NoticeUndeliverable)
		if len(ns) != 1 || ns[0].Attempts != 1 || e.sb.Calls(sandbox.EndpointTemplate) != 1 || len(e.sb.Messages("")) != 0 {
			t.Errorf("%d: rows %+v after %d calls", code, ns, e.sb.Calls(sandbox.EndpointTemplate))
		}
	}
}

// 45009 pauses all sending, on every instance, until 00:00 the next day in
// Shanghai; the rows are not counted as tried.
func TestSenderQuotaPausesUntilMidnight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.applicants(t, 3, true)
	e.roundOpened(t, ids)
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: 45009, Count: 1})
	// One worker: no other send is under way when 45009 comes back.
	a, b := e.senderWith(t, "a", 1), e.sender(t, "b")
	if _, err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	midnight := time.Date(2025, 7, 2, 0, 0, 0, 0, recruit.Shanghai)
	for _, s := range []*notify.Sender{a, b} {
		if until, err := s.PausedUntil(ctx); err != nil || !until.Equal(midnight) {
			t.Errorf("PausedUntil = %v, %v; want %v", until, err, midnight)
		}
	}
	e.clock.Set(midnight.Add(-time.Minute))
	if n, err := b.Run(ctx); err != nil || n != 0 || e.sb.Calls(sandbox.EndpointTemplate) != 1 {
		t.Errorf("a run during the pause ended %d rows (%v), %d calls; want none, 1 call", n, err, e.sb.Calls(sandbox.EndpointTemplate))
	}
	for _, n := range wantAll(t, e, ids, recruit.NoticeRetry) {
		if n.Attempts != 0 || !n.NextAt.Equal(midnight) {
			t.Errorf("row during the pause = %+v, want 0 attempts, due at midnight", n)
		}
	}
	e.clock.Set(midnight)
	if n, err := b.Run(ctx); err != nil || n != 3 {
		t.Errorf("the run at midnight ended %d rows, %v; want 3", n, err)
	}
	wantAll(t, e, ids, recruit.NoticeSent)
}

// System errors are retried with exponential back-off and fail after the
// last attempt with the WeChat error; an expired token is refreshed and the
// send retried at once.
func TestSenderBackoffAndFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.applicants(t, 1, true)
	e.roundOpened(t, ids)
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: -1, Count: 8})
	s := e.sender(t, "a")
	var waits []time.Duration
	for i := 0; i < 8; i++ {
		before := e.clock.Now()
		if _, err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		ns, _ := e.db.ListNotifications(ctx, ids[0].ID)
		if i < 7 {
			waits = append(waits, ns[0].NextAt.Sub(before))
			e.clock.Set(ns[0].NextAt)
		} else if ns[0].State != recruit.NoticeFailed || ns[0].Attempts != 8 || ns[0].LastError == "" {
			t.Errorf("after the last attempt: %+v", ns[0])
		}
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute}
	if len(waits) != len(want) {
		t.Fatalf("waits %v", waits)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("waits = %v, want %v", waits, want)
			break
		}
	}

	// 40001: one refresh, one retry, sent on the first attempt.
	more := e.applicants(t, 1, true)
	e.roundOpened(t, more)
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Code: 40001, Count: 1})
	tokens := e.sb.Calls(sandbox.EndpointToken) + e.sb.Calls(sandbox.EndpointStableToken)
	if _, err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	ns := wantAll(t, e, more, recruit.NoticeSent)
	if len(ns) != 1 || ns[0].Attempts != 1 || e.sb.Calls(sandbox.EndpointToken)+e.sb.Calls(sandbox.EndpointStableToken) != tokens+1 {
		t.Errorf("after 40001: %+v, token calls %d → %d", ns, tokens, e.sb.Calls(sandbox.EndpointToken)+e.sb.Calls(sandbox.EndpointStableToken))
	}
}

// Two instances on one store never send a row twice.
func TestTwoSendersSendEachRowOnce(t *testing.T) {
	e := newEnv(t)
	ids := e.applicants(t, 300, true)
	rows := e.roundOpened(t, ids)
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EndpointTemplate, Codes: []int{-1}, Hang: true, Rate: 0.2, Count: 1000})
	e.drain(t, e.sender(t, "a"), e.sender(t, "b"))
	wantAll(t, e, ids, recruit.NoticeSent)
	wantDeliveredOnce(t, e, rows)
}

// TEMPLATESENDJOBFINISH reports through the callback: a user block makes
// the row undeliverable, a system failure sends it again.
func TestDeliveryReports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.applicants(t, 2, true)
	e.roundOpened(t, ids)
	e.reports = e.sender(t, "callback")
	inject(t, e, sandbox.Fault{Endpoint: sandbox.EventJobFinish, Status: sandbox.StatusUserBlock, Count: 1})
	// One worker: the first row sent is the one reported.
	s2 := e.senderWith(t, "a", 1)
	if n, err := s2.Run(ctx); err != nil || n != 2 {
		t.Fatalf("Run = %d, %v", n, err)
	}
	if n, err := e.sb.FlushReports(ctx); err != nil || n != 1 {
		t.Fatalf("FlushReports = %d, %v", n, err)
	}
	first := waitState(t, e, ids[0].ID, recruit.NoticeUndeliverable)
	if first.LastError != "TEMPLATESENDJOBFINISH failed:user block" {
		t.Errorf("reported row %+v", first)
	}

	inject(t, e, sandbox.Fault{Endpoint: sandbox.EventJobFinish, Status: sandbox.StatusSystemFailed, Count: 1})
	more := e.applicants(t, 1, true)
	e.roundOpened(t, more)
	if _, err := s2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.FlushReports(ctx); err != nil {
		t.Fatal(err)
	}
	retry := waitState(t, e, more[0].ID, recruit.NoticeRetry)
	e.clock.Set(retry.NextAt)
	if _, err := s2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if again := waitState(t, e, more[0].ID, recruit.NoticeSent); again.Attempts != 2 {
		t.Errorf("resent row %+v, want 2 attempts", again)
	}
}

// waitState waits (bounded) for the callback worker to move the only row of
// identity to state.
func waitState(t *testing.T, e *env, identity int64, state recruit.NoticeState) recruit.Notification {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ns, err := e.db.ListNotifications(context.Background(), identity)
		if err != nil || len(ns) != 1 {
			t.Fatalf("rows %+v, %v", ns, err)
		}
		if ns[0].State == state {
			return ns[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("row %+v never became %s", ns[0], state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Staff notices go as subscribe messages to staff with the mini-program
// bound; without it they stay in the inbox only.
func TestStaffSubscribeOrInboxOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, err := e.sb.AddUser("审核员", true)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := e.db.CreateStaff(ctx, recruit.Staff{Name: "李审核员", Role: recruit.RoleProvince, MPOpenID: u.MiniOpenID, CreatedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	unbound, err := e.db.CreateStaff(ctx, recruit.Staff{Name: "王审核员", Role: recruit.RoleProvince, CreatedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	deadline := start.Add(48 * time.Hour)
	var rows []recruit.Notification
	for _, s := range []recruit.Staff{bound, unbound} {
		n, err := e.db.AddNotification(ctx, notify.StaffDeadline(s, "山东省立医院", 17, deadline, start))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, n)
	}
	if n, err := e.sender(t, "a").Run(ctx); err != nil || n != 2 {
		t.Fatalf("Run = %d, %v", n, err)
	}
	got := e.sb.Messages(u.MiniOpenID)
	if len(got) != 1 || got[0].Kind != "订阅消息" || got[0].Link != "pages/messages/index?id="+strconv.FormatInt(rows[0].ID, 10) ||
		got[0].Data["name1"] != "李审核员" || got[0].Data["number3"] != "17" || got[0].Data["time4"] != "2025年07月03日 10:00" {
		t.Errorf("subscribe messages %+v", got)
	}
	st, err := e.db.OutboxStats(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{staff_deadline inbox_only 1} {staff_deadline sent 1}]"
	if fmt.Sprint(st.Counts) != want || len(e.sb.Messages("")) != 1 {
		t.Errorf("counts %v, want %s", st.Counts, want)
	}
}

// A notice with a recipient openid (a binding released on appeal) reaches
// that account although the identity is bound to none any more.
func TestSenderToTheDetachedAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.applicants(t, 1, true)
	if err := e.db.UnbindIdentity(ctx, ids[0].ID); err != nil {
		t.Fatal(err)
	}
	n, err := e.db.AddNotification(ctx, notify.BindingReleased(ids[0].ID, ids[0].OpenID, "本人申诉", start))
	if err != nil {
		t.Fatal(err)
	}
	e.drain(t, e.sender(t, "a"))
	got := e.sb.Messages(ids[0].OpenID)
	if len(got) != 1 || !strings.HasSuffix(got[0].Link, n.Link()) || got[0].Data["thing2"] != "本人申诉" {
		t.Errorf("messages to the detached account %+v", got)
	}
	// Without a recipient openid the unbound identity's notice stays in the inbox.
	plain := notify.BindingReleased(ids[0].ID, "", "", start.Add(time.Second))
	if _, err := e.db.AddNotification(ctx, plain); err != nil {
		t.Fatal(err)
	}
	e.drain(t, e.sender(t, "a"))
	if st, err := e.db.OutboxStats(ctx, start); err != nil || fmt.Sprint(st.Counts) != "[{binding_released inbox_only 1} {binding_released sent 1}]" {
		t.Errorf("counts %v, %v", st.Counts, err)
	}
}
