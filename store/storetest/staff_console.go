package storetest

import (
	"context"
	"testing"
	"time"

	"zhupei/recruit"
)

// testNotificationOpenID: a notice's recipient openid (a detached
// account's) is kept, listed and claimed with the row; a notice without one
// has none.
func testNotificationOpenID(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ids := newIdentities(t, s, "openid-notice", 1)
	to := notice(ids[0], recruit.KindBindingReleased, "released", 0)
	to.OpenID = "oa-detached-account"
	if _, err := s.AddNotification(ctx, to); err != nil {
		t.Fatal(err)
	}
	must(t, "AddNotification", func() error {
		_, err := s.AddNotification(ctx, notice(ids[0], recruit.KindRegistered, "plain", 1))
		return err
	}())
	list, err := s.ListNotifications(ctx, ids[0])
	must(t, "ListNotifications", err)
	if len(list) != 2 || list[1].OpenID != "oa-detached-account" || list[0].OpenID != "" {
		t.Fatalf("ListNotifications = %+v, want the recipient openid on the first only", list)
	}
	claimed, err := s.ClaimNotifications(ctx, "sender", t0.Add(time.Minute), time.Minute, 10)
	must(t, "ClaimNotifications", err)
	got := map[string]string{}
	for _, n := range claimed {
		got[n.Key] = n.OpenID
	}
	if len(got) != 2 || got["released"] != "oa-detached-account" || got["plain"] != "" {
		t.Errorf("claimed rows' openids = %v", got)
	}
}
