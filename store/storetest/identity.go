package storetest

import (
	"context"
	"testing"

	"zhupei/recruit"
)

func testIdentities(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	in := recruit.Identity{OpenID: "o-zhang", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900101123X", BoundAt: t0}
	a, err := s.CreateIdentity(ctx, in)
	must(t, "CreateIdentity", err)
	if a.ID <= 0 {
		t.Fatalf("CreateIdentity returned id %d", a.ID)
	}
	want := in
	want.ID = a.ID
	wantIdentity(t, "CreateIdentity", a, want)

	byOpenID, err := s.IdentityByOpenID(ctx, "o-zhang")
	must(t, "IdentityByOpenID", err)
	wantIdentity(t, "IdentityByOpenID", byOpenID, want)
	byID, err := s.GetIdentity(ctx, a.ID)
	must(t, "GetIdentity", err)
	wantIdentity(t, "GetIdentity", byID, want)
	byNumber, err := s.IdentityByNumber(ctx, recruit.IDTypeResident, "37010219900101123X")
	must(t, "IdentityByNumber", err)
	wantIdentity(t, "IdentityByNumber", byNumber, want)
	_, err = s.IdentityByNumber(ctx, recruit.IDTypePassport, "37010219900101123X")
	wantErr(t, "IdentityByNumber of another type", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotBound))

	conflicts := []struct {
		id  recruit.Identity
		msg string
	}{
		// the same WeChat account again, another person
		{recruit.Identity{OpenID: "o-zhang", Name: "李四", IDType: recruit.IDTypeResident, IDNumber: "370102199202021234", BoundAt: t0}, recruit.MsgOpenIDBound},
		// the same document from another WeChat account
		{recruit.Identity{OpenID: "o-other", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900101123X", BoundAt: t0}, recruit.MsgNumberBound},
		// the same document with a lower-case check character
		{recruit.Identity{OpenID: "o-other", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900101123x", BoundAt: t0}, recruit.MsgNumberBound},
	}
	for _, c := range conflicts {
		_, err := s.CreateIdentity(ctx, c.id)
		wantErr(t, "CreateIdentity of a bound account or document", err, recruit.Errorf(recruit.ECONFLICT, "%s", c.msg))
	}

	// The number is trimmed: padded, it is the same document.
	padded := recruit.Identity{OpenID: "o-padded", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: " 37010219900101123X ", BoundAt: t0}
	_, err = s.CreateIdentity(ctx, padded)
	wantErr(t, "CreateIdentity of a padded bound number", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNumberBound))
	padded.IDNumber, padded.IDType = " E7654321\t", recruit.IDTypePassport
	trimmed, err := s.CreateIdentity(ctx, padded)
	must(t, "CreateIdentity with a padded number", err)
	if got, err := s.GetIdentity(ctx, trimmed.ID); err != nil || got.IDNumber != "E7654321" || trimmed.IDNumber != "E7654321" {
		t.Errorf("padded number stored as %q (returned %q), %v; want E7654321", got.IDNumber, trimmed.IDNumber, err)
	}

	// The same number as another document type is another document.
	other, err := s.CreateIdentity(ctx, recruit.Identity{OpenID: "o-other", Name: "张三", IDType: recruit.IDTypePassport, IDNumber: "37010219900101123X", BoundAt: t0})
	must(t, "CreateIdentity with another type", err)
	if other.ID == a.ID {
		t.Errorf("two identities share id %d", a.ID)
	}
	got, err := s.IdentityByOpenID(ctx, "o-other")
	must(t, "IdentityByOpenID", err)
	if got.ID != other.ID || got.IDType != recruit.IDTypePassport {
		t.Errorf("IdentityByOpenID(o-other) = %+v, want id %d", got, other.ID)
	}

	_, err = s.IdentityByOpenID(ctx, "o-nobody")
	wantCode(t, "IdentityByOpenID of an unbound account", err, recruit.ENOTFOUND)
	_, err = s.GetIdentity(ctx, other.ID+a.ID+100)
	wantCode(t, "GetIdentity of a missing id", err, recruit.ENOTFOUND)
}

func wantIdentity(t *testing.T, what string, got, want recruit.Identity) {
	t.Helper()
	if got.ID != want.ID || got.OpenID != want.OpenID || got.Name != want.Name || got.IDType != want.IDType || got.IDNumber != want.IDNumber {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
	sameTime(t, what+" BoundAt", got.BoundAt, want.BoundAt)
}
