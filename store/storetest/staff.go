package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/recruit"
)

// wantErr fails the test unless err has the code and message of want.
func wantErr(t *testing.T, what string, err error, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// twoBases imports planRows and returns the ids of two of its bases.
func twoBases(t *testing.T, s recruit.Store) (int64, int64) {
	t.Helper()
	ps := importRows(t, s, 2025, planRows)
	return ps["山东省立医院/0100"].BaseID, ps["齐鲁医院/0100"].BaseID
}

// wantStaff fails the test unless got equals want, CreatedAt as an instant.
func wantStaff(t *testing.T, what string, got, want recruit.Staff) {
	t.Helper()
	w := want
	w.CreatedAt = got.CreatedAt
	if got != w {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
	sameTime(t, what+" CreatedAt", got.CreatedAt, want.CreatedAt)
}

// wantStaffIDs fails the test unless ListStaff(f) returns the accounts ids.
func wantStaffIDs(t *testing.T, s recruit.Store, f recruit.StaffFilter, ids ...int64) {
	t.Helper()
	list, err := s.ListStaff(context.Background(), f)
	must(t, "ListStaff", err)
	got := make([]int64, len(list))
	for i, st := range list {
		got[i] = st.ID
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("ListStaff(%+v) = %v, want %v", f, got, ids)
	}
}

func testStaff(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	baseA, baseB := twoBases(t, s)

	for _, bad := range []struct {
		what string
		in   recruit.Staff
		want string
	}{
		{"unknown role", recruit.Staff{Role: "boss", BaseID: baseA}, recruit.EINVALID},
		{"reviewer without base", recruit.Staff{Role: recruit.RoleReviewer}, recruit.EINVALID},
		{"province with base", recruit.Staff{Role: recruit.RoleProvince, BaseID: baseA}, recruit.EINVALID},
		{"long name", recruit.Staff{Role: recruit.RoleReviewer, BaseID: baseA, Name: strings.Repeat("张", 21)}, recruit.EINVALID},
		{"missing base", recruit.Staff{Role: recruit.RoleBaseAdmin, BaseID: baseA + baseB + 100}, recruit.ENOTFOUND},
	} {
		_, err := s.CreateStaff(ctx, bad.in)
		wantCode(t, "CreateStaff, "+bad.what, err, bad.want)
	}
	_, err := s.CreateStaff(ctx, recruit.Staff{Role: recruit.RoleReviewer, BaseID: baseA + baseB + 100})
	wantErr(t, "CreateStaff at a missing base", err, recruit.BaseNotFound(baseA+baseB+100))

	rev, err := s.CreateStaff(ctx, recruit.Staff{Name: " 李审核 ", Role: recruit.RoleReviewer, BaseID: baseA, MPOpenID: "mp-li", CreatedAt: t0})
	must(t, "CreateStaff", err)
	want := recruit.Staff{ID: rev.ID, Name: "李审核", Role: recruit.RoleReviewer, BaseID: baseA, MPOpenID: "mp-li", CreatedAt: t0}
	wantStaff(t, "CreateStaff", rev, want)
	prov, err := s.CreateStaff(ctx, recruit.Staff{Role: recruit.RoleProvince, OAOpenID: "oa-wang", CreatedAt: t0})
	must(t, "CreateStaff province", err)
	adm, err := s.CreateStaff(ctx, recruit.Staff{Role: recruit.RoleBaseAdmin, BaseID: baseB, CreatedAt: t0})
	must(t, "CreateStaff unbound base admin", err)
	if rev.ID <= 0 || prov.ID == rev.ID || adm.ID == rev.ID || adm.ID == prov.ID {
		t.Fatalf("ids %d, %d, %d", rev.ID, prov.ID, adm.ID)
	}

	got, err := s.GetStaff(ctx, rev.ID)
	must(t, "GetStaff", err)
	wantStaff(t, "GetStaff", got, want)
	got, err = s.StaffByMPOpenID(ctx, "mp-li")
	must(t, "StaffByMPOpenID", err)
	wantStaff(t, "StaffByMPOpenID", got, want)
	got, err = s.StaffByOAOpenID(ctx, "oa-wang")
	must(t, "StaffByOAOpenID", err)
	wantStaff(t, "StaffByOAOpenID", got, recruit.Staff{ID: prov.ID, Role: recruit.RoleProvince, OAOpenID: "oa-wang", CreatedAt: t0})
	_, err = s.GetStaff(ctx, rev.ID+prov.ID+adm.ID)
	wantErr(t, "GetStaff of a missing id", err, recruit.ErrStaffNotFound)
	for _, lookup := range []func(context.Context, string) (recruit.Staff, error){s.StaffByMPOpenID, s.StaffByOAOpenID} {
		for _, openID := range []string{"oa-nobody", ""} {
			_, err = lookup(ctx, openID)
			wantErr(t, fmt.Sprintf("lookup of openid %q", openID), err, recruit.ErrStaffNotFound)
		}
	}
	_, err = s.StaffByOAOpenID(ctx, "mp-li")
	wantErr(t, "a mini-program openid on the other channel", err, recruit.ErrStaffNotFound)

	_, err = s.CreateStaff(ctx, recruit.Staff{Role: recruit.RoleReviewer, BaseID: baseB, MPOpenID: "mp-li", CreatedAt: t0})
	wantErr(t, "CreateStaff with a bound openid", err, recruit.ErrStaffOpenIDBound)

	wantStaffIDs(t, s, recruit.StaffFilter{}, rev.ID, prov.ID, adm.ID)
	wantStaffIDs(t, s, recruit.StaffFilter{BaseID: baseA}, rev.ID)
	wantStaffIDs(t, s, recruit.StaffFilter{BaseID: baseB}, adm.ID)

	off, err := s.SetStaffDisabled(ctx, rev.ID, true)
	must(t, "SetStaffDisabled", err)
	want.Disabled = true
	wantStaff(t, "SetStaffDisabled", off, want)
	got, err = s.StaffByMPOpenID(ctx, "mp-li")
	must(t, "StaffByMPOpenID of a disabled account", err)
	wantStaff(t, "disabled account", got, want)
	on, err := s.SetStaffDisabled(ctx, rev.ID, false)
	must(t, "SetStaffDisabled(false)", err)
	want.Disabled = false
	wantStaff(t, "re-enabled", on, want)
	_, err = s.SetStaffDisabled(ctx, rev.ID+prov.ID+adm.ID, true)
	wantErr(t, "SetStaffDisabled of a missing id", err, recruit.ErrStaffNotFound)

	bound, changed, err := s.BindStaffChannel(ctx, adm.ID, recruit.ChannelMP, "mp-zhao")
	must(t, "BindStaffChannel", err)
	wantStaff(t, "BindStaffChannel", bound, recruit.Staff{ID: adm.ID, Role: recruit.RoleBaseAdmin, BaseID: baseB, MPOpenID: "mp-zhao", CreatedAt: t0})
	if !changed {
		t.Error("BindStaffChannel of an unbound channel reports no change")
	}
	again, changed, err := s.BindStaffChannel(ctx, adm.ID, recruit.ChannelMP, "mp-zhao")
	must(t, "BindStaffChannel again", err)
	wantStaff(t, "BindStaffChannel again", again, bound)
	if changed {
		t.Error("BindStaffChannel of the openid bound already reports a change")
	}
	both, changed, err := s.BindStaffChannel(ctx, adm.ID, recruit.ChannelOA, "oa-zhao")
	must(t, "BindStaffChannel, second channel", err)
	if both.MPOpenID != "mp-zhao" || both.OAOpenID != "oa-zhao" || !changed {
		t.Errorf("two channels: %+v, changed %v", both, changed)
	}
	_, _, err = s.BindStaffChannel(ctx, adm.ID, recruit.ChannelMP, "mp-other")
	wantErr(t, "BindStaffChannel over another openid", err, recruit.ErrStaffChannelTaken)
	_, _, err = s.BindStaffChannel(ctx, prov.ID, recruit.ChannelMP, "mp-li")
	wantErr(t, "BindStaffChannel of another account's openid", err, recruit.ErrStaffOpenIDBound)
	_, _, err = s.BindStaffChannel(ctx, rev.ID+prov.ID+adm.ID, recruit.ChannelMP, "mp-new")
	wantErr(t, "BindStaffChannel of a missing id", err, recruit.ErrStaffNotFound)
	_, _, err = s.BindStaffChannel(ctx, prov.ID, recruit.ChannelMP, "")
	wantCode(t, "BindStaffChannel without openid", err, recruit.EINVALID)
	got, err = s.GetStaff(ctx, prov.ID)
	must(t, "GetStaff", err)
	if got.MPOpenID != "" {
		t.Errorf("refused bindings changed the account: %+v", got)
	}
}

// invitation is a valid invitation of code.
func invitation(code string, role recruit.Role, base int64) recruit.Invitation {
	return recruit.Invitation{CodeHash: recruit.HashSecret(code), Role: role, BaseID: base, Expires: t0.Add(time.Hour), CreatedAt: t0}
}

func testInvitations(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	baseA, _ := twoBases(t, s)
	missing := baseA + 1000

	long := invitation("LONG", recruit.RoleReviewer, baseA)
	long.Expires = t0.Add(recruit.MaxInviteTTL + time.Minute)
	short := invitation("SHORT", recruit.RoleReviewer, baseA)
	short.Expires = t0.Add(time.Second)
	for _, bad := range []struct {
		what string
		inv  recruit.Invitation
	}{
		{"unknown role", invitation("ROLE", "boss", baseA)},
		{"reviewer without base", invitation("NOBASE", recruit.RoleReviewer, 0)},
		{"province with base", invitation("PROVBASE", recruit.RoleProvince, baseA)},
		{"too long", long},
		{"too short", short},
	} {
		wantCode(t, "CreateInvitation, "+bad.what, s.CreateInvitation(ctx, bad.inv), recruit.EINVALID)
	}
	wantErr(t, "CreateInvitation at a missing base", s.CreateInvitation(ctx, invitation("MISSING", recruit.RoleBaseAdmin, missing)),
		recruit.BaseNotFound(missing))

	rev := invitation("REVIEWER", recruit.RoleReviewer, baseA)
	rev.Name = " 张老师 "
	must(t, "CreateInvitation", s.CreateInvitation(ctx, rev))
	wantErr(t, "CreateInvitation of a stored hash", s.CreateInvitation(ctx, invitation("REVIEWER", recruit.RoleProvince, 0)), recruit.ErrInviteExists)
	must(t, "CreateInvitation province", s.CreateInvitation(ctx, invitation("PROVINCE", recruit.RoleProvince, 0)))
	wantStaffIDs(t, s, recruit.StaffFilter{}) // invitations are no accounts

	now := t0.Add(time.Minute)
	_, err := s.RedeemInvitation(ctx, recruit.HashSecret("NOSUCH"), recruit.ChannelMP, "mp-a", now)
	wantErr(t, "RedeemInvitation of an unknown code", err, recruit.ErrInviteUnknown)
	_, err = s.RedeemInvitation(ctx, rev.CodeHash, recruit.ChannelMP, "", now)
	wantCode(t, "RedeemInvitation without openid", err, recruit.EINVALID)

	st, err := s.RedeemInvitation(ctx, rev.CodeHash, recruit.ChannelMP, "mp-a", now)
	must(t, "RedeemInvitation", err)
	wantStaff(t, "RedeemInvitation", st, recruit.Staff{ID: st.ID, Name: "张老师", Role: recruit.RoleReviewer, BaseID: baseA, MPOpenID: "mp-a", CreatedAt: now})
	got, err := s.StaffByMPOpenID(ctx, "mp-a")
	must(t, "StaffByMPOpenID", err)
	wantStaff(t, "the redeemed account", got, st)
	wantStaffIDs(t, s, recruit.StaffFilter{}, st.ID)

	_, err = s.RedeemInvitation(ctx, rev.CodeHash, recruit.ChannelMP, "mp-b", now)
	wantErr(t, "RedeemInvitation of a used code", err, recruit.ErrInviteUsed)
	_, err = s.RedeemInvitation(ctx, rev.CodeHash, recruit.ChannelMP, "mp-b", t0.Add(2*time.Hour))
	wantErr(t, "RedeemInvitation of a used code after its expiry", err, recruit.ErrInviteUnknown)

	// A bound account does not use the invitation up.
	prov := invitation("PROVINCE", recruit.RoleProvince, 0).CodeHash
	_, err = s.RedeemInvitation(ctx, prov, recruit.ChannelMP, "mp-a", now)
	wantErr(t, "RedeemInvitation by a bound account", err, recruit.ErrStaffOpenIDBound)
	p, err := s.RedeemInvitation(ctx, prov, recruit.ChannelOA, "oa-a", now)
	must(t, "RedeemInvitation on the official account", err)
	wantStaff(t, "province admin", p, recruit.Staff{ID: p.ID, Role: recruit.RoleProvince, OAOpenID: "oa-a", CreatedAt: now})
	wantStaffIDs(t, s, recruit.StaffFilter{}, st.ID, p.ID)
	wantStaffIDs(t, s, recruit.StaffFilter{BaseID: baseA}, st.ID)

	// An invitation expires; creating another one later leaves it expired.
	must(t, "CreateInvitation", s.CreateInvitation(ctx, invitation("EXPIRES", recruit.RoleBaseAdmin, baseA)))
	later := invitation("LATER", recruit.RoleBaseAdmin, baseA)
	later.CreatedAt, later.Expires = t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	must(t, "CreateInvitation later", s.CreateInvitation(ctx, later))
	_, err = s.RedeemInvitation(ctx, invitation("EXPIRES", "", 0).CodeHash, recruit.ChannelMP, "mp-c", t0.Add(time.Hour))
	wantErr(t, "RedeemInvitation at its expiry", err, recruit.ErrInviteUnknown)
	_, err = s.RedeemInvitation(ctx, later.CodeHash, recruit.ChannelMP, "mp-c", t0.Add(150*time.Minute))
	must(t, "RedeemInvitation of the later invitation", err)

	// After expiry, an unredeemed code may come again, a redeemed one not.
	for code, want := range map[string]error{"EXPIRES": nil, "REVIEWER": recruit.ErrInviteExists} {
		inv := invitation(code, recruit.RoleReviewer, baseA)
		inv.CreatedAt, inv.Expires = t0.Add(4*time.Hour), t0.Add(5*time.Hour)
		err := s.CreateInvitation(ctx, inv)
		if want == nil {
			must(t, "CreateInvitation of an expired unredeemed code", err)
		} else {
			wantErr(t, "CreateInvitation of an expired redeemed code", err, want)
		}
	}
}

// testConcurrentRedeem races many accounts for one invitation, and one
// account for many invitations.
func testConcurrentRedeem(t *testing.T, s recruit.Store) {
	const n = 10
	ctx := context.Background()
	baseA, _ := twoBases(t, s)
	// atOnce runs f(0), …, f(n-1) at once and waits for them.
	atOnce := func(f func(i int)) {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				f(i)
			})
		}
		close(start)
		wg.Wait()
	}
	// race runs n redeemers at once: one must win, every other one must
	// get the refusal lost.
	race := func(lost error, redeem func(i int) error) {
		t.Helper()
		errs := make([]error, n)
		atOnce(func(i int) { errs[i] = redeem(i) })
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
			} else if !errors.Is(err, lost) {
				t.Errorf("redeemer %d: %v, want success or %v", i, err, lost)
			}
		}
		if won != 1 {
			t.Errorf("%d redeemers won, want 1", won)
		}
	}

	one := invitation("ONE", recruit.RoleReviewer, baseA)
	must(t, "CreateInvitation", s.CreateInvitation(ctx, one))
	race(recruit.ErrInviteUsed, func(i int) error {
		_, err := s.RedeemInvitation(ctx, one.CodeHash, recruit.ChannelMP, fmt.Sprintf("mp-%d", i), t0)
		return err
	})
	codes := make([]string, n)
	for i := range codes {
		codes[i] = recruit.HashSecret(fmt.Sprintf("MANY%d", i))
		must(t, "CreateInvitation", s.CreateInvitation(ctx, recruit.Invitation{CodeHash: codes[i], Role: recruit.RoleReviewer,
			BaseID: baseA, Expires: t0.Add(time.Hour), CreatedAt: t0}))
	}
	race(recruit.ErrStaffOpenIDBound, func(i int) error {
		_, err := s.RedeemInvitation(ctx, codes[i], recruit.ChannelMP, "mp-greedy", t0)
		return err
	})
	list, err := s.ListStaff(ctx, recruit.StaffFilter{})
	must(t, "ListStaff", err)
	if len(list) != 2 {
		t.Fatalf("%d accounts after the races, want 2: %+v", len(list), list)
	}

	// Concurrent binds of one openid to one account (a double submit):
	// each gets the account, exactly one reports the change.
	acct := list[0]
	changes := make([]bool, n)
	atOnce(func(i int) {
		st, changed, err := s.BindStaffChannel(ctx, acct.ID, recruit.ChannelOA, "oa-twice")
		if err != nil || st.ID != acct.ID || st.OAOpenID != "oa-twice" {
			t.Errorf("bind %d: %+v, %v", i, st, err)
		}
		changes[i] = changed
	})
	if got := len(slices.DeleteFunc(changes, func(c bool) bool { return !c })); got != 1 {
		t.Errorf("%d of %d binds of one openid report a change, want 1", got, n)
	}
}

// testScanKV lists key-value records by prefix.
func testScanKV(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	must(t, "SetKV", s.SetKV(ctx, "legacy:b", "2", time.Hour, t0))
	must(t, "SetKV", s.SetKV(ctx, "legacy:a", "1", 0, t0))
	must(t, "SetKV", s.SetKV(ctx, "legacy:gone", "x", time.Minute, t0))
	must(t, "SetKV", s.SetKV(ctx, "legacy.x", "other prefix", 0, t0))
	must(t, "SetKV", s.SetKV(ctx, "other:legacy:c", "inside", 0, t0))
	_, err := s.IncrKV(ctx, "legacy:n", time.Hour, t0)
	must(t, "IncrKV", err)
	var got []string
	must(t, "ScanKV", s.ScanKV(ctx, "legacy:", t0.Add(time.Minute), func(key, value string, expires time.Time) error {
		got = append(got, fmt.Sprintf("%s=%s@%d", key, value, expires.Unix()))
		return nil
	}))
	want := fmt.Sprint([]string{
		"legacy:a=1@" + fmt.Sprint(time.Time{}.Unix()),
		"legacy:b=2@" + fmt.Sprint(t0.Add(time.Hour).Unix()),
		"legacy:n=1@" + fmt.Sprint(t0.Add(time.Hour).Unix()),
	})
	if fmt.Sprint(got) != want {
		t.Errorf("ScanKV = %v, want %v", got, want)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.ScanKV(ctx, "legacy:", t0, func(string, string, time.Time) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("ScanKV with a failing fn: %v after %d calls", err, calls)
	}
}
