package province

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/recruit"
)

// A console account's link code binds the mini-program to the same
// account, once, within its lifetime and on the other channel only; both
// steps are audited. Of concurrent redeemers exactly one binds.
func TestLinkCodeBindsTheOtherChannel(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	acct := reviewerOn(t, db, base, recruit.ChannelOA, "oa-wang")
	if _, err := svcAt(db, testNow).CreateLinkCode(ctx, acct, recruit.ChannelOA); !errors.Is(err, errLinked) {
		t.Errorf("a code for the channel in use: %v", err)
	}
	link, err := svcAt(db, testNow).CreateLinkCode(ctx, acct, recruit.ChannelMP)
	if err != nil {
		t.Fatal(err)
	}
	if len(link.Code) != recruit.InviteLen || link.Channel != recruit.ChannelMP || !link.Expires.Equal(testNow.Add(LinkCodeTTL)) {
		t.Fatalf("link code %+v", link)
	}
	if _, err := svcAt(db, testNow).Redeem(ctx, link.Code, recruit.ChannelOA, "oa-other"); !errors.Is(err, errLinkChannel) {
		t.Errorf("the code on the console: %v", err)
	}

	got, errs := redeemAtOnce(db, testNow.Add(time.Minute), strings.ToLower(link.Code), recruit.ChannelMP, 8, "mp-")
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if got[i].ID != acct.ID || got[i].OAOpenID != "oa-wang" || got[i].MPOpenID != "mp-"+string(rune('a'+i)) {
				t.Errorf("the linked account %+v, want account %d with both openids", got[i], acct.ID)
			}
		case !errors.Is(err, recruit.ErrStaffChannelTaken) && !errors.Is(err, recruit.ErrInviteUnknown):
			t.Errorf("redeemer %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d redeemers linked, want 1", won)
	}
	if _, err := svcAt(db, testNow.Add(2*time.Minute)).Redeem(ctx, link.Code, recruit.ChannelMP, "mp-late"); !errors.Is(err, recruit.ErrInviteUnknown) {
		t.Errorf("the used code again: %v", err)
	}
	for _, action := range []string{ActionCreateLinkCode, ActionLinkChannel} {
		es, err := db.ListAudit(ctx, recruit.AuditFilter{Action: action})
		if err != nil || len(es) != 1 || es[0].StaffID != acct.ID {
			t.Errorf("audit of %s: %+v, %v", action, es, err)
		}
	}

	// An expired code is an unknown one; a disabled account makes none.
	mp := reviewerOn(t, db, base, recruit.ChannelMP, "mp-li")
	late, err := svcAt(db, testNow).CreateLinkCode(ctx, mp, recruit.ChannelOA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svcAt(db, testNow.Add(LinkCodeTTL+time.Second)).Redeem(ctx, late.Code, recruit.ChannelOA, "oa-li"); !errors.Is(err, recruit.ErrInviteUnknown) {
		t.Errorf("an expired code: %v", err)
	}
	mp.Disabled = true
	if _, err := svcAt(db, testNow).CreateLinkCode(ctx, mp, recruit.ChannelOA); !errors.Is(err, recruit.ErrStaffDisabled) {
		t.Errorf("a disabled account's code: %v", err)
	}
}

// A link code submitted twice from one phone (a double tap) links the
// account for both submits and is audited once, whether the submits
// overlap (both read the code before either uses it up) or come one after
// the other; another openid then gets nothing.
func TestLinkCodeDoubleSubmit(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	acct := reviewerOn(t, db, base, recruit.ChannelOA, "oa-zhou")
	link, err := svcAt(db, testNow).CreateLinkCode(ctx, acct, recruit.ChannelMP)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2
	store := overlapping(db, n)
	got := make([]recruit.Staff, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = svcAt(store, testNow.Add(time.Minute)).Redeem(ctx, link.Code, recruit.ChannelMP, "mp-zhou")
		})
	}
	wg.Wait()
	got[n], errs[n] = svcAt(db, testNow.Add(2*time.Minute)).Redeem(ctx, link.Code, recruit.ChannelMP, "mp-zhou")
	for i, err := range errs {
		if err != nil || got[i].ID != acct.ID || got[i].MPOpenID != "mp-zhou" {
			t.Errorf("submit %d: %+v, %v", i, got[i], err)
		}
	}
	if _, err := svcAt(db, testNow.Add(2*time.Minute)).Redeem(ctx, link.Code, recruit.ChannelMP, "mp-other"); !errors.Is(err, recruit.ErrInviteUnknown) {
		t.Errorf("the used code from another openid: %v", err)
	}
	es, err := db.ListAudit(ctx, recruit.AuditFilter{Action: ActionLinkChannel})
	if err != nil || len(es) != 1 || es[0].StaffID != acct.ID {
		t.Errorf("audit of %d linking submits: %+v, %v", n+1, es, err)
	}
}

// overlapped is a store on which the first n reads of a link code all
// come before it is used up (written again as used).
type overlapped struct {
	Store
	reads   atomic.Int32
	allRead chan struct{} // closed at the nth read
	n       int32
}

func overlapping(db Store, n int32) *overlapped {
	return &overlapped{Store: db, allRead: make(chan struct{}), n: n}
}

func (o *overlapped) GetKV(ctx context.Context, key string, now time.Time) (string, error) {
	v, err := o.Store.GetKV(ctx, key, now)
	if strings.HasPrefix(key, linkKey) && o.reads.Add(1) == o.n {
		close(o.allRead)
	}
	return v, err
}

// overlapWait bounds the wait for the other submits' reads, so that a
// change in which a submit never reads the code fails instead of hanging.
const overlapWait = 10 * time.Second

func (o *overlapped) SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error {
	if strings.HasPrefix(key, linkKey) {
		select {
		case <-o.allRead:
		case <-time.After(overlapWait):
			return errors.New("the submits did not overlap")
		}
	}
	return o.Store.SetKV(ctx, key, value, ttl, now)
}

// reviewerOn is a new reviewer of base, invited and redeemed on channel ch
// as openID.
func reviewerOn(t *testing.T, db recruit.Store, base recruit.Base, ch recruit.Channel, openID string) recruit.Staff {
	t.Helper()
	ctx := context.Background()
	inv, err := svcAt(db, testNow).CreateInvite(ctx, InviteRequest{Role: recruit.RoleReviewer, BaseID: base.ID, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := svcAt(db, testNow).Redeem(ctx, inv.Code, ch, openID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// An account makes at most LinkCodeLimit link codes an hour: the next is
// refused with a clear message and makes neither a code nor an audit
// entry; the codes made still work, another account is not limited, and
// after the hour the account may make codes again.
func TestLinkCodeLimit(t *testing.T) {
	db, base := openStore(t)
	ctx := context.Background()
	// fill makes acct's LinkCodeLimit codes from at, a minute apart, and
	// returns the first.
	fill := func(acct recruit.Staff, at time.Time) LinkCode {
		t.Helper()
		var first LinkCode
		for i := range LinkCodeLimit {
			link, err := svcAt(db, at.Add(time.Duration(i)*time.Minute)).CreateLinkCode(ctx, acct, recruit.ChannelMP)
			if err != nil {
				t.Fatalf("code %d: %v", i+1, err)
			}
			if i == 0 {
				first = link
			}
		}
		return first
	}
	refused := func(acct recruit.Staff, at time.Time) {
		t.Helper()
		_, err := svcAt(db, at).CreateLinkCode(ctx, acct, recruit.ChannelMP)
		if recruit.ErrorCode(err) != recruit.ETOOMANY || !strings.Contains(recruit.ErrorMessage(err), "过于频繁") {
			t.Fatalf("code %d within the hour: %v, want ETOOMANY", LinkCodeLimit+1, err)
		}
	}
	li, zhao := reviewerOn(t, db, base, recruit.ChannelOA, "oa-li"), reviewerOn(t, db, base, recruit.ChannelOA, "oa-zhao")
	first := fill(li, testNow)
	refused(li, testNow.Add(6*time.Minute))
	if es, err := db.ListAudit(ctx, recruit.AuditFilter{Action: ActionCreateLinkCode}); err != nil || len(es) != LinkCodeLimit {
		t.Errorf("audit of the codes: %d entries, want %d (%v)", len(es), LinkCodeLimit, err)
	}
	st, err := svcAt(db, testNow.Add(7*time.Minute)).Redeem(ctx, first.Code, recruit.ChannelMP, "mp-li")
	if err != nil || st.ID != li.ID || st.MPOpenID != "mp-li" {
		t.Errorf("the first code within its life: %+v, %v", st, err)
	}
	fill(zhao, testNow.Add(8*time.Minute))
	refused(zhao, testNow.Add(13*time.Minute))
	if _, err := svcAt(db, testNow.Add(69*time.Minute)).CreateLinkCode(ctx, zhao, recruit.ChannelMP); err != nil {
		t.Errorf("a code after the hour: %v", err)
	}
}
