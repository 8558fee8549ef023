package province_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
)

// offered submits, approves and offers an application of program until
// deadline.
func (f *fixture) offered(t *testing.T, program int64, deadline time.Time) recruit.Application {
	t.Helper()
	app := f.Apply(t, program, false, testyear.Day(time.July, 5, 9))
	f.review(t, app, recruit.StateApproved)
	out, err := f.Store.MakeOffer(context.Background(), app.ID, deadline, f.clock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Two instances' expiry jobs at once expire each lapsed offer once: the
// seats go back once, the applicant and the base's enabled staff are told
// once; an offer not yet due stays open.
func TestExpireOffersConcurrently(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	due := testyear.Day(time.July, 15, 9)
	a := f.offered(t, f.ProgA, due)
	b := f.offered(t, f.ProgB, due.Add(-time.Minute))
	later := f.offered(t, f.ProgA, due.Add(time.Minute))

	var runs [2][]recruit.Application
	var errs [2]error
	done := make(chan int)
	for i := range runs {
		go func() {
			runs[i], errs[i] = f.svc.ExpireOffers(ctx, due)
			done <- i
		}()
	}
	<-done
	<-done
	if errs[0] != nil || errs[1] != nil || len(runs[0])+len(runs[1]) != 2 {
		t.Fatalf("runs expired %d and %d (%v, %v), want 2 in all", len(runs[0]), len(runs[1]), errs[0], errs[1])
	}
	for _, app := range []recruit.Application{a, b} {
		if got := f.App(t, app.ID); got.State != recruit.StateApproved || got.OfferState != recruit.OfferExpired {
			t.Errorf("lapsed offer %d: %s %q", app.ID, got.State, got.OfferState)
		}
		ns, err := f.Store.ListNotifications(ctx, app.IdentityID)
		if err != nil || len(ns) != 1 || ns[0].Kind != recruit.KindOfferVoid || !strings.Contains(ns[0].Body, "已过期") {
			t.Errorf("applicant notices %+v, %v", ns, err)
		}
	}
	if got := f.App(t, later.ID); got.OfferState != recruit.OfferOpen {
		t.Errorf("the offer not yet due: %q", got.OfferState)
	}
	// 甲医院 has two enabled staff members, 乙医院 one (and one disabled).
	if n := f.staffNotices(t, recruit.KindStaffOfferEnded); n != 3 {
		t.Errorf("%d staff notices, want 3", n)
	}
	for _, p := range []int64{f.ProgA, f.ProgB} {
		prog, err := f.Store.GetProgram(ctx, p)
		want := 0
		if p == f.ProgA {
			want = 1
		}
		if err != nil || prog.Admitted != want {
			t.Errorf("program %d admitted %d (%v), want %d", p, prog.Admitted, err, want)
		}
	}
	if again, err := f.svc.ExpireOffers(ctx, due); err != nil || len(again) != 0 {
		t.Errorf("a third run: %d, %v", len(again), err)
	}
}

// The province voids an accepted offer with a reason: the seat goes back,
// the applicant and the base are told with the reason, the audit log has
// it. Others may not; an open offer is not voided.
func TestVoidOffer(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-void")
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	prov := f.Staff(t, recruit.RoleProvince, 0)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	app := f.offered(t, f.ProgA, testyear.Day(time.July, 15, 9))

	_, err := f.svc.VoidOffer(ctx, prov, app.ID, "材料存疑")
	if recruit.ErrorCode(err) != recruit.EFORBIDDEN || !strings.Contains(recruit.ErrorMessage(err), "仅能作废申请人已确认接受的拟录取") {
		t.Errorf("voiding an open offer: %v", err)
	}
	if _, err := f.Store.MoveOffer(ctx, app.ID, recruit.OfferAccepted, "", f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	disabled := prov
	disabled.Disabled = true
	for _, c := range []struct {
		name   string
		by     recruit.Staff
		id     int64
		reason string
		code   string
	}{
		{"a base admin", admin, app.ID, "原因", recruit.EFORBIDDEN},
		{"a disabled province admin", disabled, app.ID, "原因", recruit.EFORBIDDEN},
		{"no reason", prov, app.ID, "  ", recruit.EINVALID},
		{"a long reason", prov, app.ID, strings.Repeat("长", 201), recruit.EINVALID},
		{"a missing application", prov, app.ID + 100, "原因", recruit.ENOTFOUND},
	} {
		if _, err := f.svc.VoidOffer(ctx, c.by, c.id, c.reason); recruit.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := f.App(t, app.ID); got.OfferState != recruit.OfferAccepted {
		t.Fatalf("refused voids changed the offer: %q", got.OfferState)
	}

	got, err := f.svc.VoidOffer(ctx, prov, app.ID, " 材料造假 ")
	if err != nil || got.State != recruit.StateApproved || got.OfferState != recruit.OfferVoided || got.OfferReason != "材料造假" {
		t.Fatalf("VoidOffer = %+v, %v", got, err)
	}
	if p, err := f.Store.GetProgram(ctx, f.ProgA); err != nil || p.Admitted != 0 {
		t.Errorf("seat not given back: %+v, %v", p, err)
	}
	ns, err := f.Store.ListNotifications(ctx, app.IdentityID)
	if err != nil || len(ns) != 1 || !strings.Contains(ns[0].Body, "材料造假") {
		t.Errorf("applicant notices %+v, %v", ns, err)
	}
	if n := f.staffNotices(t, recruit.KindStaffOfferEnded); n != 3 { // two staff of 甲医院 + the admin created here
		t.Errorf("%d staff notices, want 3", n)
	}
	es, err := f.Store.ListAudit(ctx, recruit.AuditFilter{Action: "void_offer"})
	if err != nil || len(es) != 1 || es[0].StaffID != prov.ID || es[0].BaseID != f.BaseA || es[0].Remark != "材料造假" ||
		es[0].RequestID != "req-void" || !strings.Contains(es[0].After, `"voided"`) {
		t.Errorf("audit %+v, %v", es, err)
	}
	if _, err := f.svc.VoidOffer(ctx, prov, app.ID, "再次"); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
		t.Errorf("voiding twice: %v", err)
	}
}
