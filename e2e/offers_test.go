package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
	"zhupei/store"
	"zhupei/store/storetest"
)

// offerTo has base's admin approve and provisionally admit the
// application of the applicant nickname through the admin API in round 1:
// the demo year requires acceptance, so the admission is an offer, whose
// application it returns.
func offerTo(t *testing.T, srv *server, nickname, base string) recruit.Application {
	t.Helper()
	app := applicationID(t, srv, sandboxOpenID(t, srv, nickname))
	openRound1(t, srv)
	admin := staffToken(t, srv, "基地管理员", "-role", "base_admin", "-base", base)
	path := fmt.Sprintf("%s/api/v1/admin/applications/%d", srv.URL, app)
	call(t, http.MethodPost, path+"/review", admin, map[string]string{"decision": "approve"}, nil)
	var out struct {
		Application recruit.Application `json:"application"`
	}
	call(t, http.MethodPost, path+"/provisional", admin, nil, &out)
	if out.Application.State != recruit.StateProvisional || out.Application.OfferState != recruit.OfferOpen ||
		!out.Application.OfferDeadline.After(time.Now().Add(71*time.Hour)) {
		t.Fatalf("the provisional admission is not an open offer: %+v", out.Application)
	}
	return out.Application
}

// TestAcceptOfferOnPhone: an applicant whose provisional admission is an
// offer (the demo year requires acceptance) sees it on
// /result at 375 px with its deadline, taps 确认接受, reads in the dialog
// what follows, confirms, and sees the offer accepted; the store has it
// and the seat stays taken. The page and the dialog fit the screen, at
// 1280 px too.
func TestAcceptOfferOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx, base := submittedApplicant(t, srv, "接受用户", 63)
	screenshotOnFailure(t, ctx, "offer")
	app := offerTo(t, srv, "接受用户", base)

	step(t, ctx, "desktop", desktop())
	open(t, ctx, srv.URL+"/result")
	keepScreenshot(t, ctx, "result_offer_1280")
	open(t, ctx, srv.URL+"/result?answer=accept")
	keepScreenshot(t, ctx, "result_offer_dialog_1280")

	step(t, ctx, "phone", chromedp.Emulate(phoneOf(375)))
	open(t, ctx, srv.URL+"/result")
	if got := text(t, ctx, "#offer-deadline"); got != app.OfferDeadline.In(recruit.Shanghai).Format("2006年01月02日 15:04") {
		t.Errorf("deadline shown %q, want %v", got, app.OfferDeadline)
	}
	fitsScreen(t, ctx, "/result with an offer")
	keepScreenshot(t, ctx, "result_offer_375")

	step(t, ctx, "tap 确认接受", chromedp.Click(chromedp.CSS("#offer-accept")), chromedp.WaitVisible(chromedp.CSS("#offer-dialog")))
	if got := text(t, ctx, "#offer-dialog-title"); got != "确认接受"+evaluate[string](t, ctx, `document.querySelector('[data-field=base]').textContent`)+" "+
		evaluate[string](t, ctx, `document.querySelector('[data-field=specialty]').textContent`)+"的拟录取？" {
		t.Errorf("dialog title %q", got)
	}
	fitsScreen(t, ctx, "the accept dialog")
	keepScreenshot(t, ctx, "result_offer_dialog_375")
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#offer-confirm")), chromedp.WaitVisible(chromedp.CSS("#offer-flash")))
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
	if p, err := st.GetProgram(context.Background(), got.ProgramID); err != nil || p.Admitted != 1 {
		t.Errorf("program after accepting: %+v, %v", p, err)
	}
}
