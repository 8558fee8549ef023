package mongo

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

// The identity document holds the ID number only sealed and as a blind
// index, and an unbound one has no openid field at all (the sparse unique
// index admits any number of them).
func TestIdentityDocument(t *testing.T) {
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

		if err := db.UnbindIdentity(ctx, id.ID); err != nil {
			t.Fatal(err)
		}
		raw, err = db.col(colIdentities).FindOne(ctx, bson.M{"_id": id.ID}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.LookupErr("openid"); err == nil {
			t.Errorf("unbound identity still has an openid field: %s", raw)
		}
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
