package mongo

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

func TestIdentityNumberIsSealed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		const number = "37010219900307001X"
		in := recruit.Identity{OpenID: "o-1", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: t0}
		id, err := db.CreateIdentity(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := db.col(colIdentities).FindOne(ctx, bson.M{"_id": id.ID}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		elems, err := raw.Elements()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range elems {
			if s, ok := e.Value().StringValueOK(); ok && strings.Contains(strings.ToUpper(s), number[6:14]) {
				t.Errorf("field %s holds the ID number in plain text: %q", e.Key(), s)
			}
		}
		if got := raw.Lookup("id_index").StringValue(); got != recruit.IdentityIndex(db.sealer, in.IDType, number) {
			t.Errorf("blind index %q", got)
		}

		back, err := db.IdentityByOpenID(ctx, "o-1")
		if err != nil {
			t.Fatal(err)
		}
		if back.IDNumber != number || back.ID != id.ID || !back.BoundAt.Equal(t0) {
			t.Errorf("read back %+v", back)
		}

		for _, dup := range []recruit.Identity{
			{OpenID: "o-1", Name: "李四", IDType: recruit.IDTypePassport, IDNumber: "E12345678"},
			{OpenID: "o-2", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: strings.ToLower(number)},
		} {
			if _, err := db.CreateIdentity(ctx, dup); recruit.ErrorCode(err) != recruit.ECONFLICT {
				t.Errorf("duplicate binding %s: %v, want ECONFLICT", dup.OpenID, err)
			}
		}
		if _, err := db.GetIdentity(ctx, id.ID+100); recruit.ErrorCode(err) != recruit.ENOTFOUND {
			t.Errorf("unknown identity: %v", err)
		}
	})
}

func TestUnbindAndRebind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		programs := importPlan(t, db, map[string]int{"0100": 2})
		const number = "370102199003070018"
		zhang, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-1", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		app, err := db.SubmitChoice(ctx, zhang.ID, testYear, recruit.Choice{ProgramID: programs["0100"]}, t0, nil)
		if err != nil {
			t.Fatal(err)
		}

		if err := db.UnbindIdentity(ctx, zhang.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.IdentityByOpenID(ctx, "o-1")
		wantErrCode(t, "IdentityByOpenID after unbinding", err, recruit.ENOTFOUND)
		kept, err := db.GetIdentity(ctx, zhang.ID)
		if err != nil || kept.OpenID != "" || kept.IDNumber != number || kept.Name != "张三" {
			t.Errorf("unbound identity read back as %+v, %v", kept, err)
		}
		raw, err := db.col(colIdentities).FindOne(ctx, bson.M{"_id": zhang.ID}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.LookupErr("openid"); err == nil {
			t.Errorf("unbound identity still has an openid field: %s", raw)
		}

		// Another person cannot take the number under another name.
		_, err = db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-2", Name: "李四", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: t0})
		wantErrCode(t, "rebinding with another name", err, recruit.ECONFLICT)
		if recruit.ErrorMessage(err) != msgNameDiffers {
			t.Errorf("rebinding with another name: message %q", recruit.ErrorMessage(err))
		}
		// An account bound to someone else cannot take it either.
		if _, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-3", Name: "王五", IDType: recruit.IDTypePassport, IDNumber: "E12345678", BoundAt: t0}); err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-3", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: t0})
		wantErrCode(t, "rebinding from a bound account", err, recruit.ECONFLICT)
		if recruit.ErrorMessage(err) != msgOpenIDBound {
			t.Errorf("rebinding from a bound account: message %q", recruit.ErrorMessage(err))
		}

		// The same person from a new account gets the old identity back.
		later := t0.AddDate(0, 1, 0)
		again, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-2", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: later})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != zhang.ID || again.OpenID != "o-2" || again.IDNumber != number || !again.BoundAt.Equal(later) {
			t.Errorf("rebinding returned %+v, want id %d bound at %v", again, zhang.ID, later)
		}
		if got, err := db.IdentityByOpenID(ctx, "o-2"); err != nil || got.ID != zhang.ID {
			t.Errorf("IdentityByOpenID after rebinding: %+v, %v", got, err)
		}
		if got, err := db.GetApplication(ctx, testYear, again.ID); err != nil || got.ID != app.ID {
			t.Errorf("application after rebinding: %+v, %v, want id %d", got, err, app.ID)
		}
		// Now bound again, the number is refused to other accounts.
		_, err = db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-4", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: later})
		wantErrCode(t, "binding a rebound number", err, recruit.ECONFLICT)

		wantErrCode(t, "unbinding a missing identity", db.UnbindIdentity(ctx, zhang.ID+100), recruit.ENOTFOUND)
	})
}

func TestManyUnboundIdentities(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		numbers := []string{"E10000001", "E10000002", "E10000003"}
		for i, n := range numbers {
			id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-" + n, Name: "测试", IDType: recruit.IDTypePassport, IDNumber: n, BoundAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UnbindIdentity(ctx, id.ID); err != nil {
				t.Fatalf("unbinding identity %d of %d: %v", i+1, len(numbers), err)
			}
		}
		// Accounts are free again: each can bind a new document.
		for _, n := range numbers {
			if _, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-" + n, Name: "测试", IDType: recruit.IDTypeHKMacau, IDNumber: "H" + n[1:], BoundAt: t0}); err != nil {
				t.Errorf("binding a freed account: %v", err)
			}
		}
		_, err := db.IdentityByOpenID(ctx, "")
		wantErrCode(t, "IdentityByOpenID of an empty openid", err, recruit.ENOTFOUND)
	})
}
