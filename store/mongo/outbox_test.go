package mongo

import (
	"context"
	"testing"
	"time"

	"zhupei/recruit"
)

func TestNotificationOutbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		var added []recruit.Notification
		for i, kind := range []string{"registered", "reviewed", "provisional"} {
			n, err := db.AddNotification(ctx, recruit.Notification{
				IdentityID: 5, Kind: kind, ClientMsgID: "5-" + kind, Payload: `{"k":"v"}`,
				NextAt: t0, CreatedAt: t0.Add(time.Duration(i) * time.Minute),
			})
			if err != nil {
				t.Fatal(err)
			}
			if n.ID <= 0 || (i > 0 && n.ID <= added[i-1].ID) || n.State != "queued" {
				t.Errorf("notification %d added as id %d state %q", i, n.ID, n.State)
			}
			added = append(added, n)
		}
		if _, err := db.AddNotification(ctx, recruit.Notification{IdentityID: 6, Kind: "registered", ClientMsgID: "6-registered", State: "sent", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		_, err := db.AddNotification(ctx, recruit.Notification{IdentityID: 5, Kind: "registered", ClientMsgID: "5-registered", CreatedAt: t0})
		wantErrCode(t, "a repeated client_msg_id", err, recruit.ECONFLICT)
		_, err = db.AddNotification(ctx, recruit.Notification{IdentityID: 5, Kind: "registered"})
		wantErrCode(t, "a notification without client_msg_id", err, recruit.EINVALID)

		list, err := db.ListNotifications(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(added) {
			t.Fatalf("ListNotifications returned %d, want %d", len(list), len(added))
		}
		for i, n := range list {
			want := added[len(added)-1-i]
			if n != want {
				t.Errorf("ListNotifications[%d] = %+v, want %+v", i, n, want)
			}
		}
		other, err := db.ListNotifications(ctx, 6)
		if err != nil || len(other) != 1 || other[0].State != "sent" {
			t.Errorf("ListNotifications(6) = %+v, %v", other, err)
		}
	})
}

func TestForms(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		forms := []recruit.FormRecord{
			{Code: "F-A", ApplicationID: 1, Version: 1, FileID: "form-a", GeneratedAt: t0},
			{Code: "F-C", ApplicationID: 1, Version: 2, FileID: "form-c", GeneratedAt: t0.Add(2 * time.Hour)},
			{Code: "F-B", ApplicationID: 1, Version: 2, FileID: "form-b", GeneratedAt: t0.Add(time.Hour)},
			{Code: "F-D", ApplicationID: 1, Version: 1, FileID: "form-d", GeneratedAt: t0.Add(3 * time.Hour)},
			{Code: "F-E", ApplicationID: 2, Version: 9, FileID: "form-e", GeneratedAt: t0.Add(4 * time.Hour)},
		}
		for _, f := range forms {
			if err := db.AddForm(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		wantErrCode(t, "a repeated form code", db.AddForm(ctx, recruit.FormRecord{Code: "F-A", ApplicationID: 3, Version: 1, GeneratedAt: t0}), recruit.ECONFLICT)
		wantErrCode(t, "a form without code", db.AddForm(ctx, recruit.FormRecord{ApplicationID: 3}), recruit.EINVALID)

		got, err := db.FormByCode(ctx, "F-B")
		if err != nil || got != forms[2] {
			t.Errorf("FormByCode(F-B) = %+v, %v, want %+v", got, err, forms[2])
		}
		latest, err := db.LatestForm(ctx, 1)
		if err != nil || latest != forms[1] {
			t.Errorf("LatestForm(1) = %+v, %v, want %+v (highest version, then latest)", latest, err, forms[1])
		}
		_, err = db.FormByCode(ctx, "F-X")
		wantErrCode(t, "FormByCode of an unknown code", err, recruit.ENOTFOUND)
		_, err = db.LatestForm(ctx, 3)
		wantErrCode(t, "LatestForm of an application without forms", err, recruit.ENOTFOUND)
	})
}
