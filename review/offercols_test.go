package review_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhupei/internal/testyear"
	"zhupei/recruit"
	"zhupei/review"
)

// offerSeason makes, at base A, an approved application without an offer,
// an open offer, an accepted one and a declined one (in that order of
// submission), and returns them as stored.
func offerSeason(t *testing.T, f *fixture) []recruit.Application {
	t.Helper()
	ctx := context.Background()
	f.RequireAcceptance(t)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	var apps []recruit.Application
	for _, name := range []string{"甲", "乙", "丙", "丁"} {
		apps = append(apps, f.approved(t, name, f.ProgA, false))
	}
	for _, a := range apps[1:] {
		if _, err := f.svc.AdmitProvisionally(ctx, admin, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	answer := f.clock.Now().Add(time.Hour)
	for i, to := range map[int]recruit.OfferState{2: recruit.OfferAccepted, 3: recruit.OfferDeclined} {
		if _, err := f.Store.MoveOffer(ctx, apps[i].ID, to, "", answer, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range apps {
		apps[i] = f.App(t, apps[i].ID)
	}
	return apps
}

// The queue filters by offer and shows each row's offer with its deadline;
// an open offer within 24 hours of its deadline is marked due soon, in the
// list and the detail.
func TestListApplicationsOffers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	apps := offerSeason(t, f)
	reviewer := f.Staff(t, recruit.RoleReviewer, f.BaseA)
	for _, c := range []struct {
		offer string
		want  []int64
	}{
		{"", []int64{apps[0].ID, apps[1].ID, apps[2].ID, apps[3].ID}},
		{"none", []int64{apps[0].ID}},
		{"open", []int64{apps[1].ID}},
		{"accepted", []int64{apps[2].ID}},
		{"declined", []int64{apps[3].ID}},
		{"expired", nil},
		{"voided", nil},
	} {
		p, err := f.svc.ListApplications(ctx, reviewer, review.Query{Offer: c.offer})
		if err != nil {
			t.Fatalf("offer %q: %v", c.offer, err)
		}
		if got := ids(p); !slices.Equal(got, c.want) || p.Total != len(c.want) {
			t.Errorf("offer %q: %v (total %d), want %v", c.offer, got, p.Total, c.want)
		}
	}
	_, err := f.svc.ListApplications(ctx, reviewer, review.Query{Offer: "lapsed"})
	wantMessage(t, "an unknown offer filter", err, recruit.EINVALID, "拟录取确认状态只能是")

	rows := func() map[int64]review.Row {
		p, err := f.svc.ListApplications(ctx, reviewer, review.Query{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]review.Row{}
		for _, r := range p.Rows {
			out[r.ID] = r
		}
		return out
	}
	deadline := apps[1].OfferDeadline
	if !deadline.Equal(testyear.Day(time.July, 15, 9)) {
		t.Fatalf("the open offer's deadline is %v, want 72 hours after July 12, 09:00", deadline)
	}
	got := rows()
	for i, want := range []struct {
		state recruit.OfferState
		label string
	}{{recruit.OfferNone, ""}, {recruit.OfferOpen, "待确认 · 截止 2025年07月15日 09:00"}, {recruit.OfferAccepted, "已接受"}, {recruit.OfferDeclined, "已放弃"}} {
		r := got[apps[i].ID]
		if r.OfferState != want.state || r.OfferLabel != want.label || !r.OfferDeadline.Equal(apps[i].OfferDeadline) ||
			!r.OfferAt.Equal(apps[i].OfferAt) || r.OfferDueSoon {
			t.Errorf("row %d: offer %q %q until %v (at %v), due soon %v; want %q %q until %v, not due soon",
				i, r.OfferState, r.OfferLabel, r.OfferDeadline, r.OfferAt, r.OfferDueSoon, want.state, want.label, apps[i].OfferDeadline)
		}
	}

	f.clock.Set(deadline.Add(-recruit.OfferDueWindow + time.Minute))
	got = rows()
	for i, a := range apps {
		if due := got[a.ID].OfferDueSoon; due != (i == 1) {
			t.Errorf("a day before the open offer's deadline, row %d is due soon: %v", i, due)
		}
	}
	d, err := f.svc.GetApplication(ctx, reviewer, apps[1].ID)
	if err != nil || !d.Row.OfferDueSoon || d.Row.OfferState != recruit.OfferOpen {
		t.Errorf("the detail of the open offer: %+v, %v", d.Row, err)
	}
}

// The export has the columns 拟录取确认 and 确认期限, and each row's cells
// are its application's offer state and deadline (Asia/Shanghai), empty
// without an offer; the offer filter holds for the export as for the list.
func TestExportApplicationsOffers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	apps := offerSeason(t, f)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	byID := map[int64]recruit.Application{}
	for _, a := range apps {
		byID[a.ID] = a
	}
	for _, c := range []struct {
		offer string
		want  []int64
	}{{"", []int64{apps[0].ID, apps[1].ID, apps[2].ID, apps[3].ID}}, {"accepted", []int64{apps[2].ID}}} {
		var buf bytes.Buffer
		ex, err := f.svc.ExportApplications(ctx, admin, review.Query{Offer: c.offer}, &buf)
		if err != nil || ex.Rows != len(c.want) {
			t.Fatalf("export of offer %q: %d rows, %v", c.offer, ex.Rows, err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("the export does not open: %v", err)
		}
		rows, err := x.GetRows("报名名单")
		x.Close()
		if err != nil {
			t.Fatal(err)
		}
		stateCol, deadlineCol := slices.Index(rows[0], "拟录取确认"), slices.Index(rows[0], "确认期限")
		if stateCol < 0 || deadlineCol != stateCol+1 {
			t.Fatalf("header %v: no 拟录取确认 followed by 确认期限", rows[0])
		}
		var got []int64
		for _, r := range rows[1:] {
			id, _ := strconv.ParseInt(r[0], 10, 64)
			got = append(got, id)
			a := byID[id]
			cell := func(i int) string {
				if i < len(r) {
					return r[i]
				}
				return "" // excelize leaves out empty cells at a row's end
			}
			wantDeadline := ""
			if !a.OfferDeadline.IsZero() {
				wantDeadline = a.OfferDeadline.In(recruit.Shanghai).Format("2006-01-02 15:04:05")
			}
			if cell(stateCol) != a.OfferState.Label() || cell(deadlineCol) != wantDeadline {
				t.Errorf("offer %q, row %d: %q, %q; want %q, %q", c.offer, id, cell(stateCol), cell(deadlineCol), a.OfferState.Label(), wantDeadline)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("offer %q: exported %v, want %v", c.offer, got, c.want)
		}
	}
}
