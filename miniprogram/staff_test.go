package miniprogram

import (
	"context"
	"fmt"
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
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
	}); err != nil {
		t.Fatal(err)
	}
	bases, err := db.ListBases(ctx)
	if err != nil || len(bases) != 1 {
		t.Fatalf("bases %v, %v", bases, err)
	}
	return db, bases[0]
}

func TestCreateInvite(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	seen := map[string]bool{}
	for range 50 {
		inv, err := CreateInvite(ctx, db, base.ID, DefaultInviteTTL, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Code) != inviteLen || strings.Trim(inv.Code, inviteAlphabet) != "" || seen[inv.Code] {
			t.Fatalf("code %q: want 8 fresh characters of %s", inv.Code, inviteAlphabet)
		}
		seen[inv.Code] = true
		if inv.Base != base || !inv.Expires.Equal(testNow.Add(DefaultInviteTTL)) {
			t.Fatalf("invite %+v", inv)
		}
	}
	for _, tc := range []struct {
		base int64
		ttl  time.Duration
		code string
		msg  string
	}{
		{base.ID + 100, DefaultInviteTTL, recruit.ENOTFOUND, fmt.Sprintf("培训基地（编号 %d）不存在", base.ID+100)},
		{base.ID, 30 * time.Second, recruit.EINVALID, "有效期"},
		{base.ID, MaxInviteTTL + time.Hour, recruit.EINVALID, "有效期"},
	} {
		_, err := CreateInvite(ctx, db, tc.base, tc.ttl, testNow)
		if recruit.ErrorCode(err) != tc.code || !strings.Contains(recruit.ErrorMessage(err), tc.msg) {
			t.Errorf("CreateInvite(%d, %v) = %v, want %s %q", tc.base, tc.ttl, err, tc.code, tc.msg)
		}
	}
}

// TestRedeemOnceUnderConcurrency redeems one invitation from many accounts
// at once, straight on the store.
func TestRedeemOnceUnderConcurrency(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	inv, err := CreateInvite(ctx, db, base.ID, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = Redeem(ctx, db, inv.Code, "openid-"+string(rune('a'+i)), testNow) })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case err != errInviteUsed:
			t.Errorf("redeemer %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d winners, want 1", won)
	}
	// Still used after the invitation itself expired.
	later := testNow.Add(2 * time.Hour)
	if _, err := Redeem(ctx, db, inv.Code, "openid-late", later); err != errInviteUnknown {
		t.Fatalf("expired and used: %v", err)
	}
}

// TestRedeemGivesBackOnLostBinding: an account that got bound meanwhile
// (by another invitation) leaves this invitation usable.
func TestRedeemGivesBackOnLostBinding(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	inv, err := CreateInvite(ctx, db, base.ID, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// The race: the account's binding appears after Redeem checked for
	// one — here it exists but the check's read does not see it.
	if err := db.SetKV(ctx, keyStaff+"racer", `{"base_id":1}`, 0, testNow); err != nil {
		t.Fatal(err)
	}
	hidden := &hideFirstRead{Store: db, key: keyStaff + "racer"}
	if _, err := Redeem(ctx, hidden, inv.Code, "racer", testNow); err != errAlreadyBound {
		t.Fatalf("lost binding: %v", err)
	}
	if _, err := Redeem(ctx, db, inv.Code, "someone-else", testNow); err != nil {
		t.Fatalf("the invitation was not given back: %v", err)
	}
}

// hideFirstRead answers ENOTFOUND to the first GetKV of key.
type hideFirstRead struct {
	recruit.Store
	key  string
	done bool
}

func (h *hideFirstRead) GetKV(ctx context.Context, key string, now time.Time) (string, error) {
	if key == h.key && !h.done {
		h.done = true
		return "", recruit.Errorf(recruit.ENOTFOUND, "absent")
	}
	return h.Store.GetKV(ctx, key, now)
}
