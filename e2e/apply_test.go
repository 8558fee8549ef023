package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhupei/recruit"
)

// applyIDNumber completes a resident ID number of a man born 1995-03-15
// with the check character that recruit accepts.
func applyIDNumber(t *testing.T, seq int) string {
	t.Helper()
	body := fmt.Sprintf("37010219950315%03d", seq)
	for _, c := range "0123456789X" {
		if id := body + string(c); recruit.ValidateIDNumber(recruit.IDTypeResident, id) == nil {
			return id
		}
	}
	t.Fatalf("no valid check character for %s", body)
	return ""
}

// applyPhoto writes a white-background portrait JPEG above 150 KB and
// returns its path.
func applyPhoto(t *testing.T) string {
	t.Helper()
	const w, h = 540, 720
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewSource(1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if x > w/5 && x < w*4/5 && y > h/6 && y < h*5/6 {
				c = color.RGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 97}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loginAndBind logs a new sandbox WeChat user in through the H5 OAuth path
// and binds the ID number; it ends on /apply.
func loginAndBind(t *testing.T, ctx context.Context, srv *server, nickname, idNumber string) {
	t.Helper()
	open(t, ctx, srv.URL+"/wechat/oauth/start?next=/apply")
	newSandboxUser(t, ctx, nickname)
	bindRealName(t, ctx, "李医生", idNumber)
	step(t, ctx, "bind", chromedp.WaitVisible(chromedp.CSS(".apply-steps")))
}

// visibleTexts returns the rendered text (innerText: without what CSS
// hides) of every element that matches the CSS selector.
func visibleTexts(t *testing.T, ctx context.Context, selector string) []string {
	t.Helper()
	return evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll(`+jsString(selector)+`), e => e.innerText.trim())`)
}

// fill sets form controls by name and fires their change events, so that
// apply.js shows the fields that depend on them.
func fill(t *testing.T, ctx context.Context, values [][2]string) {
	t.Helper()
	for _, kv := range values {
		ok := evaluate[bool](t, ctx, `(el => { if (!el) return false; el.value = `+jsString(kv[1])+
			`; el.dispatchEvent(new Event('change', {bubbles: true})); return el.value === `+jsString(kv[1])+` })(document.querySelector('[name="`+kv[0]+`"]'))`)
		if !ok {
			t.Fatalf("cannot set %s to %s", kv[0], kv[1])
		}
	}
}

// save submits the page's form and waits for the confirmation on the page
// it leads to: the step list on a phone, the next tab on the PC.
func save(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	step(t, ctx, "save "+what, chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	if msg := text(t, ctx, ".flash.ok"); !strings.Contains(msg, what+"已保存") {
		t.Fatalf("after saving %s: %q", what, msg)
	}
}

// fillAllSections completes the four profile sections through the pages.
func fillAllSections(t *testing.T, ctx context.Context, srv *server, photo string) {
	t.Helper()
	open(t, ctx, srv.URL+"/apply/basic")
	fill(t, ctx, [][2]string{{"gender", "男"}, {"birth_date", "1995-03-15"}, {"ethnicity", "汉族"}, {"political", "群众"},
		{"phone", "13800138000"}, {"email", "doctor@example.com"}, {"qq", "12345678"}, {"personnel_type", recruit.PersonnelSocial}})
	step(t, ctx, "photo", chromedp.SetUploadFiles(chromedp.CSS("#f-photo_id"), []string{photo}))
	save(t, ctx, "基本信息")

	open(t, ctx, srv.URL+"/apply/work")
	if evaluate[bool](t, ctx, `!document.querySelector('[data-show-if="has_employer"]').hidden`) {
		t.Error("employer fields shown before 是否有工作单位 is answered")
	}
	fill(t, ctx, [][2]string{{"has_employer", "是"}})
	if evaluate[bool](t, ctx, `document.querySelector('[data-show-if="has_employer"]').hidden`) {
		t.Error("employer fields hidden after 是否有工作单位 = 是")
	}
	fill(t, ctx, [][2]string{{"has_employer", "否"}, {"western_support", "否"}, {"military", "否"}, {"order_directed", "否"}})
	save(t, ctx, "工作信息")

	open(t, ctx, srv.URL+"/apply/education/new")
	fill(t, ctx, [][2]string{{"level", "本科"}, {"in_school", "否"}, {"full_time", "是"}, {"school", "山东大学"}, {"major", "临床医学"},
		{"start_date", "2013-09-01"}, {"qualification", "大学本科"}, {"graduation_date", "2018-07-01"}, {"has_diploma", "是"},
		{"qualification_date", "2018-07-01"}, {"diploma_no", "104221201805000123"}, {"degree", "学士"}, {"has_degree_cert", "是"},
		{"degree_date", "2018-07-01"}, {"degree_cert_no", "4042212018000123"}})
	save(t, ctx, "教育经历")

	open(t, ctx, srv.URL+"/apply/certificates")
	fill(t, ctx, [][2]string{{"passed_exam", "否"}, {"has_qual_cert", "否"}, {"has_practising", "否"},
		{"foreign_lang_type", recruit.LangCollegeEng}, {"english_level", "CET-6"},
		{"foreign_lang_cert_no", "CET6-2016-001"}, {"foreign_lang_cert_date", "2016-06-01"}})
	save(t, ctx, "证书信息")
}

var registeredRe = regexp.MustCompile(`已报名:(\d+)/`)

// optionCount returns the 已报名 count of the program option with value id
// on the choice page.
func optionCount(t *testing.T, ctx context.Context, id string) int {
	t.Helper()
	label := text(t, ctx, `#f-program option[value="`+id+`"]`)
	m := registeredRe.FindStringSubmatch(label)
	if m == nil {
		t.Fatalf("program option reads %q, want 专业(已报名:N/已录取:N/计划数:N)", label)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pickBase selects a base on the choice page and waits for apply.js to list
// its specialties.
func pickBase(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	fill(t, ctx, [][2]string{{"base", base}})
	waitFor(t, ctx, `document.querySelectorAll('#f-program option[value]:not([value=""])').length > 1`, stepWait, "the specialties of the base")
}

// submitChoice chooses program on the open choice page, confirms in the
// dialog and waits for the result page.
func submitChoice(t *testing.T, ctx context.Context, program string) {
	t.Helper()
	fill(t, ctx, [][2]string{{"program_id", program}, {"accepts_adjustment", "是"}})
	step(t, ctx, "open the confirmation", chromedp.Click(chromedp.CSS("#submit-choice")), chromedp.WaitVisible(chromedp.CSS("#confirm-dialog")))
	if msg := text(t, ctx, "#confirm-dialog"); !strings.Contains(msg, "确定要提交报名信息吗, 提交后培训基地将看到您所填写的信息") {
		t.Errorf("dialog reads %q", msg)
	}
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.CSS("#result")))
}

// boardRegistered reads the public board's 已报名 of a program after the
// board's snapshot has had time to refresh.
func boardRegistered(t *testing.T, ctx context.Context, srv *server, program string) int {
	t.Helper()
	time.Sleep(2500 * time.Millisecond) // the public snapshot lives 2 seconds
	open(t, ctx, srv.URL+"/board")
	n, err := strconv.Atoi(text(t, ctx, `tr[data-id="`+program+`"] [data-field="registered"]`))
	if err != nil {
		t.Fatalf("board count: %v", err)
	}
	return n
}

// followsCounts checks that the open choice page follows the counts of
// program as apply.js polls them through poll.js: while they are unchanged
// a poll is answered 304 Not Modified and the label stays, and another
// applicant's choice of program shows in it without a reload.
func followsCounts(t *testing.T, ctx context.Context, srv *server, program string) {
	t.Helper()
	evaluate[chromedp.Void](t, ctx, `window.__noReload = 1`)
	label := text(t, ctx, `#f-program option[value="`+program+`"]`)
	n := optionCount(t, ctx, program)
	waitFor(t, ctx, `performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/programs?base=') && e.responseStatus === 304)`,
		2*boardPoll, "a poll of the choice page answered 304 Not Modified")
	if got := text(t, ctx, `#f-program option[value="`+program+`"]`); got != label {
		t.Errorf("after a 304 the option reads %q, want %q", got, label)
	}
	if got := text(t, ctx, "#counts-updated"); !strings.HasPrefix(got, "名额数据更新于 ") {
		t.Errorf("counts time %q, want 名额数据更新于 …", got)
	}
	id, err := strconv.ParseInt(program, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if status, code := registerApplicants(t, srv.URL, 1)[0].Choose(id, true); status != http.StatusOK {
		t.Fatalf("another applicant's choice: %d %s", status, code)
	}
	want := fmt.Sprintf("已报名:%d/", n+1)
	waitFor(t, ctx, `document.querySelector('#f-program option[value="`+program+`"]').textContent.includes(`+jsString(want)+`)`,
		2*boardPoll, "the option to show "+want)
	if !evaluate[bool](t, ctx, `window.__noReload === 1`) {
		t.Error("the choice page reloaded to update its counts")
	}
	if status := text(t, ctx, "#counts-status"); status != "" {
		t.Errorf("poll status %q, want none", status)
	}
}

// TestApplyOnDesktop registers a new applicant on the PC layout and moves
// the choice; the counts on the choice page and the board follow.
func TestApplyOnDesktop(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, desktop()); err != nil {
		t.Fatal(err)
	}
	loginAndBind(t, ctx, srv, "PC用户", applyIDNumber(t, 11))
	if !evaluate[bool](t, ctx, `getComputedStyle(document.querySelector('.apply-tabs')).display !== 'none'`) {
		t.Error("the PC layout does not show the tabs")
	}
	tabs := texts(t, ctx, ".apply-tabs a")
	if strings.Join(tabs, ",") != "1. 基本信息,2. 工作信息,3. 教育信息,4. 证书信息,5. 填报志愿" {
		t.Errorf("tabs %q", tabs)
	}
	fillAllSections(t, ctx, srv, applyPhoto(t))

	open(t, ctx, srv.URL+"/apply/choice")
	if got := visibleTexts(t, ctx, `label[for="f-base"], label[for="f-program"], #submit-choice`); strings.Join(got, ",") != "培训基地,培训专业,提交报名信息" {
		t.Errorf("PC choice labels %q, want 培训基地, 培训专业, 提交报名信息 (seed 6.6)", got)
	}
	base := evaluate[string](t, ctx, `document.querySelector('#f-base option[value]:not([value=""])').value`)
	pickBase(t, ctx, base)
	ids := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#f-program option'), o => o.value).filter(v => v)`)
	first, second := ids[0], ids[1]
	followsCounts(t, ctx, srv, first)
	before, beforeSecond := optionCount(t, ctx, first), optionCount(t, ctx, second)
	boardBefore := boardRegistered(t, ctx, srv, first)
	if boardBefore != before {
		t.Errorf("board shows %d registered, the choice page %d", boardBefore, before)
	}
	open(t, ctx, srv.URL+"/apply/choice")
	pickBase(t, ctx, base)
	submitChoice(t, ctx, first)
	if state := text(t, ctx, `#result [data-field="state"]`); state != "待审核" {
		t.Errorf("审核结果 %q, want 待审核", state)
	}
	if got := boardRegistered(t, ctx, srv, first); got != before+1 {
		t.Errorf("board after the choice: %d, want %d", got, before+1)
	}
	open(t, ctx, srv.URL+"/apply/choice")
	if got := optionCount(t, ctx, first); got != before+1 {
		t.Errorf("choice page after the choice: %d, want %d", got, before+1)
	}

	// Change to another specialty: the count moves.
	submitChoice(t, ctx, second)
	open(t, ctx, srv.URL+"/apply/choice")
	if a, b := optionCount(t, ctx, first), optionCount(t, ctx, second); a != before || b != beforeSecond+1 {
		t.Errorf("after the change: first %d (want %d), second %d (want %d)", a, before, b, beforeSecond+1)
	}
	if got := boardRegistered(t, ctx, srv, second); got != beforeSecond+1 {
		t.Errorf("board after the change: %d, want %d", got, beforeSecond+1)
	}
}

// TestApplyOnPhone registers a new applicant with WeChat on a phone: the
// same pages show the step list with each section's status.
func TestApplyOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, mobile()); err != nil {
		t.Fatal(err)
	}
	loginAndBind(t, ctx, srv, "手机用户", applyIDNumber(t, 13))
	if !evaluate[bool](t, ctx, `getComputedStyle(document.querySelector('.apply-tabs')).display === 'none'`) {
		t.Error("the phone layout shows the PC tabs")
	}
	if lead := text(t, ctx, ".card .lead"); lead != "请依次填写基本信息、教育经历、证书信息、工作信息、报考志愿。" {
		t.Errorf("step list reads %q", lead)
	}
	if got := texts(t, ctx, ".apply-steps .status"); strings.Join(got, ",") != "未填写,未填写,未填写,未填写,未填写" {
		t.Errorf("statuses before: %q", got)
	}
	fillAllSections(t, ctx, srv, applyPhoto(t))
	if got := texts(t, ctx, ".apply-steps .status"); strings.Join(got, ",") != "已填写,已填写,已填写,已填写,未填写" {
		t.Errorf("statuses after the four sections: %q", got)
	}
	if got := texts(t, ctx, ".apply-steps .step-label"); strings.Join(got, ",") != "基本信息,教育经历,证书信息,工作信息,报考志愿" {
		t.Errorf("step order %q", got)
	}

	open(t, ctx, srv.URL+"/apply/choice")
	if got := visibleTexts(t, ctx, `label[for="f-base"], label[for="f-program"], #submit-choice`); strings.Join(got, ",") != "报名基地,报名专业,确定报考" {
		t.Errorf("phone choice labels %q, want the seed's 报名基地, 报名专业, 确定报考", got)
	}
	base := evaluate[string](t, ctx, `document.querySelector('#f-base option[value]:not([value=""])').value`)
	pickBase(t, ctx, base)
	program := evaluate[string](t, ctx, `Array.from(document.querySelectorAll('#f-program option'), o => o.value).filter(v => v)[0]`)
	before := optionCount(t, ctx, program)
	// Without 是否接受调剂 the page says so, and asks no confirmation.
	fill(t, ctx, [][2]string{{"program_id", program}})
	evaluate[chromedp.Void](t, ctx, `document.getElementById('submit-choice').click()`)
	if msg := text(t, ctx, `[data-error-for="accepts_adjustment"]`); msg != "请选择是否接受调剂" || !evaluate[bool](t, ctx, `document.getElementById('confirm-dialog').hidden`) {
		t.Errorf("submitting without 是否接受调剂: message %q, dialog open %v", msg, !evaluate[bool](t, ctx, `document.getElementById('confirm-dialog').hidden`))
	}
	submitChoice(t, ctx, program)
	open(t, ctx, srv.URL+"/apply/choice")
	if got := optionCount(t, ctx, program); got != before+1 {
		t.Errorf("choice page after the choice: %d, want %d", got, before+1)
	}
	if got := boardRegistered(t, ctx, srv, program); got != before+1 {
		t.Errorf("board after the choice: %d, want %d", got, before+1)
	}
}
