package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
)

// The province's console screens — 日历, 基地与计划, 温馨提示, 统计,
// 审计日志 — the last two also a base admin's, for their own base. Each
// screen reads and changes through the province service, which checks
// role and base; a refused or bad change shows the page again with the
// message and what was typed. A change expires this instance's public
// snapshot, so that the public pages show it at once.

// provinceScreens registers the screens on the console's authenticated group.
func (s *server) provinceScreens(auth fiber.Router) {
	auth.Get("/calendar", s.calendarScreen)
	auth.Post("/calendar", s.calendarSubmit)
	auth.Get("/plans", s.plansScreen)
	auth.Post("/plans/import", s.plansImport)
	auth.Post("/plans/:id", s.planSubmit)
	auth.Get("/notice", s.noticeScreen)
	auth.Post("/notice", s.noticeSubmit)
	auth.Get("/statistics", s.statisticsScreen)
	auth.Get("/audit", s.auditScreen)
}

// formProblem is the status and message a form shows for err, ok false
// when err is not the user's to fix on the form (a missing object or a
// server error goes to the error handler).
func formProblem(err error) (int, string, bool) {
	st, ok := statusOf[recruit.ErrorCode(err)]
	if !ok || st >= 500 || recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return 0, "", false
	}
	return st, recruit.ErrorMessage(err), true
}

// calendarField is one phase start of the calendar form.
type calendarField struct {
	Key, Label, Value string
}

// calendarData is the data of admin_calendar.html.
type calendarData struct {
	Year     int
	Fields   []calendarField
	Override bool
	Reason   string
	Error    string
	Saved    bool
}

// localMinute is the form of a datetime-local input, in Shanghai.
const localMinute = "2006-01-02T15:04"

// calendarFields are the form's fields of cal (zero: empty).
func calendarFields(cal recruit.Calendar) []calendarField {
	starts := cal.Starts()
	out := make([]calendarField, len(starts))
	for i, ps := range starts {
		out[i] = calendarField{Key: string(ps.Phase), Label: ps.Phase.Label()}
		if !ps.At.IsZero() {
			out[i].Value = ps.At.In(recruit.Shanghai).Format(localMinute)
		}
	}
	return out
}

// calendarScreen is GET /admin/calendar: the year's phase starts.
func (s *server) calendarScreen(c *fiber.Ctx) error {
	y, _, err := s.province.Plans(c.UserContext(), consoleStaff(c), 0)
	if err != nil {
		return err
	}
	d := calendarData{Year: y.Year, Fields: calendarFields(y.Calendar), Saved: c.Query("saved") != ""}
	return s.renderConsole(c, fiber.StatusOK, "admin_calendar.html", consolePage{Title: "年度日程", Nav: "calendar", Body: d})
}

// calendarSubmit is POST /admin/calendar: the phase starts as typed, with
// the override and its reason for a phase that has begun.
func (s *server) calendarSubmit(c *fiber.Ctx) error {
	d := calendarData{Override: c.FormValue("override") != "", Reason: c.FormValue("reason")}
	d.Fields = calendarFields(recruit.Calendar{})
	var cal recruit.Calendar
	fields := map[string]*time.Time{
		string(recruit.PhaseRegistration): &cal.Registration, string(recruit.PhaseRound1): &cal.Round1,
		string(recruit.PhaseRound2): &cal.Round2, string(recruit.PhaseAdjustment): &cal.Adjustment,
		string(recruit.PhaseConfirmation): &cal.Confirmation, string(recruit.PhaseClosed): &cal.Closed,
	}
	var bad []string
	for i, f := range d.Fields {
		v := strings.TrimSpace(c.FormValue(f.Key))
		d.Fields[i].Value = v
		t, err := time.ParseInLocation(localMinute, v, recruit.Shanghai)
		if err != nil {
			bad = append(bad, f.Label)
			continue
		}
		*fields[f.Key] = t
	}
	var err error
	if len(bad) > 0 {
		err = recruit.Errorf(recruit.EINVALID, "请填写%s的开始时间（年-月-日 时:分）", strings.Join(bad, "、"))
	} else {
		var y recruit.Year
		y, err = s.province.UpdateCalendar(c.UserContext(), consoleStaff(c), province.CalendarChange{Calendar: cal, Override: d.Override, Reason: d.Reason})
		if err == nil {
			s.public.expire()
			return c.Redirect(fmt.Sprintf("/admin/calendar?saved=%d", y.Year), fiber.StatusSeeOther)
		}
	}
	st, msg, ok := formProblem(err)
	if !ok {
		return err
	}
	d.Error = msg
	return s.renderConsole(c, st, "admin_calendar.html", consolePage{Title: "年度日程", Nav: "calendar", Body: d})
}

// plansData is the data of admin_plans.html: the year's totals and one
// base's programs.
type plansData struct {
	Year     int
	Count    int // programs of the year
	Plan     int
	Admitted int
	Bases    []recruit.Base
	Base     recruit.Base
	Programs []recruit.Program // the base's
	// Typed is a refused plan change: the program and the value typed.
	TypedID int64
	Typed   string
	Error   string
	Saved   string
}

// renderPlans shows the programs of the latest year at base (0: the first
// base) with d's message.
func (s *server) renderPlans(c *fiber.Ctx, status int, base int64, d plansData) error {
	y, ps, err := s.province.Plans(c.UserContext(), consoleStaff(c), 0)
	if err != nil {
		return err
	}
	if d.Bases, err = s.store.ListBases(c.UserContext()); err != nil {
		return err
	}
	for _, b := range d.Bases {
		if b.ID == base || (base == 0 && d.Base.ID == 0) {
			d.Base = b
		}
	}
	if base != 0 && d.Base.ID != base {
		return recruit.BaseNotFound(base)
	}
	d.Year, d.Count = y.Year, len(ps)
	for _, p := range ps {
		d.Plan += p.Plan
		d.Admitted += p.Admitted
		if p.BaseID == d.Base.ID {
			d.Programs = append(d.Programs, p)
		}
	}
	return s.renderConsole(c, status, "admin_plans.html", consolePage{Title: "基地与计划", Nav: "plans", Body: d})
}

// plansScreen is GET /admin/plans?base=.
func (s *server) plansScreen(c *fiber.Ctx) error {
	base, err := queryID(c, "base", "培训基地编号")
	if err != nil {
		return err
	}
	return s.renderPlans(c, fiber.StatusOK, base, plansData{Saved: c.Query("saved")})
}

// planSubmit is POST /admin/plans/{id}?base=: one program's new plan.
func (s *server) planSubmit(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "培训计划")
	if err != nil {
		return err
	}
	base, err := queryID(c, "base", "培训基地编号")
	if err != nil {
		return err
	}
	typed := strings.TrimSpace(c.FormValue("plan"))
	n, perr := strconv.Atoi(typed)
	if perr != nil {
		n = -1 // not a plan number: the service refuses it after checking the caller
	}
	if _, err = s.province.UpdatePlan(c.UserContext(), consoleStaff(c), id, n); err == nil {
		s.public.expire()
		return c.Redirect(fmt.Sprintf("/admin/plans?base=%d&saved=plan", base), fiber.StatusSeeOther)
	}
	st, msg, ok := formProblem(err)
	if !ok {
		return err
	}
	return s.renderPlans(c, st, base, plansData{TypedID: id, Typed: typed, Error: msg})
}

// plansImport is POST /admin/plans/import: a plan file, all or nothing.
func (s *server) plansImport(c *fiber.Ctx) error {
	_, err := s.importUpload(c, s.province, consoleStaff(c), 0)
	if err == nil {
		return c.Redirect("/admin/plans?saved=import", fiber.StatusSeeOther)
	}
	st, msg, ok := formProblem(err)
	if !ok {
		return err
	}
	return s.renderPlans(c, st, 0, plansData{Error: msg})
}

// noticeData is the data of admin_notice.html.
type noticeData struct {
	Year  int
	Text  string
	Max   int
	Error string
	Saved bool
}

// noticeScreen is GET /admin/notice: the 温馨提示 text.
func (s *server) noticeScreen(c *fiber.Ctx) error {
	y, _, err := s.province.Plans(c.UserContext(), consoleStaff(c), 0)
	if err != nil {
		return err
	}
	d := noticeData{Year: y.Year, Text: y.Notice, Max: province.MaxNotice, Saved: c.Query("saved") != ""}
	return s.renderConsole(c, fiber.StatusOK, "admin_notice.html", consolePage{Title: "温馨提示", Nav: "notice", Body: d})
}

// noticeSubmit is POST /admin/notice.
func (s *server) noticeSubmit(c *fiber.Ctx) error {
	text := c.FormValue("notice")
	_, err := s.province.UpdateNotice(c.UserContext(), consoleStaff(c), 0, text)
	if err == nil {
		s.public.expire()
		return c.Redirect("/admin/notice?saved=1", fiber.StatusSeeOther)
	}
	st, msg, ok := formProblem(err)
	if !ok {
		return err
	}
	d := noticeData{Text: text, Max: province.MaxNotice, Error: msg}
	return s.renderConsole(c, st, "admin_notice.html", consolePage{Title: "温馨提示", Nav: "notice", Body: d})
}

// statsData is the data of admin_statistics.html.
type statsData struct {
	recruit.Stats
	Province bool
	Bases    []recruit.Base
	Rounds   []recruit.Phase
	Rows     []recruit.ProgramStats // per base for every base, else per program
	Seats    chartView              // plan against seats held, per base or specialty
	Daily    chartView              // registrations per day and in all
	Funnel   []funnelRow
}

// funnelRow is one step of the funnel with its share of the first step.
type funnelRow struct {
	recruit.FunnelStep
	Percent string
}

// percent formats n of all as a percentage, "—" when all is 0.
func percent(n, all int) string {
	if all == 0 {
		return "—"
	}
	return formatPercent(float64(n) / float64(all))
}

// statsCharts lays out the statistics' two charts: per base for every
// base, per specialty for one (its programs).
func statsCharts(st recruit.Stats, rows []recruit.ProgramStats) (seats, daily chartView) {
	items := make([]chartItem, len(rows))
	for i, r := range rows {
		label := r.BaseName
		if st.BaseID != 0 {
			label = r.SpecialtyName
		}
		items[i] = chartItem{Label: label, Plan: r.Plan, Registered: r.Provisional + r.Admitted}
	}
	seats = layoutChart(chartSpec{ID: "chart-seats", Title: "招收计划/已录取（含拟录取）对比图", A: "招收计划", B: "已录取（含拟录取）", NoData: "暂无招收计划数据"}, items)
	days := make([]chartItem, len(st.Days))
	sum := 0
	for i, d := range st.Days {
		sum += d.N
		days[i] = chartItem{Key: d.Day, Label: d.Day, Plan: d.N, Registered: sum}
	}
	daily = layoutChart(chartSpec{ID: "chart-days", Title: "每日报名人数", A: "当日报名", B: "累计报名", NoData: "暂无报名"}, days)
	return seats, daily
}

// statisticsScreen is GET /admin/statistics: ?round= and, for the
// province, ?base=.
func (s *server) statisticsScreen(c *fiber.Ctx) error {
	by := consoleStaff(c)
	_, st, err := staffQuery(c, by, statsRequest, s.province.Statistics)
	if err != nil {
		return err
	}
	d := statsData{Stats: st, Province: by.Role == recruit.RoleProvince, Rounds: recruit.StatsRounds}
	if d.Province {
		if d.Bases, err = s.store.ListBases(c.UserContext()); err != nil {
			return err
		}
	}
	d.Rows = st.Programs
	if st.BaseID == 0 {
		d.Rows = st.Bases()
	}
	d.Seats, d.Daily = statsCharts(st, d.Rows)
	for _, f := range st.Funnel {
		d.Funnel = append(d.Funnel, funnelRow{FunnelStep: f, Percent: percent(f.N, st.Funnel[0].N)})
	}
	return s.renderConsole(c, fiber.StatusOK, "admin_statistics.html", consolePage{Title: "统计", Nav: "statistics", Body: d})
}

// auditActions names the audit log's actions in Chinese; an action not
// listed shows as it is stored.
var auditActions = map[string]string{
	"review": "审核", "set_base_dates": "设定基地日期", province.ActionUpdateCalendar: "修改年度日程",
	province.ActionUpdatePlan: "修改计划数", province.ActionImportPlan: "导入招收计划", province.ActionUpdateNotice: "修改温馨提示",
}

// auditRow is one audit entry as the screen shows it.
type auditRow struct {
	recruit.AuditEntry
	When, ActionLabel, RoleLabel, Base string
}

// auditData is the data of admin_audit.html.
type auditData struct {
	Rows     []auditRow
	Province bool
	Bases    []recruit.Base
	Actions  map[string]string
	// The filters as typed, for the form and the next page's link.
	Staff, Action, Base, From, Until string
	Next                             string // query of the next page, "" on the last
}

// auditScreen is GET /admin/audit: the filters of listAudit, one page.
func (s *server) auditScreen(c *fiber.Ctx) error {
	by := consoleStaff(c)
	f, es, err := staffQuery(c, by, auditFilter, s.province.Audit)
	if err != nil {
		return err
	}
	d := auditData{Province: by.Role == recruit.RoleProvince, Actions: auditActions,
		Staff: c.Query("staff"), Action: c.Query("action"), Base: c.Query("base"), From: c.Query("from"), Until: c.Query("until")}
	bases, err := s.store.ListBases(c.UserContext())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, b := range bases {
		names[b.ID] = b.Name
	}
	if d.Province {
		d.Bases = bases
	}
	for _, e := range es {
		r := auditRow{AuditEntry: e, When: formatTime(e.At), ActionLabel: e.Action, RoleLabel: e.Role.Label(), Base: names[e.BaseID]}
		if l, ok := auditActions[e.Action]; ok {
			r.ActionLabel = l
		}
		if e.BaseID == 0 {
			r.Base = "全省"
		}
		d.Rows = append(d.Rows, r)
	}
	if p := pageOf(es, f); p.NextBefore != 0 {
		q := url.Values{}
		for k, v := range map[string]string{"staff": d.Staff, "action": d.Action, "base": d.Base, "from": d.From, "until": d.Until} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("before", strconv.FormatInt(p.NextBefore, 10))
		d.Next = q.Encode()
	}
	return s.renderConsole(c, fiber.StatusOK, "admin_audit.html", consolePage{Title: "审计日志", Nav: "audit", Body: d})
}
