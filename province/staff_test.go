package province

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// openStore is a store with one base, 甲医院.
func openStore(t *testing.T) (*sqlite.DB, recruit.Base) {
	t.Helper()
	db, bases := openStoreWith(t, recruit.PlanRow{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10})
	return db, bases[0]
}

// openStoreWith is a store with the plan rows of 2025 and their bases.
func openStoreWith(t *testing.T, rows ...recruit.PlanRow) (*sqlite.DB, []recruit.Base) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ImportPlan(ctx, 2025, rows); err != nil {
		t.Fatal(err)
	}
	bases, err := db.ListBases(ctx)
	if err != nil || len(bases) != len(rows) {
		t.Fatalf("bases %v, %v", bases, err)
	}
	return db, bases
}

func TestCreateInvite(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	seen := map[string]bool{}
	for range 50 {
		inv, err := svcAt(db, testNow).CreateInvite(ctx, InviteRequest{Role: recruit.RoleReviewer, BaseID: base.ID, TTL: recruit.DefaultInviteTTL})
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Code) != recruit.InviteLen || strings.Trim(inv.Code, recruit.InviteAlphabet) != "" || seen[inv.Code] {
			t.Fatalf("code %q: want 8 fresh characters of %s", inv.Code, recruit.InviteAlphabet)
		}
		seen[inv.Code] = true
		if inv.Base != base || inv.Role != recruit.RoleReviewer || !inv.Expires.Equal(testNow.Add(recruit.DefaultInviteTTL)) {
			t.Fatalf("invite %+v", inv)
		}
	}
	prov, err := svcAt(db, testNow).CreateInvite(ctx, InviteRequest{Role: recruit.RoleProvince, TTL: time.Hour})
	if err != nil || prov.Base != (recruit.Base{}) || prov.Role != recruit.RoleProvince {
		t.Fatalf("province invite %+v, %v", prov, err)
	}
	for _, tc := range []struct {
		req  InviteRequest
		code string
		msg  string
	}{
		{InviteRequest{Role: recruit.RoleBaseAdmin, BaseID: base.ID + 100, TTL: recruit.DefaultInviteTTL}, recruit.ENOTFOUND,
			fmt.Sprintf("培训基地（编号 %d）不存在", base.ID+100)},
		{InviteRequest{Role: recruit.RoleReviewer, BaseID: base.ID, TTL: 30 * time.Second}, recruit.EINVALID, "有效期"},
		{InviteRequest{Role: recruit.RoleReviewer, BaseID: base.ID, TTL: recruit.MaxInviteTTL + time.Hour}, recruit.EINVALID, "有效期"},
		{InviteRequest{Role: recruit.RoleReviewer, TTL: time.Hour}, recruit.EINVALID, "审核员必须属于一个培训基地"},
		{InviteRequest{Role: recruit.RoleProvince, BaseID: base.ID, TTL: time.Hour}, recruit.EINVALID, "省级管理员不属于任何培训基地"},
	} {
		_, err := svcAt(db, testNow).CreateInvite(ctx, tc.req)
		if recruit.ErrorCode(err) != tc.code || !strings.Contains(recruit.ErrorMessage(err), tc.msg) {
			t.Errorf("CreateInvite(%+v) = %v, want %s %q", tc.req, err, tc.code, tc.msg)
		}
	}
}

// TestInviteCodeNotStored looks for an invitation's code, and for it
// lower-cased, in every byte of the database's files: only its hash is
// there.
func TestInviteCodeNotStored(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svcAt(db, testNow).CreateInvite(ctx, InviteRequest{Role: recruit.RoleProvince, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "test.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("database files %v, %v", files, err)
	}
	found := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{inv.Code, strings.ToLower(inv.Code)} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s holds the invitation code %s", filepath.Base(f), secret)
			}
		}
		if bytes.Contains(raw, []byte(recruit.HashSecret(inv.Code))) {
			found++
		}
	}
	if found == 0 {
		t.Error("the code's hash is not in the database either: the search proves nothing")
	}
}

// TestRedeemOnceUnderConcurrency redeems one invitation from many accounts
// at once, straight on the store.
func TestRedeemOnceUnderConcurrency(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	inv, err := svcAt(db, testNow).CreateInvite(ctx, InviteRequest{Role: recruit.RoleBaseAdmin, BaseID: base.ID, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	staff, errs := redeemAtOnce(db, testNow, strings.ToLower(inv.Code), recruit.ChannelMP, 10, "openid-")
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if staff[i].Role != recruit.RoleBaseAdmin || staff[i].BaseID != base.ID || staff[i].MPOpenID != "openid-"+string(rune('a'+i)) {
				t.Errorf("winner's account %+v", staff[i])
			}
		case !errors.Is(err, recruit.ErrInviteUsed):
			t.Errorf("redeemer %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d winners, want 1", won)
	}
	// Still used after the invitation itself expired.
	later := testNow.Add(2 * time.Hour)
	if _, err := svcAt(db, later).Redeem(ctx, inv.Code, recruit.ChannelMP, "openid-late"); !errors.Is(err, recruit.ErrInviteUnknown) {
		t.Fatalf("expired and used: %v", err)
	}
}

// redeemAtOnce has n redeemers, openids prefix+a, prefix+b…, redeem code
// on ch at now concurrently, and returns their accounts and errors.
func redeemAtOnce(db recruit.Store, now time.Time, code string, ch recruit.Channel, n int, prefix string) ([]recruit.Staff, []error) {
	errs := make([]error, n)
	staff := make([]recruit.Staff, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			staff[i], errs[i] = svcAt(db, now).Redeem(context.Background(), code, ch, prefix+string(rune('a'+i)))
		})
	}
	wg.Wait()
	return staff, errs
}

// legacyRecords writes the key-value staff records of earlier versions:
// a bound account, a live invitation, a used one and one about to expire.
func legacyRecords(t *testing.T, db recruit.Store, base recruit.Base) {
	t.Helper()
	ctx := context.Background()
	for _, r := range []struct {
		key, value string
		ttl        time.Duration
	}{
		{legacyStaff + "openid-old", fmt.Sprintf(`{"base_id":%d,"bound_at":"2025-07-01T10:00:00+08:00"}`, base.ID), 0},
		{legacyInvite + "ABCD2345", fmt.Sprint(base.ID), 48 * time.Hour},
		{legacyInvite + "USED2345", fmt.Sprint(base.ID), 48 * time.Hour},
		{legacyInviteUsed + "USED2345", "openid-old", recruit.MaxInviteTTL},
		{legacyInvite + "XPRY2345", fmt.Sprint(base.ID), 30 * time.Second},
	} {
		if err := db.SetKV(ctx, r.key, r.value, r.ttl, testNow); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateStaff(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	legacyRecords(t, db, base)
	n, err := svcAt(db, testNow).MigrateStaff(ctx)
	if err != nil || n != 2 {
		t.Fatalf("MigrateStaff = %d, %v; want the account and the live invitation", n, err)
	}
	snapshot := func() string {
		t.Helper()
		list, err := db.ListStaff(ctx, recruit.StaffFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		if err := db.ScanKV(ctx, "staff:", testNow, func(key, _ string, _ time.Time) error {
			kv = append(kv, key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v %v", list, kv)
	}
	list, err := db.ListStaff(ctx, recruit.StaffFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("accounts %+v, %v", list, err)
	}
	old := list[0]
	if old.Role != recruit.RoleReviewer || old.BaseID != base.ID || old.MPOpenID != "openid-old" ||
		!old.CreatedAt.Equal(time.Date(2025, 7, 1, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("migrated account %+v", old)
	}
	after := snapshot()
	if !strings.HasSuffix(after, " []") {
		t.Errorf("key-value records left: %s", after)
	}

	// Again: nothing changes. And after a failure half-way (the records
	// come back as if they had not been deleted), nothing is made twice.
	for _, again := range []bool{false, true} {
		if again {
			legacyRecords(t, db, base)
		}
		if _, err := svcAt(db, testNow).MigrateStaff(ctx); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(); got != after {
			t.Errorf("run again (records back: %v): %s, want %s", again, got, after)
		}
	}

	// The live invitation works as a reviewer's; the used and the expiring
	// one are gone.
	st, err := svcAt(db, testNow.Add(time.Hour)).Redeem(ctx, "ABCD2345", recruit.ChannelMP, "openid-new")
	if err != nil || st.Role != recruit.RoleReviewer || st.BaseID != base.ID {
		t.Errorf("migrated invitation: %+v, %v", st, err)
	}
	for _, code := range []string{"USED2345", "XPRY2345"} {
		if _, err := svcAt(db, testNow).Redeem(ctx, code, recruit.ChannelMP, "openid-other"); !errors.Is(err, recruit.ErrInviteUnknown) {
			t.Errorf("migrated %s: %v", code, err)
		}
	}
}

// testNow is the staff tests' time, in the round1 phase of 2025.
var testNow = time.Date(2025, time.July, 12, 9, 0, 0, 0, recruit.Shanghai)

// svcAt is the service over db with its clock stopped at now.
func svcAt(db Store, now time.Time) *Service {
	return New(Deps{Store: db, Now: func() time.Time { return now }})
}
