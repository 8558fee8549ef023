package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
)

// With offers.require_acceptance on, a provisional admission is an offer:
// its deadline is 72 hours by default, the base's offer_hours when set,
// never past the round's end; the 拟录取 message names it; an open offer
// is not admitted, an accepted one is not undone by the base.
func TestAdmitProvisionallyMakesAnOffer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.RequireAcceptance(t)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	a := f.approved(t, "张三", f.ProgA, false)
	b := f.approved(t, "李四", f.ProgA, false)
	c := f.approved(t, "王五", f.ProgA, false)
	now := f.clock.Now()

	got, err := f.svc.AdmitProvisionally(ctx, admin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recruit.StateProvisional || got.OfferState != recruit.OfferOpen || !got.OfferDeadline.Equal(now.Add(72*time.Hour)) {
		t.Fatalf("offer %+v, want open until %v", got, now.Add(72*time.Hour))
	}
	ns, err := f.Store.ListNotifications(ctx, a.IdentityID)
	if err != nil || len(ns) == 0 || ns[0].Kind != recruit.KindProvisional || !strings.Contains(ns[0].Body, "请于2025年07月15日 09:00前确认是否接受") {
		t.Errorf("provisional notice %+v, %v", ns, err)
	}

	if _, err := f.svc.SetBaseDates(ctx, admin, recruit.BaseDates{BaseID: f.BaseA, Round: recruit.PhaseRound1, OfferHours: 24}); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.AdmitProvisionally(ctx, admin, b.ID)
	if err != nil || !got.OfferDeadline.Equal(now.Add(24*time.Hour)) {
		t.Errorf("with offer_hours 24: %+v, %v", got, err)
	}
	_, err = f.svc.SetBaseDates(ctx, admin, recruit.BaseDates{BaseID: f.BaseA, Round: recruit.PhaseRound1, OfferHours: recruit.MaxOfferHours + 1})
	wantMessage(t, "offer_hours too large", err, recruit.EINVALID, "拟录取确认期限须为")

	// Half a day before round 2: the deadline is the round's end.
	f.clock.Set(testyear.Day(time.July, 31, 12))
	got, err = f.svc.AdmitProvisionally(ctx, admin, c.ID)
	if err != nil || !got.OfferDeadline.Equal(testyear.Day(time.August, 1, 0)) {
		t.Errorf("near the round's end: %+v, %v", got, err)
	}
	if _, err := f.Store.MoveOffer(ctx, b.ID, recruit.OfferAccepted, "", testyear.Day(time.July, 12, 10), nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UndoProvisional(ctx, admin, b.ID, "")
	wantMessage(t, "undoing an accepted offer", err, recruit.EFORBIDDEN, "培训基地不能撤销")
	if _, err := f.svc.UndoProvisional(ctx, admin, c.ID, ""); err != nil {
		t.Errorf("undoing an open offer: %v", err)
	}
	if got := f.App(t, c.ID); got.State != recruit.StateApproved || got.OfferState != recruit.OfferNone {
		t.Errorf("undone offer %+v", got)
	}

	f.clock.Set(testyear.Day(time.August, 16, 9))
	_, err = f.svc.AdmitApplication(ctx, admin, a.ID)
	wantMessage(t, "admitting an open offer", err, recruit.EFORBIDDEN, "尚未确认接受")
	if got, err := f.svc.AdmitApplication(ctx, admin, b.ID); err != nil || got.State != recruit.StateAdmitted {
		t.Errorf("admitting an accepted offer: %+v, %v", got, err)
	}
}

// A provisional admission made while acceptance was off is not admitted
// once the year requires acceptance; with it off, the seed's flow stands.
func TestAdmitApplicationRequiresAcceptance(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	a := f.approved(t, "张三", f.ProgA, false)
	b := f.approved(t, "李四", f.ProgA, false)
	for _, app := range []recruit.Application{a, b} {
		got, err := f.svc.AdmitProvisionally(ctx, admin, app.ID)
		if err != nil || got.OfferState != recruit.OfferNone || !got.OfferDeadline.IsZero() {
			t.Fatalf("acceptance off: %+v, %v", got, err)
		}
	}
	f.clock.Set(testyear.Day(time.August, 16, 9))
	if _, err := f.svc.AdmitApplication(ctx, admin, a.ID); err != nil {
		t.Errorf("acceptance off: %v", err)
	}
	f.RequireAcceptance(t)
	_, err := f.svc.AdmitApplication(ctx, admin, b.ID)
	wantMessage(t, "no offer with acceptance on", err, recruit.EFORBIDDEN, "须经申请人确认接受")
}
