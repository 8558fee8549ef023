package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"zhupei/recruit"
	"zhupei/review"
)

// makeOffer approves app at now and offers it a seat until deadline,
// answered at once with answer unless that is OfferNone.
func makeOffer(t *testing.T, st recruit.Store, app recruit.Application, now, deadline time.Time, answer recruit.OfferState) recruit.Application {
	t.Helper()
	ctx := context.Background()
	a, err := st.Review(ctx, app.ID, recruit.StateApproved, "", now, nil)
	if err == nil {
		a, err = st.MakeOffer(ctx, a.ID, deadline, now, nil)
	}
	if err == nil && answer != recruit.OfferNone {
		a, err = st.MoveOffer(ctx, a.ID, answer, "", now, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// seeded returns the three applications the fixture's seed made at
// program A1.
func seeded(t *testing.T, st recruit.Store, progA1 int64) []recruit.Application {
	t.Helper()
	apps, err := st.ListApplications(context.Background(), progA1)
	if err != nil || len(apps) != 3 {
		t.Fatalf("seeded applications: %+v, %v", apps, err)
	}
	return apps
}

// The offer in the console: the queue's rows and cards show each offer's
// state and deadline, an open offer due within a day is marked 即将到期,
// the offer filter narrows the list, the detail shows the offer, and the
// statistics count the offers.
func TestConsoleQueueOffers(t *testing.T) {
	f, pc, _ := consoleAdmin(t)
	apps := seeded(t, f.store, f.progA1)
	now := f.clock.Now()
	soon, later := now.Add(20*time.Hour), now.Add(72*time.Hour)
	open, accepted := apps[1], apps[2]
	makeOffer(t, f.store, open, now, soon, recruit.OfferNone)
	makeOffer(t, f.store, accepted, now, later, recruit.OfferAccepted)
	openCell := `<br><span class="q-offer-info"><span class="q-offer q-offer-open">待确认</span> <span class="q-deadline">截止 ` + formatShortTime(soon) +
		`</span> <strong class="q-soon">即将到期</strong></span></div></td>`
	acceptedCell := `<br><span class="q-offer-info"><span class="q-offer q-offer-accepted">已接受</span></span></div></td>`

	body := mustGet(t, pc, "/admin/queue")
	wantContains(t, "queue", body, openCell, acceptedCell, `<select name="offer" id="f-offer">`,
		`<option value="none">无拟录取确认</option>`, `<option value="voided">已作废</option>`)
	body = mustGet(t, pc, "/admin/queue?offer=open")
	wantContains(t, "open offers", body, fmt.Sprintf(`id="row-%d"`, open.ID), openCell, `<option value="open" selected>`, "共 1 份报名",
		"/admin/export/file?offer=open")
	wantMissing(t, "open offers", body, fmt.Sprintf(`id="row-%d"`, accepted.ID), fmt.Sprintf(`id="row-%d"`, apps[0].ID))
	body = mustGet(t, pc, "/admin/queue?offer=none")
	wantContains(t, "no offer", body, fmt.Sprintf(`id="row-%d"`, apps[0].ID), "共 1 份报名")
	resp, body := pc.get(t, "/admin/queue?offer=maybe")
	want(t, "an unknown offer filter", resp, body, http.StatusBadRequest, "")
	wantContains(t, "an unknown offer filter", body, "拟录取确认状态只能是")

	body = mustGet(t, pc, fmt.Sprintf("/admin/queue/%d", accepted.ID))
	wantContains(t, "the accepted offer's detail", body, `<dd id="app-offer"><span class="q-offer-info"><span class="q-offer q-offer-accepted">已接受</span></span><br><span class="hint">确认期限 `+
		formatTime(later)+`；已接受于 `+formatTime(now)+`</span></dd>`)
	body = mustGet(t, pc, fmt.Sprintf("/admin/queue/%d", open.ID))
	wantContains(t, "the open offer's detail", body, `<dd id="app-offer"><span class="q-offer-info"><span class="q-offer q-offer-open">待确认</span> <span class="q-deadline">截止 `+formatShortTime(soon)+
		`</span> <strong class="q-soon">即将到期</strong></span></dd>`)

	// The statistics: one open and one accepted offer at base A.
	body = mustGet(t, pc, "/admin/statistics")
	wantContains(t, "statistics", body, `id="stats-offers-table"`, "<th>待确认</th><th>已接受</th><th>已放弃</th><th>已过期</th><th>已作废</th><th>合计</th>",
		fmt.Sprintf(`<tr data-program="%d">`, f.progA1),
		`<tr id="stats-offers-total"><td data-label="合计">合计</td><td data-label=""></td><td data-label="待确认" data-offer="open">1</td><td data-label="已接受" data-offer="accepted">1</td><td data-label="已放弃" data-offer="declined">0</td><td data-label="已过期" data-offer="expired">0</td><td data-label="已作废" data-offer="voided">0</td><td data-label="合计" data-offer="total">2</td></tr>`)
}

// listApplications filters by offer and returns each row's offer, an
// unknown offer filter is a 400 in Chinese, and getStatistics counts the
// offers of the caller's base only.
func TestAdminOffers(t *testing.T) {
	f := newAdminFixture(t)
	now := time.Date(testYear, time.July, 12, 9, 0, 0, 0, recruit.Shanghai) // round1
	f.clock.Add(now.Sub(testNow))
	appsA := seeded(t, f.store, f.progA1)
	deadline := now.Add(72 * time.Hour)
	open := makeOffer(t, f.store, appsA[1], now, deadline, recruit.OfferNone)
	declined := makeOffer(t, f.store, appsA[2], now, deadline, recruit.OfferDeclined)
	adminA, _ := f.token(t, recruit.RoleBaseAdmin, f.baseA)
	adminB, _ := f.token(t, recruit.RoleBaseAdmin, f.baseB)

	status, body := f.call(t, http.MethodGet, "/api/v1/admin/applications?offer=open", adminA, nil)
	var p review.Page
	if status != http.StatusOK || json.Unmarshal(body, &p) != nil || len(p.Rows) != 1 || p.Rows[0].ID != open.ID ||
		p.Rows[0].OfferState != recruit.OfferOpen || p.Rows[0].OfferLabel != "待确认 · 截止 "+offerTime(deadline) ||
		!p.Rows[0].OfferDeadline.Equal(deadline) || p.Rows[0].OfferDueSoon {
		t.Errorf("listApplications?offer=open: %d %s", status, body)
	}
	ids, _, total := f.list(t, adminA, "offer=declined&state=approved")
	if len(ids) != 1 || ids[0] != declined.ID || total != 1 {
		t.Errorf("declined and approved again: %v (total %d), want [%d]", ids, total, declined.ID)
	}
	if ids, _, _ := f.list(t, adminB, "offer=open"); len(ids) != 0 {
		t.Errorf("base B sees base A's open offers: %v", ids)
	}
	status, body = f.call(t, http.MethodGet, "/api/v1/admin/applications?offer=lapsed", adminA, nil)
	wantError(t, "an unknown offer filter", status, body, http.StatusBadRequest, recruit.EINVALID)

	for _, c := range []struct {
		tok  string
		want recruit.OfferCounts
	}{{adminA, recruit.OfferCounts{Open: 1, Declined: 1}}, {adminB, recruit.OfferCounts{}}} {
		status, body = f.call(t, http.MethodGet, "/api/v1/admin/statistics", c.tok, nil)
		var st recruit.Stats
		if status != http.StatusOK || json.Unmarshal(body, &st) != nil || st.Total.Offers != c.want {
			t.Errorf("getStatistics: %d %s; want offers %+v", status, body, c.want)
		}
	}
}
