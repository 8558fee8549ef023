package handlers

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/xlsx"
)

// The review queue in the admin JSON API (listApplications,
// getApplication, reviewApplications, exportApplications); the console's
// screens over the same service are in console_queue.go.

// queueRoutes registers the queue's API routes on the admin group; the
// fixed paths come before /applications/:id.
func (a *adminAPI) queueRoutes(g fiber.Router) {
	g.Get("/applications", a.listApplications)
	g.Get("/applications/export", a.exportApplications)
	g.Post("/applications/review", a.reviewApplications)
	g.Get("/applications/:id", a.getApplication)
}

// queueQuery reads the queue's filter from the query string: base, round,
// specialty, state, personnel_type, accepts_adjustment and flagged (true
// or false), school, keyword, offer, sort, page and size.
func queueQuery(c *fiber.Ctx) (review.Query, error) {
	return parseQueue(func(key string) string { return c.Query(key) })
}

// queueQueryFrom reads the queue's filter from form values.
func queueQueryFrom(v url.Values) (review.Query, error) { return parseQueue(v.Get) }

// parseQueue reads the queue's filter with get.
func parseQueue(get func(key string) string) (review.Query, error) {
	q := review.Query{
		Round: get("round"), Specialty: get("specialty"), State: get("state"),
		PersonnelType: get("personnel_type"), School: get("school"), Keyword: get("keyword"), Sort: get("sort"),
		Offer: get("offer"),
	}
	ints := []struct {
		name, what string
		to         func(int64)
	}{
		{"base", "培训基地编号", func(v int64) { q.BaseID = v }},
		{"page", "页码", func(v int64) { q.Page = int(v) }},
		{"size", "每页条数", func(v int64) { q.Size = int(v) }},
	}
	for _, p := range ints {
		if s := get(p.name); s != "" {
			v, err := strconv.ParseInt(s, 10, 32)
			if err != nil || v < 0 {
				return review.Query{}, recruit.Errorf(recruit.EINVALID, "%s无效：%s", p.what, s)
			}
			p.to(v)
		}
	}
	if s := get("accepts_adjustment"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return review.Query{}, recruit.Errorf(recruit.EINVALID, "是否接受调剂只能是 true 或 false：%s", s)
		}
		q.AcceptsAdjustment = &v
	}
	if s := get("flagged"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return review.Query{}, recruit.Errorf(recruit.EINVALID, "flagged 只能是 true 或 false：%s", s)
		}
		q.Flagged = v
	}
	return q, nil
}

// listApplications is GET /api/v1/admin/applications (listApplications).
func (a *adminAPI) listApplications(c *fiber.Ctx) error {
	by, q, err := a.staffQuery(c)
	if err != nil {
		return err
	}
	p, err := a.review.ListApplications(c.UserContext(), by, q)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// detailLinks are the addresses of an application's form and uploads for
// a mini-program client (the console has its own, console_queue.go).
func detailLinks(d review.Detail, form func(id int64) string, file func(id string) string) fiber.Map {
	files := make([]fiber.Map, len(d.Uploads))
	for i, u := range d.Uploads {
		files[i] = fiber.Map{"field": u.Field, "label": u.Label, "file_id": u.FileID, "url": file(u.FileID)}
	}
	return fiber.Map{"form_url": form(d.Row.ID), "uploads": files}
}

// getApplication is GET /api/v1/admin/applications/{id} (getApplication):
// the detail with the links of the mini-program's form and file routes.
func (a *adminAPI) getApplication(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id", "报名")
	if err != nil {
		return err
	}
	d, err := a.review.GetApplication(c.UserContext(), by, id)
	if err != nil {
		return err
	}
	links := detailLinks(d,
		func(id int64) string { return "/api/v1/mp/applications/" + strconv.FormatInt(id, 10) + "/form" },
		func(id string) string { return "/api/v1/mp/files/" + id })
	return c.JSON(fiber.Map{"application": d.Row, "profile": d.Profile, "uploads": links["uploads"], "form": d.Form,
		"form_url": links["form_url"], "history": d.History, "flags": d.Row.Flags})
}

// bulkInput is the body of reviewApplications.
type bulkInput struct {
	IDs      []int64 `json:"ids"`
	Decision string  `json:"decision"`
	Remark   string  `json:"remark"`
}

// reviewApplications is POST /api/v1/admin/applications/review
// (reviewApplications): all of ids or none.
func (a *adminAPI) reviewApplications(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	var in bulkInput
	if err := strictJSON(c, &in, `{"ids": [1, 2, …], "decision": "approve" 或 "reject", "remark": "审核意见"}`); err != nil {
		return err
	}
	apps, err := a.review.ReviewApplications(c.UserContext(), by, in.IDs, in.Decision, in.Remark)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(apps))
	for i, app := range apps {
		out[i] = fiber.Map{"id": app.ID, "state": app.State, "state_label": app.State.Label(), "review_remark": app.ReviewRemark}
	}
	return c.JSON(fiber.Map{"reviewed": len(out), "applications": out})
}

// exportApplications is GET /api/v1/admin/applications/export
// (exportApplications): the XLSX of every row listApplications finds with
// the same filters.
func (a *adminAPI) exportApplications(c *fiber.Ctx) error {
	by, q, err := a.staffQuery(c)
	if err != nil {
		return err
	}
	return sendExport(c, a.review, by, q)
}

// staffQuery authenticates the caller and reads the queue's filter.
func (a *adminAPI) staffQuery(c *fiber.Ctx) (recruit.Staff, review.Query, error) {
	by, err := a.staff(c)
	if err != nil {
		return recruit.Staff{}, review.Query{}, err
	}
	q, err := queueQuery(c)
	return by, q, err
}

// sendExport writes the export of q for by as an attachment named in
// RFC 5987 form with an ASCII fallback.
func sendExport(c *fiber.Ctx, svc *review.Service, by recruit.Staff, q review.Query) error {
	var buf bytes.Buffer
	ex, err := svc.ExportApplications(c.UserContext(), by, q, &buf)
	if err != nil {
		return err
	}
	return sendXLSX(c, buf.Bytes(), ex.Fallback, ex.Name, ex.Rows)
}

// sendXLSX sends an XLSX export of rows rows as an attachment named name in
// RFC 5987 form with the ASCII fallback, never cached.
func sendXLSX(c *fiber.Ctx, data []byte, fallback, name string, rows int) error {
	c.Set(fiber.HeaderContentType, xlsx.MediaType)
	c.Set(fiber.HeaderContentDisposition, forms.ContentDisposition("attachment", fallback, name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Export-Rows", strconv.Itoa(rows))
	return c.Send(data)
}

// bulkIDs parses the ids of a console form (several "ids" fields or one
// comma-separated value).
func bulkIDs(values [][]byte) ([]int64, error) {
	var ids []int64
	for _, v := range values {
		for _, s := range strings.Split(string(v), ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, recruit.Errorf(recruit.EINVALID, "报名编号无效：%s", s)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}
