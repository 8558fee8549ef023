package mongo

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

// A profile is stored with the API's field names and without the ID number.
func TestProfileDocument(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-1", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900307001X", BoundAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		p := recruit.Profile{IdentityID: id.ID, Basic: &recruit.Basic{
			Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900307001X", Gender: "男", BirthDate: "1990-03-07",
		}}
		if _, err := db.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", At: t0}, 0); err != nil {
			t.Fatal(err)
		}
		raw, err := db.col(colProfiles).FindOne(ctx, bson.M{"_id": id.ID}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		if v, err := raw.LookupErr("basic", "birth_date"); err != nil || v.StringValue() != "1990-03-07" {
			t.Errorf("basic.birth_date stored as %v, %v", v, err)
		}
		if strings.Contains(raw.String(), "37010219900307") {
			t.Errorf("the profile document holds the ID number: %s", raw)
		}
	})
}
