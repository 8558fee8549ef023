package storetest

import (
	"context"
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
