package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// openAdjustment has the province admin holding token prov move the demo
// year into its adjustment phase, which began an hour ago: every phase
// moved earlier.
func openAdjustment(t *testing.T, srv *server, prov string) {
	t.Helper()
	now := time.Now().In(recruit.Shanghai).Truncate(time.Second)
	day := 24 * time.Hour
	call(t, http.MethodPut, srv.URL+"/api/v1/admin/calendar", prov, recruit.Calendar{
		Registration: now.Add(-4 * day), Round1: now.Add(-3 * day), Round2: now.Add(-2 * day),
		Adjustment: now.Add(-time.Hour), Confirmation: now.Add(2 * day), Closed: now.Add(10 * day),
	}, nil)
}

// TestAdjustmentRanking (issue 11): in the adjustment phase an applicant
// who registers then finds vacancies on /vacancies, adds one with
// 加入调剂志愿, picks a third on /adjustment and saves; the province's
// proposal (proposePlacement) places the applicant. The vacancy board and
// the adjustment page fit a 375 px phone.
func TestAdjustmentRanking(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	prov := staffToken(t, srv, "省管调剂", "-role", "province")
	openAdjustment(t, srv, prov)
	call(t, http.MethodPut, srv.URL+"/api/v1/admin/shortage-specialties", prov, map[string][]string{"specialties": {"0700"}}, nil)

	ctx, base := submittedApplicant(t, srv, "调剂用户", 41)
	open(t, ctx, srv.URL+"/apply/choice")
	choice := evaluate[string](t, ctx, `document.querySelector('#f-program').value`)
	if choice == "" {
		t.Fatal("the choice page shows no current choice")
	}

	open(t, ctx, srv.URL+"/vacancies")
	fitsScreen(t, ctx, "/vacancies at 375 px")
	open(t, ctx, srv.URL+"/vacancies?base="+base) // the choice's base: a page short enough to look at
	waitFor(t, ctx, `document.querySelectorAll('a[href^="/adjustment?add="]').length > 2`, stepWait, "the vacancy board's 加入调剂志愿 links")
	fitsScreen(t, ctx, "/vacancies?base= at 375 px")
	shot(t, ctx, "vacancies", "375")
	add := evaluate[string](t, ctx, `Array.from(document.querySelectorAll('a[href^="/adjustment?add="]'), a => a.getAttribute('href').split('=')[1]).find(id => id !== `+jsString(choice)+`)`)
	step(t, ctx, "加入调剂志愿", chromedp.Click(chromedp.CSS(`a[href="/adjustment?add=`+add+`"]`)), chromedp.WaitVisible(chromedp.CSS("#adjustment-form")))
	if got := evaluate[string](t, ctx, `document.querySelector('#pref2').value`); got != add {
		t.Fatalf("second preference %q, want the added %s", got, add)
	}
	third := evaluate[string](t, ctx, `Array.from(document.querySelectorAll('#pref3 option'), o => o.value).find(v => v && v !== `+jsString(add)+`)`)
	fill(t, ctx, [][2]string{{"pref3", third}})
	fitsScreen(t, ctx, "/adjustment at 375 px")
	shot(t, ctx, "adjustment", "375")
	step(t, ctx, "save", chromedp.Click(chromedp.CSS("#save-adjustment")), chromedp.WaitVisible(chromedp.CSS("#adjustment-saved")))
	if got := evaluate[string](t, ctx, `[document.querySelector('#pref2').value, document.querySelector('#pref3').value].join(',')`); got != add+","+third {
		t.Errorf("saved preferences %q, want %s,%s", got, add, third)
	}
	if first := text(t, ctx, "#pref1"); !strings.Contains(first, "·") {
		t.Errorf("first preference reads %q, want the choice", first)
	}

	var p struct {
		Pool, Placed, AtFirst int
		Bases                 []struct {
			Programs []struct {
				ProgramID int64 `json:"program_id"`
				Placed    []struct {
					Preference int `json:"preference"`
				} `json:"placed"`
			} `json:"programs"`
		} `json:"bases"`
	}
	call(t, http.MethodPost, srv.URL+"/api/v1/admin/placement/proposal", prov, nil, &p)
	if p.Pool != 1 || p.Placed != 1 {
		t.Errorf("proposal: pool %d, placed %d; want the applicant placed", p.Pool, p.Placed)
	}
	for _, b := range p.Bases {
		for _, pp := range b.Programs {
			if len(pp.Placed) > 0 && (pp.Placed[0].Preference != 1 || pp.ProgramID == 0) {
				t.Errorf("placed at %d as preference %d, want the first (the choice %s)", pp.ProgramID, pp.Placed[0].Preference, choice)
			}
		}
	}

	step(t, ctx, "desktop", chromedp.Emulate(desktopScreen))
	open(t, ctx, srv.URL+"/vacancies?specialty=0700")
	if n := count(t, ctx, "#vacancies tr.shortage .tag-shortage"); n == 0 || n != count(t, ctx, "#vacancies tr[data-id]") {
		t.Errorf("%d of the 全科 rows flagged 紧缺", n)
	}
	shot(t, ctx, "vacancies", "1280")
	open(t, ctx, srv.URL+"/adjustment")
	shot(t, ctx, "adjustment", "1280")
}

// seatCounts are what the public boards show of one program: 拟录取人数 on
// /board, 拟录取人数 and 缺额 on /vacancies.
type seatCounts struct{ board, admitted, vacancies int }

// readSeats reads the counts of program from the boards of base, open in
// ctx.
func readSeats(t *testing.T, ctx context.Context, srvURL, base, program string) seatCounts {
	t.Helper()
	num := func(sel string) int {
		t.Helper()
		n, err := strconv.Atoi(strings.TrimSpace(text(t, ctx, sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return n
	}
	row := `tr[data-id="` + program + `"] [data-field="%s"]`
	open(t, ctx, srvURL+"/board?base="+base)
	var c seatCounts
	c.board = num(fmt.Sprintf(row, "provisional"))
	open(t, ctx, srvURL+"/vacancies?vacant=0&base="+base)
	c.admitted, c.vacancies = num(fmt.Sprintf(row, "admitted")), num(fmt.Sprintf(row, "vacancies"))
	return c
}

// TestPlacementFillsSeat is issue 11's browser test of the placement: in
// the adjustment phase an applicant ranks 3 vacancies on /adjustment; the
// province, logged into the console through the QR flow, computes the
// proposal on 调剂方案, reads what applying it means and applies it; the
// applicant finds the offer on /result and accepts it; the board and the
// vacancy board show the seat filled. A second console that computed the
// same proposal before is told it changed. 调剂方案 fits 375 px.
func TestPlacementFillsSeat(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	openAdjustment(t, srv, staffToken(t, srv, "省管方案", "-role", "province"))

	// The applicant, new in adjustment, ranks the choice and two vacancies.
	ctx, base := submittedApplicant(t, srv, "方案用户", 45)
	open(t, ctx, srv.URL+"/apply/choice")
	choice := evaluate[string](t, ctx, `document.querySelector('#f-program').value`)
	open(t, ctx, srv.URL+"/adjustment")
	prefs := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#pref2 option'), o => o.value).filter(v => v && v !== `+jsString(choice)+`).slice(0, 2)`)
	if len(prefs) != 2 {
		t.Fatalf("the adjustment page offers %v besides the choice", prefs)
	}
	fill(t, ctx, [][2]string{{"pref2", prefs[0]}, {"pref3", prefs[1]}})
	step(t, ctx, "save", chromedp.Click(chromedp.CSS("#save-adjustment")), chromedp.WaitVisible(chromedp.CSS("#adjustment-saved")))
	if got := evaluate[string](t, ctx, `[document.querySelector('#pref2').value, document.querySelector('#pref3').value].join(',')`); got != strings.Join(prefs, ",") {
		t.Fatalf("saved preferences %q, want %v", got, prefs)
	}
	before := readSeats(t, ctx, srv.URL, base, choice)
	applicant := sessionCookies(t, ctx)

	// The province computes and applies the proposal on 调剂方案.
	pc := newBrowser(t)
	screenshotOnFailure(t, pc, "console")
	step(t, pc, "desktop", desktop())
	consoleQRLogin(t, srv, pc, "省中心方案", staffInvite(t, srv, "-role", "province", "-name", "方案老师"))
	compute := func(ctx context.Context) {
		t.Helper()
		open(t, ctx, srv.URL+"/admin/placement")
		step(t, ctx, "计算调剂方案", chromedp.Click(chromedp.CSS("#propose")), chromedp.WaitVisible(chromedp.CSS("#proposal-totals")))
		if got := text(t, ctx, "#p-placed"); !strings.HasPrefix(got, "1（第一志愿 1）") {
			t.Errorf("the proposal places %q, want the applicant at the first preference", got)
		}
		step(t, ctx, "应用方案", chromedp.Click(chromedp.CSS("#apply-open")), chromedp.WaitVisible(chromedp.CSS("#apply-confirm")))
		if got := text(t, ctx, "#apply-what"); got != "将向 1 人发出拟录取（需在期限内确认）。" {
			t.Errorf("the confirmation says %q", got)
		}
	}
	compute(pc)
	shot(t, pc, "admin-placement-apply", "1280")
	narrow := phoneBrowser(t, "console at 375 px", sessionCookies(t, pc))
	compute(narrow)
	fitsScreen(t, narrow, "调剂方案 with the apply confirmation at 375 px")
	shot(t, narrow, "admin-placement-apply", "375")

	step(t, pc, "确认应用", chromedp.Click(chromedp.CSS("#apply-confirm")), chromedp.WaitVisible(chromedp.CSS("#applied-summary")))
	if got := text(t, pc, "#applied-summary"); got != "已发出 1 个拟录取（需在期限内确认）。" {
		t.Errorf("after applying: %q", got)
	}
	if n := count(t, pc, "#applied-table tr[data-app]"); n != 1 {
		t.Errorf("%d placements listed, want 1", n)
	}
	shot(t, pc, "admin-placement-applied", "1280")
	step(t, narrow, "确认应用 of the same proposal", chromedp.Click(chromedp.CSS("#apply-confirm")), chromedp.WaitVisible(chromedp.CSS("#apply-error")))
	if got := text(t, narrow, "#apply-error"); got != "调剂方案已变化，请重新计算后再应用" {
		t.Errorf("applying the proposal again: %q", got)
	}
	fitsScreen(t, narrow, "调剂方案 refusing a changed proposal at 375 px")
	shot(t, narrow, "admin-placement-changed", "375")

	// The applicant accepts the offer on /result.
	phone := phoneBrowser(t, "placed applicant", applicant)
	open(t, phone, srv.URL+"/result")
	if state := text(t, phone, `#result [data-field="state"]`); !strings.Contains(state, "拟录取") {
		t.Errorf("/result reads %q, want 拟录取", state)
	}
	step(t, phone, "确认接受", chromedp.Click(chromedp.CSS("#offer-accept")), chromedp.WaitVisible(chromedp.CSS("#offer-dialog")))
	step(t, phone, "confirm", chromedp.Click(chromedp.CSS("#offer-confirm")), chromedp.WaitVisible(chromedp.CSS("#offer-flash")))
	if got := text(t, phone, "#offer-label"); got != "已接受" {
		t.Errorf("the offer after accepting: %q", got)
	}

	// The boards show the seat filled: the pages poll, the public
	// snapshot refreshes within seconds.
	row := `document.querySelector('tr[data-id="` + choice + `"] [data-field="%s"]').textContent.trim() === '%d'`
	open(t, phone, srv.URL+"/board?base="+base)
	waitFor(t, phone, fmt.Sprintf(row, "provisional", before.board+1), noticeWait, "拟录取人数 on /board one more")
	open(t, phone, srv.URL+"/vacancies?vacant=0&base="+base)
	waitFor(t, phone, fmt.Sprintf(row, "vacancies", before.vacancies-1)+" && "+fmt.Sprintf(row, "admitted", before.admitted+1), noticeWait, "缺额 on /vacancies one less")
	if after := readSeats(t, phone, srv.URL, base, choice); after != (seatCounts{before.board + 1, before.admitted + 1, before.vacancies - 1}) {
		t.Errorf("the boards read %+v after the placement, before %+v", after, before)
	}
}
