package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhupei/recruit"
)

// shortOfferHours is the answer window of the second offer: its deadline
// is less than recruit.OfferDueWindow away.
const shortOfferHours = 12

// TestConsoleOfferColumns: two applicants of one base get offers (the
// demo year requires acceptance), the second after the base set a
// shortOfferHours answer window. On the console at 1280 px the queue shows each offer's
// state and deadline, the second marked 即将到期; the offer filter keeps
// both; the detail shows the offer; the statistics count two open offers.
// At 375 px the queue's cards, the detail and the statistics fit the
// screen.
func TestConsoleOfferColumns(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	_, base := submittedApplicant(t, srv, "报价甲", 71)
	submittedApplicant(t, srv, "报价乙", 72)
	first := offerTo(t, srv, "报价甲", base)

	admin := staffToken(t, srv, "基地管理员", "-role", "base_admin", "-base", base)
	call(t, http.MethodPut, fmt.Sprintf("%s/api/v1/admin/bases/%s/dates/round1", srv.URL, base), admin, map[string]int{"offer_hours": shortOfferHours}, nil)
	path := fmt.Sprintf("%s/api/v1/admin/applications/%d", srv.URL, applicationID(t, srv, sandboxOpenID(t, srv, "报价乙")))
	call(t, http.MethodPost, path+"/review", admin, map[string]string{"decision": "approve"}, nil)
	var out struct {
		Application recruit.Application `json:"application"`
	}
	call(t, http.MethodPost, path+"/provisional", admin, nil, &out)
	second := out.Application
	if second.OfferState != recruit.OfferOpen || !second.OfferDeadline.Before(first.OfferDeadline) {
		t.Fatalf("the second offer %+v, want one open for %d hours", second, shortOfferHours)
	}

	pc := newBrowser(t)
	screenshotOnFailure(t, pc, "console")
	step(t, pc, "desktop", desktop())
	consoleQRLogin(t, srv, pc, "基地报价主任", staffInvite(t, srv, "-role", "base_admin", "-base", base, "-name", "报价主任"))
	open(t, pc, srv.URL+"/admin/queue")
	for _, a := range []recruit.Application{first, second} {
		deadline := "截止 " + a.OfferDeadline.In(recruit.Shanghai).Format("01-02 15:04")
		if state, until := text(t, pc, fmt.Sprintf("#row-%d .q-offer", a.ID)), text(t, pc, fmt.Sprintf("#row-%d .q-deadline", a.ID)); state != "待确认" || until != deadline {
			t.Errorf("row %d's offer reads %q %q, want 待确认 %q", a.ID, state, until, deadline)
		}
	}
	if n := count(t, pc, fmt.Sprintf("#row-%d .q-soon", first.ID)); n != 0 {
		t.Errorf("the 72-hour offer is marked due soon")
	}
	if got := text(t, pc, fmt.Sprintf("#row-%d .q-soon", second.ID)); got != "即将到期" {
		t.Errorf("the 12-hour offer's mark reads %q, want 即将到期", got)
	}
	shot(t, pc, "admin-queue-offers", "1280")
	open(t, pc, srv.URL+"/admin/queue?offer=open")
	if n := count(t, pc, "#queue-table tbody tr"); n != 2 {
		t.Errorf("the open offers' filter lists %d rows, want 2", n)
	}
	if n := count(t, pc, `#f-offer option[value="open"]:checked`); n != 1 {
		t.Errorf("the offer filter does not show 待确认 chosen")
	}
	detail := fmt.Sprintf("/admin/queue/%d", second.ID)
	open(t, pc, srv.URL+detail)
	if got := text(t, pc, "#app-offer"); !strings.HasPrefix(got, "待确认 截止 ") || !strings.HasSuffix(got, "即将到期") {
		t.Errorf("the detail's offer reads %q", got)
	}
	shot(t, pc, "admin-application-offer", "1280")
	open(t, pc, srv.URL+"/admin/statistics")
	if got := text(t, pc, `#stats-offers-total [data-offer="open"]`); got != "2" {
		t.Errorf("the statistics count %s open offers, want 2", got)
	}
	shot(t, pc, "admin-statistics-offers", "1280")

	narrow := phoneBrowser(t, "console at 375 px", sessionCookies(t, pc))
	for _, page := range []string{"/admin/queue", detail, "/admin/statistics"} {
		open(t, narrow, srv.URL+page)
		fitsScreen(t, narrow, page+" at 375 px")
		shot(t, narrow, pageName(page)+"-offers", "375")
	}
}
