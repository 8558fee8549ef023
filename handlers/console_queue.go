package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"zhupei/forms"
	"zhupei/recruit"
	"zhupei/review"
)

// The console's review screens over review.Service: the queue with its
// filters, flags, bulk review and export (/admin/queue, /admin/export) and
// one application beside its PDF form and scans (/admin/queue/:id). The
// form and the scans come from forms.Service, which decides what a base's
// staff may open and audits it.

// queueConsoleRoutes registers the review screens on the console's
// authenticated group.
func (s *server) queueConsoleRoutes(auth fiber.Router) {
	if s.review == nil {
		return
	}
	auth.Get("/queue", s.queueScreen)
	auth.Post("/queue/review", s.queueBulk)
	auth.Get("/queue/:id", s.applicationScreen)
	auth.Post("/queue/:id/review", s.applicationReview)
	auth.Get("/export", s.exportScreen)
	auth.Get("/export/file", s.exportFile)
	if s.forms != nil {
		auth.Get("/queue/:id/form", s.consoleForm)
		auth.Get("/files/:id", s.consoleFile)
	}
}

// choice is one option of a filter's select.
type choice struct{ Value, Label string }

// queueData is the data of admin_queue.html and admin_export.html.
type queueData struct {
	Q           review.Query
	Adjustment  string // "", "true", "false": Q.AcceptsAdjustment as the form has it
	Page        review.Page
	Specialties []recruit.Specialty
	Bases       []recruit.Base // the province's base filter
	States      []choice
	Rounds      []choice
	Offers      []choice // the offer filter's states
	Personnel   []string
	Filter      string // the filter as a query string, without page
	ExportURL   string // the export of the filter
	Prev, Next  string // page links, "" when none
	Error       string
	Done        int // rows just reviewed
	Selected    map[int64]bool
	Decision    string
	Remark      string
	IDsFull     bool
}

// queueOptions fills in the filter's choices for the staff member: the
// specialties of the base's programs (the province: every base and
// specialty of the year).
func (s *server) queueOptions(c *fiber.Ctx, d *queueData) error {
	ctx := c.UserContext()
	by := consoleStaff(c)
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return err
	}
	f := recruit.ProgramFilter{Year: y.Year}
	if by.Role.HasBase() {
		f.BaseID = by.BaseID
	} else if d.Bases, err = s.store.ListBases(ctx); err != nil {
		return err
	}
	programs, err := s.store.ListPrograms(ctx, f)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range programs {
		if !seen[p.SpecialtyCode] {
			seen[p.SpecialtyCode] = true
			d.Specialties = append(d.Specialties, recruit.Specialty{Code: p.SpecialtyCode, Name: p.SpecialtyName})
		}
	}
	for _, st := range recruit.ActiveStates {
		d.States = append(d.States, choice{string(st), st.Label()})
	}
	for _, r := range recruit.Rounds {
		d.Rounds = append(d.Rounds, choice{string(r), r.Label()})
	}
	d.Offers = offerChoices
	d.Personnel = recruit.OptionValues(recruit.PersonnelTypes)
	d.IDsFull = review.MayReadID(by)
	return nil
}

// filterValues is q as a query string (without page and size).
func filterValues(q review.Query) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.BaseID != 0 {
		v.Set("base", strconv.FormatInt(q.BaseID, 10))
	}
	set("round", q.Round)
	set("specialty", q.Specialty)
	set("state", q.State)
	set("personnel_type", q.PersonnelType)
	if q.AcceptsAdjustment != nil {
		v.Set("accepts_adjustment", strconv.FormatBool(*q.AcceptsAdjustment))
	}
	set("school", q.School)
	set("keyword", q.Keyword)
	set("offer", q.Offer)
	if q.Flagged {
		v.Set("flagged", "true")
	}
	set("sort", q.Sort)
	return v
}

// pageLink is the queue's address of page n of the filter.
func pageLink(filter url.Values, n int) string {
	v := url.Values{}
	for k, vs := range filter {
		v[k] = vs
	}
	v.Set("page", strconv.Itoa(n))
	return "/admin/queue?" + v.Encode()
}

// renderQueue renders the queue of d.Q with status, d's error and form
// values kept.
func (s *server) renderQueue(c *fiber.Ctx, status int, d queueData) error {
	if err := s.queueOptions(c, &d); err != nil {
		return err
	}
	if d.Q.AcceptsAdjustment != nil {
		d.Adjustment = strconv.FormatBool(*d.Q.AcceptsAdjustment)
	}
	page, err := s.review.ListApplications(c.UserContext(), consoleStaff(c), d.Q)
	if err != nil {
		return err
	}
	d.Page = page
	filter := filterValues(d.Q)
	d.Filter = filter.Encode()
	d.ExportURL = "/admin/export/file?" + d.Filter
	if page.Page > 1 {
		d.Prev = pageLink(filter, page.Page-1)
	}
	if page.Page < page.Pages() {
		d.Next = pageLink(filter, page.Page+1)
	}
	return s.renderConsole(c, status, "admin_queue.html", consolePage{Title: "审核", Nav: "queue", Body: d})
}

// queueScreen is GET /admin/queue: the filter form, one page of the queue
// with its flags, and the bulk review form.
func (s *server) queueScreen(c *fiber.Ctx) error {
	q, err := queueQuery(c)
	if err != nil {
		return err
	}
	done, _ := strconv.Atoi(c.Query("done"))
	return s.renderQueue(c, fiber.StatusOK, queueData{Q: q, Done: done})
}

// queueBulk is POST /admin/queue/review: the checked rows approved or
// rejected together (review.ReviewApplications). A refusal shows the queue
// again with the message, the rows still checked and the remark kept.
func (s *server) queueBulk(c *fiber.Ctx) error {
	back, err := url.ParseQuery(c.FormValue("filter"))
	if err != nil {
		back = url.Values{}
	}
	q, err := queueQueryFrom(back)
	if err != nil {
		return err
	}
	ids, err := bulkIDs(c.Request().PostArgs().PeekMulti("ids"))
	if err == nil {
		_, err = s.review.ReviewApplications(c.UserContext(), consoleStaff(c), ids, c.FormValue("decision"), c.FormValue("remark"))
	}
	if err != nil {
		status, ok := statusOf[recruit.ErrorCode(err)]
		if !ok || status >= 500 {
			return err
		}
		d := queueData{Q: q, Error: recruit.ErrorMessage(err), Selected: map[int64]bool{}, Decision: c.FormValue("decision"), Remark: c.FormValue("remark")}
		for _, id := range ids {
			d.Selected[id] = true
		}
		return s.renderQueue(c, status, d)
	}
	back.Set("done", strconv.Itoa(len(ids)))
	return c.Redirect("/admin/queue?"+back.Encode(), fiber.StatusSeeOther)
}

// applicationData is the data of admin_application.html.
type applicationData struct {
	D        review.Detail
	Filter   string // the queue's filter to go back to
	BackURL  string // the queue with that filter
	Error    string
	Done     bool
	Decision string
	Remark   string
	HasForm  bool // the form and scans can be opened (a base's staff)
}

// renderApplication renders the detail of application id.
func (s *server) renderApplication(c *fiber.Ctx, status int, d applicationData) error {
	id, err := pathID(c, "id", "报名")
	if err != nil {
		return err
	}
	by := consoleStaff(c)
	if d.D, err = s.review.GetApplication(c.UserContext(), by, id); err != nil {
		return err
	}
	d.HasForm = s.forms != nil && by.Role.HasBase()
	if d.Filter == "" {
		d.Filter = c.Query("filter")
	}
	d.BackURL = "/admin/queue?" + d.Filter
	return s.renderConsole(c, status, "admin_application.html", consolePage{Title: d.D.Row.Name + " 的报名", Nav: "queue", Body: d})
}

// applicationScreen is GET /admin/queue/:id.
func (s *server) applicationScreen(c *fiber.Ctx) error {
	return s.renderApplication(c, fiber.StatusOK, applicationData{Done: c.Query("done") == "1"})
}

// applicationReview is POST /admin/queue/:id/review (review.Review); a
// refusal shows the detail again with the message and the remark kept.
func (s *server) applicationReview(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "报名")
	if err != nil {
		return err
	}
	filter := c.FormValue("filter")
	_, err = s.review.Review(c.UserContext(), consoleStaff(c), id, c.FormValue("decision"), c.FormValue("remark"))
	if err != nil {
		status, ok := statusOf[recruit.ErrorCode(err)]
		if !ok || status >= 500 || status == fiber.StatusNotFound {
			return err
		}
		return s.renderApplication(c, status, applicationData{Filter: filter, Error: recruit.ErrorMessage(err),
			Decision: c.FormValue("decision"), Remark: c.FormValue("remark")})
	}
	return c.Redirect("/admin/queue/"+strconv.FormatInt(id, 10)+"?done=1&filter="+url.QueryEscape(filter), fiber.StatusSeeOther)
}

// exportScreen is GET /admin/export: the queue's filter with a download
// button.
func (s *server) exportScreen(c *fiber.Ctx) error {
	q, err := queueQuery(c)
	if err != nil {
		return err
	}
	d := queueData{Q: q}
	if err := s.queueOptions(c, &d); err != nil {
		return err
	}
	if q.AcceptsAdjustment != nil {
		d.Adjustment = strconv.FormatBool(*q.AcceptsAdjustment)
	}
	q.Size = 1
	if d.Page, err = s.review.ListApplications(c.UserContext(), consoleStaff(c), q); err != nil {
		return err
	}
	d.Filter = filterValues(q).Encode()
	d.ExportURL = "/admin/export/file?" + d.Filter
	return s.renderConsole(c, fiber.StatusOK, "admin_export.html", consolePage{Title: "导出", Nav: "export", Body: d})
}

// exportFile is GET /admin/export/file: the XLSX of the filter.
func (s *server) exportFile(c *fiber.Ctx) error {
	q, err := queueQuery(c)
	if err != nil {
		return err
	}
	return sendExport(c, s.review, consoleStaff(c), q)
}

// framable lets the console's own pages show a response in a frame.
func framable(c *fiber.Ctx) {
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
}

// consoleForm is GET /admin/queue/:id/form: the application's current PDF
// form, inline, for the detail's viewer.
func (s *server) consoleForm(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		id = 0 // which the service refuses as invalid
	}
	form, err := s.forms.ForStaff(c.UserContext(), consoleStaff(c), id)
	if err != nil {
		return err
	}
	framable(c)
	c.Response().Header.Del(fiber.HeaderContentSecurityPolicy)
	c.Set(fiber.HeaderContentType, forms.MediaType)
	c.Set(fiber.HeaderContentDisposition, form.Disposition("inline"))
	return c.Send(form.File.Data)
}

// consoleFile is GET /admin/files/:id: an applicant's upload, inline.
func (s *server) consoleFile(c *fiber.Ctx) error {
	f, err := s.forms.StaffFile(c.UserContext(), consoleStaff(c), c.Params("id"))
	if err != nil {
		return err
	}
	framable(c)
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, "inline")
	return c.Send(f.Data)
}
