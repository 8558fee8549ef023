package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// TestAdjustmentRanking (issue 11): in the adjustment phase an applicant
// who registers then finds vacancies on /vacancies, adds one with
// 加入调剂志愿, picks a third on /adjustment and saves; the province's
// proposal (proposePlacement) places the applicant. The vacancy board and
// the adjustment page fit a 375 px phone.
func TestAdjustmentRanking(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	prov := staffToken(t, srv, "省管调剂", "-role", "province")
	// The demo year into its adjustment phase: every phase moved earlier.
	now := time.Now().In(recruit.Shanghai).Truncate(time.Second)
	day := 24 * time.Hour
	call(t, http.MethodPut, srv.URL+"/api/v1/admin/calendar", prov, recruit.Calendar{
		Registration: now.Add(-4 * day), Round1: now.Add(-3 * day), Round2: now.Add(-2 * day),
		Adjustment: now.Add(-time.Hour), Confirmation: now.Add(2 * day), Closed: now.Add(10 * day),
	}, nil)
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
	waitFor(t, ctx, `document.querySelectorAll('a[href^="/adjustment?add="]').length > 2`, applyWait, "the vacancy board's 加入调剂志愿 links")
	fitsScreen(t, ctx, "/vacancies?base= at 375 px")
	shot(t, ctx, "vacancies", "375")
	add := evaluate[string](t, ctx, `Array.from(document.querySelectorAll('a[href^="/adjustment?add="]'), a => a.getAttribute('href').split('=')[1]).find(id => id !== `+jsString(choice)+`)`)
	do(t, ctx, "加入调剂志愿", chromedp.Click(chromedp.CSS(`a[href="/adjustment?add=`+add+`"]`)), chromedp.WaitVisible(chromedp.CSS("#adjustment-form")))
	if got := evaluate[string](t, ctx, `document.querySelector('#pref2').value`); got != add {
		t.Fatalf("second preference %q, want the added %s", got, add)
	}
	third := evaluate[string](t, ctx, `Array.from(document.querySelectorAll('#pref3 option'), o => o.value).find(v => v && v !== `+jsString(add)+`)`)
	fill(t, ctx, [][2]string{{"pref3", third}})
	fitsScreen(t, ctx, "/adjustment at 375 px")
	shot(t, ctx, "adjustment", "375")
	do(t, ctx, "save", chromedp.Click(chromedp.CSS("#save-adjustment")), chromedp.WaitVisible(chromedp.CSS("#adjustment-saved")))
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
