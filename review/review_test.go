package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testclock"
	"zhupei/internal/testyear"
	"zhupei/recruit"
	"zhupei/review"
)

type fixture struct {
	*testyear.Fixture
	clock *testclock.Clock
	svc   *review.Service
}

// newFixture starts in round1 of the default calendar.
func newFixture(t *testing.T) *fixture {
	f := &fixture{Fixture: testyear.New(t, recruit.DefaultCalendar(testyear.Year)), clock: testclock.New(testyear.Day(time.July, 12, 9))}
	f.svc = review.New(review.Deps{Store: f.Store, Now: f.clock.Now})
	return f
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := recruit.ErrorCode(err); got != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

func TestReview(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-7")
	f := newFixture(t)
	a := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))
	b := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))
	reviewerA := f.Staff(t, recruit.RoleReviewer, f.BaseA)
	reviewerB := f.Staff(t, recruit.RoleReviewer, f.BaseB)
	prov := f.Staff(t, recruit.RoleProvince, 0)
	disabled := reviewerA
	disabled.Disabled = true

	_, err := f.svc.Review(ctx, reviewerB, a.ID, review.DecisionApprove, "")
	wantCode(t, "another base's reviewer", err, recruit.ENOTFOUND)
	_, missing := f.svc.Review(ctx, reviewerB, a.ID+100, review.DecisionApprove, "")
	if recruit.ErrorMessage(err) != recruit.ErrorMessage(missing) {
		t.Errorf("another base's application answers %q, a missing one %q", recruit.ErrorMessage(err), recruit.ErrorMessage(missing))
	}
	_, err = f.svc.Review(ctx, disabled, a.ID, review.DecisionApprove, "")
	wantCode(t, "a disabled reviewer", err, recruit.EFORBIDDEN)
	_, err = f.svc.Review(ctx, reviewerA, a.ID, review.DecisionReject, "  ")
	wantCode(t, "a rejection without remark", err, recruit.EINVALID)
	_, err = f.svc.Review(ctx, reviewerA, a.ID, review.DecisionReject, strings.Repeat("长", review.MaxRemark+1))
	wantCode(t, "a remark too long", err, recruit.EINVALID)
	_, err = f.svc.Review(ctx, reviewerA, a.ID, "maybe", "")
	wantCode(t, "an unknown decision", err, recruit.EINVALID)
	if got := f.App(t, a.ID); got.State != recruit.StatePending || len(f.Notices(t, a.IdentityID)) != 0 {
		t.Fatalf("refused reviews changed %+v", got)
	}

	remark := strings.Repeat("毕业证书扫描件不清晰，", 6) // 60 characters
	got, err := f.svc.Review(ctx, reviewerA, a.ID, review.DecisionReject, remark)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recruit.StateRejected || got.ReviewRemark != remark {
		t.Errorf("reviewed %+v", got)
	}
	ns, err := f.Store.ListNotifications(ctx, a.IdentityID)
	if err != nil || len(ns) != 1 || ns[0].Kind != recruit.KindReviewFailed {
		t.Fatalf("notifications %+v, %v", ns, err)
	}
	if !strings.Contains(ns[0].Body, remark) || ns[0].Values["base"] != "甲医院" {
		t.Errorf("notification %+v, want the full remark and the base", ns[0])
	}
	_, err = f.svc.Review(ctx, reviewerA, a.ID, review.DecisionApprove, "")
	wantCode(t, "reviewing a rejected application again", err, recruit.EFORBIDDEN)

	if _, err := f.svc.Review(ctx, prov, b.ID, review.DecisionApprove, "材料齐全"); err != nil {
		t.Errorf("the province reviewing: %v", err)
	}

	entries, err := f.Store.ListAudit(ctx, recruit.AuditFilter{Action: review.ActionReview})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit %+v, %v; want two entries", entries, err)
	}
	e := entries[1]
	if e.StaffID != reviewerA.ID || e.Role != recruit.RoleReviewer || e.BaseID != f.BaseA || e.Target != fmt.Sprintf("application:%d", a.ID) ||
		e.Before != `"pending"` || e.After != `"rejected"` || e.Remark != remark || e.RequestID != "req-7" {
		t.Errorf("audit entry %+v", e)
	}

	// Outside the review phases nothing is reviewed.
	c := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))
	f.clock.Set(testyear.Day(time.August, 20, 9))
	_, err = f.svc.Review(ctx, reviewerA, c.ID, review.DecisionApprove, "")
	wantCode(t, "a review in confirmation", err, recruit.EFORBIDDEN)
}

func TestSetBaseDates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	adminB := f.Staff(t, recruit.RoleBaseAdmin, f.BaseB)
	reviewerA := f.Staff(t, recruit.RoleReviewer, f.BaseA)
	prov := f.Staff(t, recruit.RoleProvince, 0)
	dates := recruit.BaseDates{BaseID: f.BaseA, Round: recruit.PhaseRound1, ReviewDeadline: testyear.Day(time.July, 20, 18), Interview: testyear.Day(time.July, 25, 9)}

	_, err := f.svc.SetBaseDates(ctx, adminB, dates)
	wantCode(t, "another base's admin", err, recruit.ENOTFOUND)
	_, err = f.svc.SetBaseDates(ctx, reviewerA, dates)
	wantCode(t, "a reviewer", err, recruit.EFORBIDDEN)
	outside := dates
	outside.Interview = testyear.Day(time.August, 2, 9)
	_, err = f.svc.SetBaseDates(ctx, adminA, outside)
	wantCode(t, "an interview after the round", err, recruit.EINVALID)
	if _, err := f.Store.GetBaseDates(ctx, testyear.Year, f.BaseA, recruit.PhaseRound1); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("refused dates stored: %v", err)
	}

	got, err := f.svc.SetBaseDates(ctx, adminA, dates)
	if err != nil {
		t.Fatal(err)
	}
	if got.Year != testyear.Year || !got.Interview.Equal(dates.Interview) {
		t.Errorf("stored %+v", got)
	}
	dates.WrittenExam = testyear.Day(time.July, 22, 9)
	if _, err := f.svc.SetBaseDates(ctx, prov, dates); err != nil {
		t.Errorf("the province setting a base's dates: %v", err)
	}
	stored, err := f.Store.GetBaseDates(ctx, testyear.Year, f.BaseA, recruit.PhaseRound1)
	if err != nil || !stored.WrittenExam.Equal(dates.WrittenExam) {
		t.Errorf("stored %+v, %v", stored, err)
	}
	entries, err := f.Store.ListAudit(ctx, recruit.AuditFilter{BaseID: f.BaseA, Action: review.ActionSetBaseDates})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit %+v, %v", entries, err)
	}
	if entries[1].Before != "null" || entries[0].StaffID != prov.ID || !strings.Contains(entries[0].Before, `"interview":"2025-07-25T09:00:00+08:00"`) ||
		!strings.Contains(entries[0].After, `"written_exam":"2025-07-22T09:00:00+08:00"`) {
		t.Errorf("audit entries %+v", entries)
	}

	f.clock.Set(testyear.Day(time.August, 20, 9))
	_, err = f.svc.SetBaseDates(ctx, adminA, dates)
	wantCode(t, "dates in confirmation", err, recruit.EFORBIDDEN)
}
