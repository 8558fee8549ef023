package handlers

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
)

// adminAPIRoutes registers the staff's JSON API under /api/v1/admin: every
// route authenticates the caller with a.staff (adminStaff: the
// mini-program's bearer token or the console's session with its CSRF token)
// and hands the account to the review or province service, which checks
// role and base.
func (s *server) adminAPIRoutes(app *fiber.App, cfg Config) {
	if cfg.Staff == nil || cfg.Review == nil || cfg.Province == nil {
		return
	}
	a := &adminAPI{server: s, staff: s.adminStaff(cfg.Staff), review: cfg.Review, province: cfg.Province}
	g := app.Group("/api/v1/admin")
	g.Put("/calendar", a.updateCalendar)
	g.Put("/bases/:baseID/dates/:round", a.setBaseDates)
	g.Post("/applications/:id/review", a.reviewApplication)
	a.staffAPIRoutes(g)
	a.queueRoutes(g)
	a.provinceRoutes(g)
	a.admissionRoutes(g)
	g.Post("/applications/:id/offer/void", a.voidOffer)
	a.placementRoutes(g)
}

// adminAPI holds the admin routes' dependencies.
type adminAPI struct {
	server   *server
	staff    func(c *fiber.Ctx) (recruit.Staff, error)
	review   *review.Service
	province *province.Service
}

// strictJSON decodes a JSON body into v, refusing unknown fields, with a
// message naming what is wrong and the expected form.
func strictJSON(c *fiber.Ctx, v any, form string) error {
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return recruit.Errorf(recruit.EINVALID, "请求内容格式不正确（%s），格式为 %s", jsonProblem(err), form)
	}
	return nil
}

// pathID is a positive integer path parameter, EINVALID otherwise.
func pathID(c *fiber.Ctx, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, recruit.Errorf(recruit.EINVALID, "%s编号无效", what)
	}
	return id, nil
}

// updateCalendar is PUT /api/v1/admin/calendar (updateCalendar): the body
// is the year's recruit.Calendar; ?year= picks the year (the latest when
// absent), ?override=true with ?reason= moves a phase that has begun.
func (a *adminAPI) updateCalendar(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	var cal recruit.Calendar
	if err := strictJSON(c, &cal, `{"registration": "2025-07-01T00:00:00+08:00", "round1": …, "round2": …, "adjustment": …, "confirmation": …, "closed": …}`); err != nil {
		return err
	}
	ch := province.CalendarChange{Calendar: cal, Override: c.QueryBool("override"), Reason: c.Query("reason")}
	if ch.Year, err = queryYear(c); err != nil {
		return err
	}
	y, err := a.province.UpdateCalendar(c.UserContext(), by, ch)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": y.Year, "calendar": y.Calendar})
}

// baseDatesInput is the body of setBaseDates.
type baseDatesInput struct {
	ReviewDeadline       time.Time `json:"review_deadline"`
	WrittenExam          time.Time `json:"written_exam"`
	Interview            time.Time `json:"interview"`
	ProvisionalAdmission time.Time `json:"provisional_admission"`
	OfferHours           int       `json:"offer_hours"`
}

// setBaseDates is PUT /api/v1/admin/bases/{baseID}/dates/{round}
// (setBaseDates): the round's dates replace the stored ones; a date left
// out or null is not set.
func (a *adminAPI) setBaseDates(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	base, err := pathID(c, "baseID", "培训基地")
	if err != nil {
		return err
	}
	round, err := recruit.ParseRound(c.Params("round"))
	if err != nil {
		return err
	}
	var in baseDatesInput
	if err := strictJSON(c, &in, `{"review_deadline": "2025-07-20T18:00:00+08:00", "written_exam": …, "interview": …, "provisional_admission": …, "offer_hours": 72}`); err != nil {
		return err
	}
	d, err := a.review.SetBaseDates(c.UserContext(), by, recruit.BaseDates{
		BaseID: base, Round: round, ReviewDeadline: in.ReviewDeadline, WrittenExam: in.WrittenExam,
		Interview: in.Interview, ProvisionalAdmission: in.ProvisionalAdmission, OfferHours: in.OfferHours,
	})
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// reviewInput is the body of reviewApplication.
type reviewInput struct {
	Decision string `json:"decision"`
	Remark   string `json:"remark"`
}

// reviewApplication is POST /api/v1/admin/applications/{id}/review
// (reviewApplication).
func (a *adminAPI) reviewApplication(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id", "报名")
	if err != nil {
		return err
	}
	var in reviewInput
	if err := strictJSON(c, &in, `{"decision": "approve" 或 "reject", "remark": "审核意见"}`); err != nil {
		return err
	}
	app, err := a.review.Review(c.UserContext(), by, id, in.Decision, in.Remark)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"application": fiber.Map{
		"id": app.ID, "state": app.State, "state_label": app.State.Label(), "review_remark": app.ReviewRemark,
	}})
}
