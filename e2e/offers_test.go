package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
	"zhupei/store"
	"zhupei/store/storetest"
)

// offerTo makes the applicant's application (the first of the server's
// store, just submitted) an open offer until 72 hours from now, as the
// base's provisional admission does in a year requiring acceptance: the
// store is the server's database, opened beside it.
func offerTo(t *testing.T, srv *server) recruit.Application {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: srv.DataDir}, storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if y, err := st.LatestYear(ctx); err != nil || !y.Offers.RequireAcceptance {
		t.Fatalf("the demo year %+v (%v) does not require acceptance", y.Offers, err)
	}
	app, err := st.GetApplicationByID(ctx, 1)
	if err != nil || app.State != recruit.StatePending {
		t.Fatalf("the submitted application: %+v, %v", app, err)
	}
	now := time.Now()
	if _, err := st.Review(ctx, app.ID, recruit.StateApproved, "", now, nil); err != nil {
		t.Fatal(err)
	}
	app, err = st.MakeOffer(ctx, app.ID, now.Add(72*time.Hour), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestAcceptOfferOnPhone: an applicant with an open offer sees it on
// /result at 375 px with its deadline, taps 确认接受, reads in the dialog
// what follows, confirms, and sees the offer accepted; the store has it
// and the seat stays taken. The page and the dialog fit the screen, at
// 1280 px too.
func TestAcceptOfferOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx, _ := submittedApplicant(t, srv, "拟录取用户", 61)
	screenshotOnFailure(t, ctx, "offer")
	app := offerTo(t, srv)

	do(t, ctx, "desktop", desktop())
	open(t, ctx, srv.URL+"/result")
	keepScreenshot(t, ctx, "result_offer_1280")
	open(t, ctx, srv.URL+"/result?answer=accept")
	keepScreenshot(t, ctx, "result_offer_dialog_1280")

	do(t, ctx, "phone", chromedp.Emulate(phoneOf(375)))
	open(t, ctx, srv.URL+"/result")
	if got := text(t, ctx, "#offer-deadline"); got != app.OfferDeadline.In(recruit.Shanghai).Format("2006年01月02日 15:04") {
		t.Errorf("deadline shown %q, want %v", got, app.OfferDeadline)
	}
	fitsScreen(t, ctx, "/result with an offer")
	keepScreenshot(t, ctx, "result_offer_375")

	do(t, ctx, "tap 确认接受", chromedp.Click(chromedp.CSS("#offer-accept")), chromedp.WaitVisible(chromedp.CSS("#offer-dialog")))
	if got := text(t, ctx, "#offer-dialog-title"); got != "确认接受"+evaluate[string](t, ctx, `document.querySelector('[data-field=base]').textContent`)+" "+
		evaluate[string](t, ctx, `document.querySelector('[data-field=specialty]').textContent`)+"的拟录取？" {
		t.Errorf("dialog title %q", got)
	}
	fitsScreen(t, ctx, "the accept dialog")
	keepScreenshot(t, ctx, "result_offer_dialog_375")
	do(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#offer-confirm")), chromedp.WaitVisible(chromedp.CSS("#offer-flash")))
	if got := text(t, ctx, "#offer-label"); got != "已接受" {
		t.Errorf("offer after confirming: %q", got)
	}
	if n := count(t, ctx, "#offer-accept, #offer-decline, #resubmit-choice, #edit-profile"); n != 0 {
		t.Errorf("%d ways to change something after accepting", n)
	}
	fitsScreen(t, ctx, "/result after accepting")
	keepScreenshot(t, ctx, "result_offer_accepted_375")

	st, err := store.Open(context.Background(), store.Config{DataDir: srv.DataDir}, storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.GetApplicationByID(context.Background(), app.ID)
	if err != nil || got.State != recruit.StateProvisional || got.OfferState != recruit.OfferAccepted {
		t.Errorf("stored %+v, %v", got, err)
	}
	if p, err := st.GetProgram(context.Background(), app.ProgramID); err != nil || p.Admitted != 1 {
		t.Errorf("program after accepting: %+v, %v", p, err)
	}
}
