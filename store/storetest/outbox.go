package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// notice is a queued notification for an applicant at t0+i seconds.
func notice(identity int64, kind recruit.NoticeKind, key string, i int) recruit.Notification {
	at := t0.Add(time.Duration(i) * time.Second)
	return recruit.Notification{IdentityID: identity, Kind: kind, Key: key, Title: "标题" + key, Body: "正文" + key,
		Values: map[string]string{"base": "齐鲁医院", "remark": "第一行\n第二行"}, NextAt: at, CreatedAt: at, UpdatedAt: at}
}

func testNotifications(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ids := newIdentities(t, s, "notify", 2)
	var added []recruit.Notification
	for i, kind := range []recruit.NoticeKind{recruit.KindRegistered, recruit.KindReviewFailed} {
		n, err := s.AddNotification(ctx, notice(ids[0], kind, "msg-"+string(kind), i))
		must(t, "AddNotification", err)
		if n.ID <= 0 || n.State != recruit.NoticeQueued || n.Kind != kind {
			t.Errorf("AddNotification = %+v", n)
		}
		added = append(added, n)
	}
	_, err := s.AddNotification(ctx, notice(ids[0], recruit.KindRegistered, "msg-registered", 5))
	wantErr(t, "AddNotification of a queued key", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgQueued))
	_, err = s.AddNotification(ctx, notice(ids[0], recruit.KindRegistered, "", 0))
	wantCode(t, "AddNotification without a key", err, recruit.EINVALID)
	_, err = s.AddNotification(ctx, notice(ids[0], recruit.KindStaffDeadline, "to-staff", 0))
	wantCode(t, "AddNotification of a staff kind to an applicant", err, recruit.EINVALID)

	list, err := s.ListNotifications(ctx, ids[0])
	must(t, "ListNotifications", err)
	if len(list) != 2 || list[0].ID != added[1].ID || list[1].ID != added[0].ID ||
		list[1].Values["remark"] != "第一行\n第二行" || list[1].Title != "标题msg-registered" || list[1].Body != "正文msg-registered" || list[1].Key != "msg-registered" {
		t.Errorf("ListNotifications = %+v, want the two, newest first, as added", list)
	}
	if len(list) == 2 {
		sameTime(t, "NextAt", list[1].NextAt, t0)
		if list[1].Read() || !list[1].LeaseUntil.IsZero() || list[1].MsgID != 0 {
			t.Errorf("a new notification = %+v, want unread, unleased, unsent", list[1])
		}
	}
	if other, err := s.ListNotifications(ctx, ids[1]); err != nil || len(other) != 0 {
		t.Errorf("ListNotifications of another identity = %+v, %v", other, err)
	}
	// A state given is kept.
	given := notice(ids[1], recruit.KindRegistered, "msg-sent", 0)
	given.State = recruit.NoticeSent
	sent, err := s.AddNotification(ctx, given)
	must(t, "AddNotification", err)
	if list, err := s.ListNotifications(ctx, ids[1]); err != nil || len(list) != 1 || list[0].State != recruit.NoticeSent || sent.State != recruit.NoticeSent {
		t.Errorf("notification added as sent = %+v, listed %+v, %v", sent, list, err)
	}
}

// queue adds n notifications for identity, due at t0+i seconds.
func queue(t *testing.T, s recruit.Store, identity int64, prefix string, n int) []recruit.Notification {
	t.Helper()
	out := make([]recruit.Notification, n)
	for i := range out {
		var err error
		out[i], err = s.AddNotification(context.Background(), notice(identity, recruit.KindRoundOpened, fmt.Sprintf("%s-%d", prefix, i), i))
		must(t, "AddNotification", err)
	}
	return out
}

// A staff notice names a staff member; a missing one is ENOTFOUND.
func testStaffNotifications(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	staff, err := s.CreateStaff(ctx, recruit.Staff{Name: "王省级", Role: recruit.RoleProvince, CreatedAt: t0})
	must(t, "CreateStaff", err)
	n := notice(0, recruit.KindStaffDeadline, "deadline", 0)
	n.StaffID = staff.ID
	got, err := s.AddNotification(ctx, n)
	must(t, "AddNotification to staff", err)
	if got.StaffID != staff.ID || got.IdentityID != 0 {
		t.Errorf("staff notice = %+v", got)
	}
	n.StaffID, n.Key = staff.ID+100, "deadline-2"
	_, err = s.AddNotification(ctx, n)
	wantErr(t, "AddNotification to a missing staff member", err, recruit.ErrStaffNotFound)
	claimed, err := s.ClaimNotifications(ctx, "a", t0, time.Minute, 10)
	must(t, "ClaimNotifications", err)
	if len(claimed) != 1 || claimed[0].StaffID != staff.ID || claimed[0].Values["base"] != "齐鲁医院" {
		t.Errorf("claimed %+v, want the staff notice", claimed)
	}
}

// Read and unread: only the owner reads a notification; reading twice
// keeps the first time.
func testNotificationRead(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ids := newIdentities(t, s, "read", 2)
	ns := queue(t, s, ids[0], "r", 3)
	if n, err := s.UnreadNotifications(ctx, ids[0]); err != nil || n != 3 {
		t.Errorf("UnreadNotifications = %d, %v; want 3", n, err)
	}
	must(t, "MarkNotificationRead", s.MarkNotificationRead(ctx, ids[0], ns[1].ID, t0.Add(time.Hour)))
	must(t, "MarkNotificationRead again", s.MarkNotificationRead(ctx, ids[0], ns[1].ID, t0.Add(2*time.Hour)))
	got, err := s.GetNotification(ctx, ids[0], ns[1].ID)
	must(t, "GetNotification", err)
	sameTime(t, "ReadAt", got.ReadAt, t0.Add(time.Hour))
	if n, err := s.UnreadNotifications(ctx, ids[0]); err != nil || n != 2 {
		t.Errorf("UnreadNotifications after one read = %d, %v; want 2", n, err)
	}
	wantErr(t, "MarkNotificationRead of someone else's", s.MarkNotificationRead(ctx, ids[1], ns[0].ID, t0), recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoNotice))
	_, err = s.GetNotification(ctx, ids[1], ns[0].ID)
	wantErr(t, "GetNotification of someone else's", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoNotice))
	if n, err := s.UnreadNotifications(ctx, ids[1]); err != nil || n != 0 {
		t.Errorf("UnreadNotifications of another = %d, %v; want 0", n, err)
	}
}

// Claiming takes due rows oldest first under a lease; finishing needs the
// lease; a row whose lease ended is due again.
func testNotificationClaim(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "claim", 1)[0]
	ns := queue(t, s, id, "c", 4) // due at t0, t0+1s, t0+2s, t0+3s

	got, err := s.ClaimNotifications(ctx, "a", t0.Add(2*time.Second), time.Minute, 2)
	must(t, "ClaimNotifications", err)
	if len(got) != 2 || got[0].ID != ns[0].ID && got[1].ID != ns[0].ID || got[0].State != recruit.NoticeSending || got[0].LeaseOwner != "a" {
		t.Fatalf("claimed %+v, want the two oldest held by a", got)
	}
	sameTime(t, "LeaseUntil", got[0].LeaseUntil, t0.Add(2*time.Second+time.Minute))
	// b gets only the one other due row; the fourth is not due yet.
	other, err := s.ClaimNotifications(ctx, "b", t0.Add(2*time.Second), time.Minute, 10)
	must(t, "ClaimNotifications", err)
	if len(other) != 1 || other[0].ID != ns[2].ID {
		t.Fatalf("b claimed %+v, want only %d", other, ns[2].ID)
	}
	at := t0.Add(3 * time.Second)
	wantLost(t, "finishing by a non-holder", s, "a", ns[2].ID, recruit.NoticeOutcome{State: recruit.NoticeSent, MsgID: 9, At: at}, true)
	_, err = s.FinishNotifications(ctx, "b", []recruit.NoticeResult{{ID: ns[2].ID, Outcome: recruit.NoticeOutcome{State: recruit.NoticeSending, At: at}}})
	wantCode(t, "FinishNotifications to a bad state", err, recruit.EINVALID)

	wantLost(t, "finishing sent", s, "a", ns[0].ID, recruit.NoticeOutcome{State: recruit.NoticeSent, MsgID: 1001, Attempted: true, At: at}, false)
	wantLost(t, "finishing twice", s, "a", ns[0].ID, recruit.NoticeOutcome{State: recruit.NoticeSent, MsgID: 1001, At: at}, true)
	retryAt := t0.Add(time.Hour)
	wantLost(t, "finishing retry", s, "a", ns[1].ID, recruit.NoticeOutcome{State: recruit.NoticeRetry, NextAt: retryAt, LastError: "errcode=-1 system error", Attempted: true, At: at}, false)
	wantLost(t, "finishing deferred", s, "b", ns[2].ID, recruit.NoticeOutcome{State: recruit.NoticeRetry, NextAt: retryAt, At: at}, false)

	sent, err := s.NotificationByMsgID(ctx, 1001)
	must(t, "NotificationByMsgID", err)
	if sent.ID != ns[0].ID || sent.State != recruit.NoticeSent || sent.Attempts != 1 || sent.LeaseOwner != "" {
		t.Errorf("sent row = %+v", sent)
	}
	sameTime(t, "UpdatedAt", sent.UpdatedAt, at)
	_, err = s.NotificationByMsgID(ctx, 4242)
	wantErr(t, "NotificationByMsgID of an unknown msgid", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoNotice))
	_, err = s.NotificationByMsgID(ctx, 0)
	wantErr(t, "NotificationByMsgID of msgid 0", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoNotice))

	retry, err := s.GetNotification(ctx, id, ns[1].ID)
	must(t, "GetNotification", err)
	if retry.State != recruit.NoticeRetry || retry.Attempts != 1 || retry.LastError != "errcode=-1 system error" {
		t.Errorf("retried row = %+v", retry)
	}
	sameTime(t, "retry NextAt", retry.NextAt, retryAt)
	if deferred, _ := s.GetNotification(ctx, id, ns[2].ID); deferred.Attempts != 0 {
		t.Errorf("a row finished without an attempt has %d attempts", deferred.Attempts)
	}

	// Before the retry time only the fourth row is due; at it, all three.
	got, err = s.ClaimNotifications(ctx, "c", t0.Add(time.Minute), time.Minute, 10)
	must(t, "ClaimNotifications", err)
	if len(got) != 1 || got[0].ID != ns[3].ID {
		t.Fatalf("claimed %+v, want only the fourth", got)
	}
	// c crashes: after its lease ends the fourth is due again, with the others.
	got, err = s.ClaimNotifications(ctx, "d", retryAt, time.Minute, 10)
	must(t, "ClaimNotifications", err)
	if len(got) != 3 || got[0].ID != ns[3].ID {
		t.Errorf("claimed %+v, want the crashed row first and the two retries", got)
	}
	wantLost(t, "finishing by the crashed holder", s, "c", ns[3].ID, recruit.NoticeOutcome{State: recruit.NoticeSent, MsgID: 7, At: at}, true)
}

// wantLost finishes row id alone as owner and checks whether it was
// reported lost.
func wantLost(t *testing.T, what string, s recruit.Store, owner string, id int64, o recruit.NoticeOutcome, want bool) {
	t.Helper()
	lost, err := s.FinishNotifications(context.Background(), owner, []recruit.NoticeResult{{ID: id, Outcome: o}})
	must(t, what, err)
	if got := len(lost) == 1 && lost[0] == id; got != want || len(lost) > 1 {
		t.Errorf("%s: lost %v, want lost %v", what, lost, want)
	}
}

// A batch of outcomes lands as the same outcomes finished one at a time; a
// row another sender holds is reported lost and the others land; a row
// finished twice is lost the second time; a bad outcome writes nothing.
func testNotificationFinishBatch(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "finish", 1)[0]
	at, retryAt := t0.Add(time.Minute), t0.Add(time.Hour)
	outcomes := []recruit.NoticeOutcome{
		{State: recruit.NoticeSent, MsgID: 2001, Attempted: true, At: at},
		{State: recruit.NoticeRetry, NextAt: retryAt, LastError: "errcode=-1 system error", Attempted: true, At: at},
		{State: recruit.NoticeRetry, NextAt: retryAt, At: at}, // deferred by a quota pause
		{State: recruit.NoticeFailed, LastError: "errcode=-1 system error", Attempted: true, At: at},
		{State: recruit.NoticeUndeliverable, LastError: "errcode=43004 require subscribe", Attempted: true, At: at},
		{State: recruit.NoticeInboxOnly, At: at},
	}
	k := len(outcomes)
	// 2k rows: the first k finished one at a time, the next k as one batch,
	// and one more held by another sender.
	ns := queue(t, s, id, "f", 2*k+1)
	claimed, err := s.ClaimNotifications(ctx, "a", t0.Add(time.Hour), time.Minute, 2*k)
	must(t, "ClaimNotifications", err)
	other, err := s.ClaimNotifications(ctx, "b", t0.Add(time.Hour), time.Minute, 1)
	must(t, "ClaimNotifications", err)
	if len(claimed) != 2*k || len(other) != 1 || other[0].ID != ns[2*k].ID {
		t.Fatalf("claimed %d and %+v", len(claimed), other)
	}

	if lost, err := s.FinishNotifications(ctx, "a", nil); err != nil || len(lost) != 0 {
		t.Errorf("FinishNotifications of an empty batch = %v, %v", lost, err)
	}
	bad := []recruit.NoticeResult{{ID: ns[k].ID, Outcome: outcomes[0]}, {ID: ns[k+1].ID, Outcome: recruit.NoticeOutcome{State: recruit.NoticeQueued, At: at}}}
	_, err = s.FinishNotifications(ctx, "a", bad)
	wantCode(t, "FinishNotifications with a bad outcome", err, recruit.EINVALID)
	if n, _ := s.GetNotification(ctx, id, ns[k].ID); n.State != recruit.NoticeSending || n.LeaseOwner != "a" {
		t.Errorf("a batch refused for a bad outcome wrote row %+v", n)
	}

	var batch []recruit.NoticeResult
	for i, o := range outcomes {
		wantLost(t, fmt.Sprint("finishing ", o.State, " alone"), s, "a", ns[i].ID, o, false)
		batch = append(batch, recruit.NoticeResult{ID: ns[k+i].ID, Outcome: o})
	}
	stolen := recruit.NoticeResult{ID: ns[2*k].ID, Outcome: outcomes[0]}
	batch = append(batch[:2], append([]recruit.NoticeResult{stolen}, batch[2:]...)...)
	batch = append(batch, recruit.NoticeResult{ID: ns[k].ID, Outcome: outcomes[1]}) // the sent row again
	lost, err := s.FinishNotifications(ctx, "a", batch)
	must(t, "FinishNotifications", err)
	if fmt.Sprint(lost) != fmt.Sprint([]int64{ns[2*k].ID, ns[k].ID}) {
		t.Errorf("lost %v, want the row b holds and the row finished twice: %d, %d", lost, ns[2*k].ID, ns[k].ID)
	}

	for i := range outcomes {
		alone, err := s.GetNotification(ctx, id, ns[i].ID)
		must(t, "GetNotification", err)
		inBatch, err := s.GetNotification(ctx, id, ns[k+i].ID)
		must(t, "GetNotification", err)
		if alone.State != outcomes[i].State || alone.LeaseOwner != "" || !alone.LeaseUntil.IsZero() {
			t.Errorf("row finished alone as %s: %+v", outcomes[i].State, alone)
		}
		if got, want := finished(inBatch), finished(alone); got != want {
			t.Errorf("finished in a batch as %s:\n %s\nalone:\n %s", outcomes[i].State, got, want)
		}
	}
	got, err := s.GetNotification(ctx, id, ns[2*k].ID)
	must(t, "GetNotification", err)
	if got.State != recruit.NoticeSending || got.LeaseOwner != "b" || got.MsgID != 0 {
		t.Errorf("the row b holds was changed by a's batch: %+v", got)
	}
}

// finished is what finishing set on n: its next attempt's time only for a
// retry (the others keep the time they were queued for).
func finished(n recruit.Notification) string {
	next := time.Time{}
	if n.State == recruit.NoticeRetry {
		next = n.NextAt
	}
	return fmt.Sprintf("state=%s attempts=%d msgid=%d next=%v error=%q owner=%q until=%v updated=%v",
		n.State, n.Attempts, n.MsgID, next.UTC(), n.LastError, n.LeaseOwner, n.LeaseUntil.UTC(), n.UpdatedAt.UTC())
}

// A delivery report moves a sent row once; it needs the msgid it was sent as.
func testNotificationReport(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	id := newIdentities(t, s, "report", 1)[0]
	n := queue(t, s, id, "p", 1)[0]
	_, err := s.ClaimNotifications(ctx, "a", t0, time.Minute, 1)
	must(t, "ClaimNotifications", err)
	wantErr(t, "ReportDelivery of a row not sent", s.ReportDelivery(ctx, n.ID, 5, recruit.NoticeOutcome{State: recruit.NoticeUndeliverable, At: t0}),
		recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeaseLost))
	wantLost(t, "finishing sent", s, "a", n.ID, recruit.NoticeOutcome{State: recruit.NoticeSent, MsgID: 5, Attempted: true, At: t0}, false)
	wantErr(t, "ReportDelivery with another msgid", s.ReportDelivery(ctx, n.ID, 6, recruit.NoticeOutcome{State: recruit.NoticeUndeliverable, At: t0}),
		recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeaseLost))
	must(t, "ReportDelivery", s.ReportDelivery(ctx, n.ID, 5, recruit.NoticeOutcome{State: recruit.NoticeUndeliverable, LastError: "failed:user block", At: t0}))
	wantErr(t, "ReportDelivery twice", s.ReportDelivery(ctx, n.ID, 5, recruit.NoticeOutcome{State: recruit.NoticeFailed, At: t0}),
		recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeaseLost))
	got, err := s.GetNotification(ctx, id, n.ID)
	must(t, "GetNotification", err)
	if got.State != recruit.NoticeUndeliverable || got.LastError != "failed:user block" || got.MsgID != 5 || got.Attempts != 1 {
		t.Errorf("reported row = %+v", got)
	}
}

// Stats count rows by kind and state and find the oldest due row.
func testOutboxStats(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	st, err := s.OutboxStats(ctx, t0)
	must(t, "OutboxStats", err)
	if len(st.Counts) != 0 || !st.OldestDue.IsZero() {
		t.Errorf("stats of an empty outbox = %+v", st)
	}
	id := newIdentities(t, s, "stats", 1)[0]
	queue(t, s, id, "s", 3)
	_, err = s.AddNotification(ctx, notice(id, recruit.KindRegistered, "reg", 0))
	must(t, "AddNotification", err)
	claimed, err := s.ClaimNotifications(ctx, "a", t0, time.Minute, 1)
	must(t, "ClaimNotifications", err)
	wantLost(t, "finishing failed", s, "a", claimed[0].ID, recruit.NoticeOutcome{State: recruit.NoticeFailed, Attempted: true, At: t0}, false)

	st, err = s.OutboxStats(ctx, t0.Add(10*time.Second))
	must(t, "OutboxStats", err)
	// The oldest due row (s-0, the lower id of the two due at t0) failed.
	want := []recruit.NoticeCount{
		{Kind: recruit.KindRegistered, State: recruit.NoticeQueued, N: 1},
		{Kind: recruit.KindRoundOpened, State: recruit.NoticeFailed, N: 1},
		{Kind: recruit.KindRoundOpened, State: recruit.NoticeQueued, N: 2},
	}
	if fmt.Sprint(st.Counts) != fmt.Sprint(want) || claimed[0].Key != "s-0" {
		t.Errorf("counts = %v (failed %s), want %v", st.Counts, claimed[0].Key, want)
	}
	// The registration, due at t0, is the oldest still due.
	sameTime(t, "OldestDue", st.OldestDue, t0)
	if st, err := s.OutboxStats(ctx, t0.Add(-time.Second)); err != nil || !st.OldestDue.IsZero() {
		t.Errorf("OldestDue before anything is due = %v, %v", st.OldestDue, err)
	}
}

// Concurrent claimers never get the same row.
func testConcurrentClaims(t *testing.T, s recruit.Store) {
	const rows, claimers = 60, 6
	ctx := context.Background()
	id := newIdentities(t, s, "claimers", 1)[0]
	queue(t, s, id, "k", rows)
	got := make([][]recruit.Notification, claimers)
	errs := make([]error, claimers)
	race(claimers, func(i int) {
		for {
			ns, err := s.ClaimNotifications(ctx, fmt.Sprint("owner-", i), t0.Add(time.Hour), time.Hour, 4)
			if err != nil || len(ns) == 0 {
				errs[i] = err
				return
			}
			got[i] = append(got[i], ns...)
		}
	})
	seen := map[int64]string{}
	for i, ns := range got {
		must(t, "ClaimNotifications", errs[i])
		for _, n := range ns {
			owner := fmt.Sprint("owner-", i)
			if prev, dup := seen[n.ID]; dup {
				t.Errorf("row %d claimed by %s and %s", n.ID, prev, owner)
			}
			if n.LeaseOwner != owner {
				t.Errorf("row %d returned to %s with owner %q", n.ID, owner, n.LeaseOwner)
			}
			seen[n.ID] = owner
		}
	}
	if len(seen) != rows {
		t.Errorf("%d rows claimed, want %d", len(seen), rows)
	}
}
