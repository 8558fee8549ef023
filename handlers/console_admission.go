package handlers

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/review"
)

// The console's admission screens: /admin/admission (provisional admission
// with the live plan and counts per program, undo, admission, publishing)
// and /admin/dates (the base's dates per round, exam and interview
// notices). Base admins work on their own base; the province picks one
// (?base=). Every form posts back to the screen, which calls the review
// service — the same use-cases as the admin API — and comes back with what
// happened; a refusal re-renders the screen with the reason and what was
// typed.

// admissionScreens registers the screens on the console's authenticated
// group (when the review service is configured).
func (s *server) admissionScreens(auth fiber.Router) {
	auth.Get("/admission", s.admissionScreen)
	auth.Post("/admission", s.consolePublish)
	auth.Post("/admission/:id/:act", s.consoleAdmissionAct)
	auth.Get("/dates", s.datesScreen)
	auth.Post("/dates/:form", s.consoleDatesForm)
}

// consoleBase is the base a screen works on: a base's staff member's own;
// for the province the base parameter (0 when none was chosen).
func consoleBase(c *fiber.Ctx) (int64, error) {
	st := consoleStaff(c)
	if st.Role.HasBase() {
		return st.BaseID, nil
	}
	raw := c.FormValue("base", c.Query("base"))
	if raw == "" {
		return 0, nil
	}
	id, ok := parseID(raw)
	if !ok {
		return 0, recruit.Errorf(recruit.EINVALID, "培训基地参数无效")
	}
	return id, nil
}

// screenBack is the screen's address for base with a done message key.
func screenBack(path string, base int64, done string) string {
	q := url.Values{"done": {done}}
	if base != 0 {
		q.Set("base", strconv.FormatInt(base, 10))
	}
	return path + "?" + q.Encode()
}

// doneMessages are the confirmations a screen shows after a redirect.
var doneMessages = map[string]string{
	"provisional": "已拟录取，报名人员将收到拟录取通知。",
	"undo":        "已撤销拟录取，名额已释放，报名人员将收到通知。",
	"admit":       "已确认录取，报名人员将收到录取通知。",
	"publish":     "名单已公示，公众可在“拟录取名单公示”页面查看。",
	"dates":       "日期已保存，报名人员可在结果查询页面看到。",
}

// refused reports whether err is a refusal to show on the screen (a 4xx),
// not a failure for the error page.
func refused(err error) (int, bool) {
	st, ok := statusOf[recruit.ErrorCode(err)]
	return st, ok && st < 500 && !errors.Is(err, errConsoleLogin)
}

// candidateRow is one candidate of the admission screen with the actions
// the phase and its state allow.
type candidateRow struct {
	review.Candidate
	Admit, Undo, Confirm bool
	// The offer as the queue's state cell shows it (partials/offer.html).
	OfferState    recruit.OfferState
	OfferDeadline time.Time
	OfferDueSoon  bool
}

// admissionData is the data of admin_admission.html.
type admissionData struct {
	Base         int64
	Bases        []recruit.Base // the province's choice
	View         review.Admission
	PhaseLabel   string
	Rows         []candidateRow
	CanPublish   bool
	PublishLabel string
	Done, Error  string
	PollURL      string
	UpdatedAt    string
}

func (s *server) admissionScreen(c *fiber.Ctx) error {
	return s.renderAdmission(c, fiber.StatusOK, "")
}

// renderAdmission renders the admission screen with status and, when not
// empty, the refusal message.
func (s *server) renderAdmission(c *fiber.Ctx, status int, refusal string) error {
	base, err := consoleBase(c)
	if err != nil {
		return err
	}
	d := admissionData{Base: base, Done: doneMessages[c.Query("done")], Error: refusal}
	if base == 0 {
		if d.Bases, err = s.store.ListBases(c.UserContext()); err != nil {
			return err
		}
		return s.renderConsole(c, status, "admin_admission.html", consolePage{Title: "拟录取与公示", Nav: "admission", Body: d})
	}
	if d.View, err = s.review.Admission(c.UserContext(), consoleStaff(c), base); err != nil {
		return err
	}
	phase := d.View.Phase
	inRound := slices.Contains(recruit.Rounds, phase)
	d.PhaseLabel = phase.Label()
	d.CanPublish = recruit.BaseMay(phase, nil, recruit.PublishAction(phase)) == nil
	d.PublishLabel = "公示" + recruit.ListTitle(phase)
	now := s.now()
	for _, cand := range d.View.Candidates {
		app := cand.App
		provisional := app.State == recruit.StateProvisional
		d.Rows = append(d.Rows, candidateRow{Candidate: cand,
			Admit:         inRound && app.State == recruit.StateApproved,
			Undo:          inRound && provisional && !cand.Published && recruit.CheckUndoOffer(app) == nil,
			Confirm:       phase == recruit.PhaseConfirmation && provisional && recruit.CheckAdmitOffer(app, d.View.Year.Offers.RequireAcceptance) == nil,
			OfferState:    app.OfferState,
			OfferDeadline: app.OfferDeadline,
			OfferDueSoon:  app.OfferDueSoon(now),
		})
	}
	d.PollURL = "/api/v1/programs?base=" + strconv.FormatInt(base, 10)
	d.UpdatedAt = s.now().In(recruit.Shanghai).Format("2006/1/2 15:04:05")
	return s.renderConsole(c, status, "admin_admission.html", consolePage{Title: "拟录取与公示", Nav: "admission", Body: d})
}

// consoleAdmissionAct is POST /admin/admission/{id}/{act}: provisional,
// undo (with the remark field) or admit.
func (s *server) consoleAdmissionAct(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "报名")
	if err != nil {
		return err
	}
	ctx, by := c.UserContext(), consoleStaff(c)
	act := c.Params("act")
	switch act {
	case "provisional":
		_, err = s.review.AdmitProvisionally(ctx, by, id)
	case "undo":
		_, err = s.review.UndoProvisional(ctx, by, id, c.FormValue("remark"))
	case "admit":
		_, err = s.review.AdmitApplication(ctx, by, id)
	default:
		return recruit.Errorf(recruit.ENOTFOUND, "您访问的页面不存在")
	}
	return s.afterAdmission(c, act, err)
}

// consolePublish is POST /admin/admission: publishing the base's list.
func (s *server) consolePublish(c *fiber.Ctx) error {
	base, err := consoleBase(c)
	if err != nil {
		return err
	}
	_, err = s.review.PublishList(c.UserContext(), consoleStaff(c), base)
	return s.afterAdmission(c, "publish", err)
}

// afterAdmission goes back to the admission screen saying done, or shows
// the screen with the refusal err.
func (s *server) afterAdmission(c *fiber.Ctx, done string, err error) error {
	if err == nil {
		base, _ := consoleBase(c)
		return c.Redirect(screenBack("/admin/admission", base, done), fiber.StatusSeeOther)
	}
	if st, ok := refused(err); ok {
		return s.renderAdmission(c, st, recruit.ErrorMessage(err))
	}
	return err
}

// datetimeLocal is the layout of an <input type="datetime-local"> value,
// read as Beijing time.
const datetimeLocal = "2006-01-02T15:04"

// localValue is t as an <input type="datetime-local"> shows it, "" for the
// zero time.
func localValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format(datetimeLocal)
}

// parseLocal reads a datetime-local value (empty: the zero time) of the
// field labelled label into fe.
func parseLocal(fe recruit.FieldErrors, field, label, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(datetimeLocal, v, recruit.Shanghai)
	if err != nil {
		fe.Add(field, label+"的格式应为 2025-07-20T09:00")
	}
	return t
}

// roundDates is one round's dates form of the dates screen.
type roundDates struct {
	Round  recruit.Phase
	Label  string
	Window string
	Fields []dateField
}

// dateField is one date input with its value as typed or stored.
type dateField struct {
	Field, Label, Value string
}

// noticeForm is the notice form as typed.
type noticeForm struct {
	Kind, At, Place string
	Chosen          map[int64]bool
}

// datesData is the data of admin_dates.html.
type datesData struct {
	Base        int64
	Bases       []recruit.Base
	PhaseLabel  string
	Rounds      []roundDates
	Approved    []review.Candidate
	Notice      noticeForm
	Done, Error string
}

func (s *server) datesScreen(c *fiber.Ctx) error {
	return s.renderDates(c, fiber.StatusOK, "", nil, noticeForm{Kind: review.NoticeExam})
}

// renderDates renders the dates screen; typed, when not nil, replaces the
// stored dates of its round, and notice keeps the notice form as typed.
func (s *server) renderDates(c *fiber.Ctx, status int, refusal string, typed *recruit.BaseDates, notice noticeForm) error {
	base, err := consoleBase(c)
	if err != nil {
		return err
	}
	d := datesData{Base: base, Done: doneMessages[c.Query("done")], Error: refusal, Notice: notice}
	if n, err := strconv.Atoi(c.Query("sent")); err == nil {
		d.Done = "通知已发送给 " + strconv.Itoa(n) + " 名人员。"
		if a, err := strconv.Atoi(c.Query("already")); err == nil && a > 0 {
			d.Done += "另有 " + strconv.Itoa(a) + " 名人员此前已收到同一通知。"
		}
	}
	if base == 0 {
		if d.Bases, err = s.store.ListBases(c.UserContext()); err != nil {
			return err
		}
		return s.renderConsole(c, status, "admin_dates.html", consolePage{Title: "日期与通知", Nav: "dates", Body: d})
	}
	v, err := s.review.Admission(c.UserContext(), consoleStaff(c), base)
	if err != nil {
		return err
	}
	d.PhaseLabel = v.Phase.Label()
	stored := map[recruit.Phase]recruit.BaseDates{}
	for _, bd := range v.Dates {
		stored[bd.Round] = bd
	}
	if typed != nil {
		stored[typed.Round] = *typed
	}
	for _, r := range recruit.Rounds {
		start, end, _ := v.Year.Calendar.Start(r)
		rd := roundDates{Round: r, Label: r.Label(), Window: formatTime(start) + " 至 " + formatTime(end)}
		bd := stored[r]
		for _, ld := range bd.Labelled() {
			rd.Fields = append(rd.Fields, dateField{Field: ld.Field, Label: ld.Label, Value: localValue(ld.At)})
		}
		rd.Fields = typedValues(rd.Fields, typed, r, c)
		d.Rounds = append(d.Rounds, rd)
	}
	for _, cand := range v.Candidates {
		if cand.App.State == recruit.StateApproved {
			d.Approved = append(d.Approved, cand)
		}
	}
	return s.renderConsole(c, status, "admin_dates.html", consolePage{Title: "日期与通知", Nav: "dates", Body: d})
}

// typedValues keeps what was typed into the fields of round r when the
// refused form was that round's: a value that is no date stays as typed.
func typedValues(fields []dateField, typed *recruit.BaseDates, r recruit.Phase, c *fiber.Ctx) []dateField {
	if typed == nil || typed.Round != r {
		return fields
	}
	for i := range fields {
		fields[i].Value = c.FormValue(fields[i].Field)
	}
	return fields
}

// consoleDatesForm is POST /admin/dates/{form}: round (one round's dates)
// or notice.
func (s *server) consoleDatesForm(c *fiber.Ctx) error {
	switch c.Params("form") {
	case "round":
		return s.consoleSetDates(c)
	case "notice":
		return s.consoleSendNotice(c)
	}
	return recruit.Errorf(recruit.ENOTFOUND, "您访问的页面不存在")
}

// consoleSetDates saves one round's dates (setBaseDates).
func (s *server) consoleSetDates(c *fiber.Ctx) error {
	base, err := consoleBase(c)
	if err != nil {
		return err
	}
	round, err := recruit.ParseRound(c.FormValue("round"))
	if err != nil {
		return err
	}
	d := recruit.BaseDates{BaseID: base, Round: round}
	fe := recruit.FieldErrors{}
	for _, ld := range d.Labelled() {
		t := parseLocal(fe, ld.Field, ld.Label, c.FormValue(ld.Field))
		switch ld.Field {
		case "review_deadline":
			d.ReviewDeadline = t
		case "written_exam":
			d.WrittenExam = t
		case "interview":
			d.Interview = t
		case "provisional_admission":
			d.ProvisionalAdmission = t
		}
	}
	err = fe.Err()
	if err == nil {
		_, err = s.review.SetBaseDates(c.UserContext(), consoleStaff(c), d)
	}
	if err == nil {
		return c.Redirect(screenBack("/admin/dates", base, "dates"), fiber.StatusSeeOther)
	}
	if st, ok := refused(err); ok {
		return s.renderDates(c, st, recruit.ErrorMessage(err), &d, noticeForm{Kind: review.NoticeExam})
	}
	return err
}

// consoleSendNotice sends an exam or interview notice to the chosen
// approved applicants (sendNotice).
func (s *server) consoleSendNotice(c *fiber.Ctx) error {
	base, err := consoleBase(c)
	if err != nil {
		return err
	}
	form := noticeForm{Kind: c.FormValue("kind"), At: c.FormValue("at"), Place: c.FormValue("place"), Chosen: map[int64]bool{}}
	n := review.Notice{BaseID: base, Kind: form.Kind, Place: form.Place}
	fe := recruit.FieldErrors{}
	n.At = parseLocal(fe, "at", "时间", form.At)
	for _, raw := range c.Request().PostArgs().PeekMulti("app") {
		id, ok := parseID(string(raw))
		if !ok {
			fe.Add("app", "所选人员无效")
			continue
		}
		n.ApplicationIDs = append(n.ApplicationIDs, id)
		form.Chosen[id] = true
	}
	err = fe.Err()
	var res review.NoticeResult
	if err == nil {
		res, err = s.review.SendNotice(c.UserContext(), consoleStaff(c), n)
	}
	if err == nil {
		q := url.Values{"sent": {strconv.Itoa(res.Queued)}, "already": {strconv.Itoa(res.Already)}, "base": {strconv.FormatInt(base, 10)}}
		return c.Redirect("/admin/dates?"+q.Encode(), fiber.StatusSeeOther)
	}
	if st, ok := refused(err); ok {
		return s.renderDates(c, st, recruit.ErrorMessage(err), nil, form)
	}
	return err
}
