package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
)

// provinceRoutes registers the province's admin operations (the
// statistics and the audit log, which base admins read for their own base;
// the plan and the notice text) on the admin group.
func (a *adminAPI) provinceRoutes(g fiber.Router) {
	g.Get("/statistics", a.getStatistics)
	g.Get("/audit", a.listAudit)
	g.Put("/programs/:id/plan", a.updatePlan)
	g.Post("/plan", a.importPlan)
	g.Put("/notice", a.updateNotice)
}

// queryYear is the ?year= parameter, 0 (the latest year) when absent.
func queryYear(c *fiber.Ctx) (int, error) {
	q := c.Query("year")
	if q == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(q)
	if err != nil || y <= 0 {
		return 0, recruit.Errorf(recruit.EINVALID, "年度无效：%s", q)
	}
	return y, nil
}

// queryID is a positive integer query parameter, 0 when absent.
func queryID(c *fiber.Ctx, name, what string) (int64, error) {
	q := c.Query(name)
	if q == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(q, 10, 64)
	if err != nil || id <= 0 {
		return 0, recruit.Errorf(recruit.EINVALID, "%s无效：%s", what, q)
	}
	return id, nil
}

// queryTime is a time query parameter: RFC 3339, or a date (2006-01-02)
// meaning its midnight in Shanghai; the zero time when absent.
func queryTime(c *fiber.Ctx, name, what string) (time.Time, error) {
	q := c.Query(name)
	if q == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, q); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, q, recruit.Shanghai); err == nil {
		return t, nil
	}
	return time.Time{}, recruit.Errorf(recruit.EINVALID, "%s格式不正确：%s（应为 2025-07-01 或 2025-07-01T08:00:00+08:00）", what, q)
}

// statsRequest reads the statistics' query: ?year=, ?base=, ?round=.
func statsRequest(c *fiber.Ctx) (province.StatsRequest, error) {
	var (
		req province.StatsRequest
		err error
	)
	if req.Year, err = queryYear(c); err != nil {
		return req, err
	}
	if req.BaseID, err = queryID(c, "base", "培训基地编号"); err != nil {
		return req, err
	}
	req.Round, err = recruit.ParseStatsRound(c.Query("round"))
	return req, err
}

// staffQuery reads a query with parse and answers it with call for staff
// member by: the shape of the statistics' and the audit log's reads, in
// the API and the console alike.
func staffQuery[Q, R any](c *fiber.Ctx, by recruit.Staff, parse func(*fiber.Ctx) (Q, error),
	call func(context.Context, recruit.Staff, Q) (R, error)) (Q, R, error) {
	var r R
	q, err := parse(c)
	if err != nil {
		return q, r, err
	}
	r, err = call(c.UserContext(), by, q)
	return q, r, err
}

// apiQuery is staffQuery for the API's authenticated caller.
func apiQuery[Q, R any](a *adminAPI, c *fiber.Ctx, parse func(*fiber.Ctx) (Q, error),
	call func(context.Context, recruit.Staff, Q) (R, error)) (Q, R, error) {
	by, err := a.staff(c)
	if err != nil {
		var (
			q Q
			r R
		)
		return q, r, err
	}
	return staffQuery(c, by, parse, call)
}

// getStatistics is GET /api/v1/admin/statistics (getStatistics).
func (a *adminAPI) getStatistics(c *fiber.Ctx) error {
	_, st, err := apiQuery(a, c, statsRequest, a.province.Statistics)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// auditFilter reads the audit log's query: ?staff=, ?action=, ?base=,
// ?from=, ?until=, ?before=, ?limit=.
func auditFilter(c *fiber.Ctx) (recruit.AuditFilter, error) {
	var (
		f   recruit.AuditFilter
		err error
	)
	f.Action = c.Query("action")
	if f.StaffID, err = queryID(c, "staff", "工作人员编号"); err != nil {
		return f, err
	}
	if f.BaseID, err = queryID(c, "base", "培训基地编号"); err != nil {
		return f, err
	}
	if f.BeforeID, err = queryID(c, "before", "翻页位置"); err != nil {
		return f, err
	}
	if f.From, err = queryTime(c, "from", "开始时间"); err != nil {
		return f, err
	}
	if f.Until, err = queryTime(c, "until", "结束时间"); err != nil {
		return f, err
	}
	limit, err := queryID(c, "limit", "每页条数")
	f.Limit = int(min(limit, recruit.MaxAuditPage))
	return f, err
}

// auditPage is one page of the audit log; NextBefore, when not 0, is the
// ?before= of the next page.
type auditPage struct {
	Entries    []recruit.AuditEntry `json:"entries"`
	NextBefore int64                `json:"next_before"`
}

// pageOf is the page of entries read with f.
func pageOf(es []recruit.AuditEntry, f recruit.AuditFilter) auditPage {
	p := auditPage{Entries: es}
	if len(es) == f.PageSize() {
		p.NextBefore = es[len(es)-1].ID
	}
	return p
}

// listAudit is GET /api/v1/admin/audit (listAudit).
func (a *adminAPI) listAudit(c *fiber.Ctx) error {
	f, es, err := apiQuery(a, c, auditFilter, a.province.Audit)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(es, f))
}

// planInput is the body of updatePlan.
type planInput struct {
	Plan *int `json:"plan"`
}

// updatePlan is PUT /api/v1/admin/programs/{id}/plan (updatePlan).
func (a *adminAPI) updatePlan(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id", "培训计划")
	if err != nil {
		return err
	}
	var in planInput
	if err := strictJSON(c, &in, `{"plan": 10}`); err != nil {
		return err
	}
	if in.Plan == nil {
		return recruit.Errorf(recruit.EINVALID, "请填写计划数，格式为 {\"plan\": 10}")
	}
	p, err := a.province.UpdatePlan(c.UserContext(), by, id, *in.Plan)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"program": p})
}

// staffAndYear is the API's caller and the ?year= of a province change.
func (a *adminAPI) staffAndYear(c *fiber.Ctx) (recruit.Staff, int, error) {
	by, err := a.staff(c)
	if err != nil {
		return by, 0, err
	}
	year, err := queryYear(c)
	return by, year, err
}

// importUpload imports the plan file of the multipart field file into year
// for by (province.ImportPlan) and returns how many rows it imported.
func (s *server) importUpload(c *fiber.Ctx, prov *province.Service, by recruit.Staff, year int) (int, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return 0, recruit.Errorf(recruit.EINVALID, "请选择要导入的计划文件（.csv 或 .xlsx）")
	}
	file, err := fh.Open()
	if err != nil {
		return 0, recruit.Internal(err)
	}
	defer file.Close()
	n, err := prov.ImportPlan(c.UserContext(), by, year, fh.Filename, file)
	if err == nil {
		s.public.expire()
	}
	return n, err
}

// importPlan is POST /api/v1/admin/plan (importPlan): the multipart field
// file is a CSV or XLSX plan file.
func (a *adminAPI) importPlan(c *fiber.Ctx) error {
	by, year, err := a.staffAndYear(c)
	if err != nil {
		return err
	}
	n, err := a.server.importUpload(c, a.province, by, year)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"imported": n})
}

// noticeTextInput is the body of updateNotice.
type noticeTextInput struct {
	Notice string `json:"notice"`
}

// updateNotice is PUT /api/v1/admin/notice (updateNotice).
func (a *adminAPI) updateNotice(c *fiber.Ctx) error {
	by, year, err := a.staffAndYear(c)
	if err != nil {
		return err
	}
	var in noticeTextInput
	if err := strictJSON(c, &in, `{"notice": "温馨提示全文"}`); err != nil {
		return err
	}
	y, err := a.province.UpdateNotice(c.UserContext(), by, year, in.Notice)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": y.Year, "notice": y.Notice})
}
