package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/province"
	"zhupei/recruit"
)

// Staff management in the admin API (createInvitation, listStaff,
// disableStaff, releaseBinding) and on the console's 人员 screen: both call
// the province service, which checks the caller's reach and audits.

// staffAPIRoutes registers the staff management operations on the admin
// API group g.
func (a *adminAPI) staffAPIRoutes(g fiber.Router) {
	g.Post("/invitations", a.createInvitation)
	g.Get("/staff", a.listStaff)
	g.Post("/staff/:id/disable", a.disableStaff)
	g.Post("/bindings/release", a.releaseBinding)
}

// invitationInput is the body of createInvitation.
type invitationInput struct {
	Role     string `json:"role"`
	BaseID   int64  `json:"base_id"`
	Name     string `json:"name"`
	TTLHours int    `json:"ttl_hours"` // 0: recruit.DefaultInviteTTL
}

// request is the service's InviteRequest of the input.
func (in invitationInput) request() (province.InviteRequest, error) {
	role, err := recruit.ParseRole(in.Role)
	if err != nil {
		return province.InviteRequest{}, err
	}
	if in.TTLHours < 0 {
		return province.InviteRequest{}, recruit.Errorf(recruit.EINVALID, "邀请码有效期须在 1 小时到 30 天之间")
	}
	return province.InviteRequest{Role: role, BaseID: in.BaseID, Name: in.Name, TTL: time.Duration(in.TTLHours) * time.Hour}, nil
}

// invitationView is an invitation as the API answers it.
type invitationView struct {
	Code      string        `json:"code"`
	Role      recruit.Role  `json:"role"`
	RoleLabel string        `json:"role_label"`
	Base      *recruit.Base `json:"base"`
	Expires   time.Time     `json:"expires"`
}

func viewInvitation(inv province.Invite) invitationView {
	v := invitationView{Code: inv.Code, Role: inv.Role, RoleLabel: inv.Role.Label(), Expires: inv.Expires}
	if inv.Role.HasBase() {
		v.Base = &inv.Base
	}
	return v
}

// createInvitation is POST /api/v1/admin/invitations (createInvitation).
func (a *adminAPI) createInvitation(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	var in invitationInput
	if err := strictJSON(c, &in, `{"role": "base_admin", "base_id": 1, "name": "姓名（可选）", "ttl_hours": 168}`); err != nil {
		return err
	}
	req, err := in.request()
	if err != nil {
		return err
	}
	inv, err := a.province.CreateInvitation(c.UserContext(), by, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewInvitation(inv))
}

// staffView is a staff account as the API and the console show it: never
// its openids, only whether each channel is bound.
type staffView struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Role      recruit.Role `json:"role"`
	RoleLabel string       `json:"role_label"`
	BaseID    int64        `json:"base_id"`
	MPBound   bool         `json:"mp_bound"`
	OABound   bool         `json:"oa_bound"`
	Disabled  bool         `json:"disabled"`
	CreatedAt time.Time    `json:"created_at"`
}

func viewStaff(st recruit.Staff) staffView {
	return staffView{ID: st.ID, Name: st.Name, Role: st.Role, RoleLabel: st.Role.Label(), BaseID: st.BaseID,
		MPBound: st.MPOpenID != "", OABound: st.OAOpenID != "", Disabled: st.Disabled, CreatedAt: st.CreatedAt}
}

// listStaff is GET /api/v1/admin/staff (listStaff).
func (a *adminAPI) listStaff(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	all, err := a.province.ListStaff(c.UserContext(), by)
	if err != nil {
		return err
	}
	out := make([]staffView, len(all))
	for i, st := range all {
		out[i] = viewStaff(st)
	}
	return c.JSON(fiber.Map{"staff": out})
}

// disableStaff is POST /api/v1/admin/staff/{id}/disable (disableStaff).
func (a *adminAPI) disableStaff(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id", "工作人员")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := strictJSON(c, &in, `{"reason": "停用原因（可选）"}`); err != nil {
		return err
	}
	st, err := a.province.DisableStaff(c.UserContext(), by, id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"staff": viewStaff(st)})
}

// releaseInput is the body of releaseBinding.
type releaseInput struct {
	IDType   string `json:"id_type"`
	IDNumber string `json:"id_number"`
	Reason   string `json:"reason"`
}

// releaseBinding is POST /api/v1/admin/bindings/release (releaseBinding).
func (a *adminAPI) releaseBinding(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	var in releaseInput
	if err := strictJSON(c, &in, `{"id_type": "居民身份证", "id_number": "证件号码", "reason": "申诉核实情况"}`); err != nil {
		return err
	}
	id, err := a.province.ReleaseBinding(c.UserContext(), by, province.ReleaseRequest(in))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"identity_id": id.ID, "detached": id.OpenID != ""})
}

// consoleStaffRoutes registers the 人员 screen and its forms.
func (s *server) consoleStaffRoutes(g fiber.Router) {
	g.Get("/staff", s.staffScreen)
	g.Post("/staff/invite", s.staffInvite)
	g.Post("/staff/:id/disable", s.staffDisable)
	g.Post("/staff/release", s.staffRelease)
}

// staffScreenData is the data of admin_staff.html.
type staffScreenData struct {
	Staff   []staffView
	Bases   map[int64]string // base names by id
	BaseIDs []recruit.Base   // the bases the caller may invite for
	Roles   []recruit.Role   // the roles the caller may invite
	Invite  *invitationView  // the code just created, shown once
	Done    string           // what the last form did
	Error   string           // the refusal of the invitation or 停用 form
	// ReleaseError is the refusal of the release form, shown next to it.
	ReleaseError string
	IDTypes      []string
	Release      releaseInput // the release form as typed (kept on an error)
}

// staffScreen is /admin/staff: the accounts within reach with 停用, the
// invitation form and, for the province, the release of a binding.
func (s *server) staffScreen(c *fiber.Ctx) error {
	return s.renderStaffScreen(c, fiber.StatusOK, staffScreenData{Done: c.Query("done")})
}

// staffDone are the confirmations of the 人员 screen's forms.
var staffDone = map[string]string{"disabled": "账号已停用，其所有登录已立即失效。", "released": "已解除该证件号码的实名认证，并已通知相关账号。"}

func (s *server) renderStaffScreen(c *fiber.Ctx, status int, d staffScreenData) error {
	ctx, by := c.UserContext(), consoleStaff(c)
	d.Done = staffDone[d.Done]
	all, err := s.province.ListStaff(ctx, by)
	if err != nil {
		return err
	}
	for _, st := range all {
		d.Staff = append(d.Staff, viewStaff(st))
	}
	bases, err := s.store.ListBases(ctx)
	if err != nil {
		return err
	}
	d.Bases = map[int64]string{}
	for _, b := range bases {
		d.Bases[b.ID] = b.Name
	}
	if by.Role == recruit.RoleProvince {
		d.BaseIDs, d.Roles = bases, []recruit.Role{recruit.RoleBaseAdmin, recruit.RoleProvince}
	} else {
		d.BaseIDs, d.Roles = []recruit.Base{{ID: by.BaseID, Name: d.Bases[by.BaseID]}}, []recruit.Role{recruit.RoleReviewer}
	}
	d.IDTypes = recruit.IDTypes
	if d.Release.IDType == "" {
		d.Release.IDType = recruit.IDTypeResident
	}
	return s.renderConsole(c, status, "admin_staff.html", consolePage{Title: "人员", Nav: "staff", Body: d})
}

// staffFormError renders the 人员 screen with a refusal of one of its
// forms (next to the release form when release is set), or returns an
// internal error as it is.
func (s *server) staffFormError(c *fiber.Ctx, err error, d staffScreenData, release bool) error {
	st, ok := statusOf[recruit.ErrorCode(err)]
	if !ok || st >= fiber.StatusInternalServerError {
		return err
	}
	if release && consoleStaff(c).Role == recruit.RoleProvince { // only the province has the form
		d.ReleaseError = recruit.ErrorMessage(err)
	} else {
		d.Error = recruit.ErrorMessage(err)
	}
	return s.renderStaffScreen(c, st, d)
}

// staffInvite is the invitation form of the 人员 screen.
func (s *server) staffInvite(c *fiber.Ctx) error {
	base, _ := strconv.ParseInt(c.FormValue("base_id"), 10, 64)
	days, err := strconv.Atoi(c.FormValue("days", "7"))
	if err != nil || days < 1 || days > 30 {
		return s.staffFormError(c, recruit.Errorf(recruit.EINVALID, "有效期须为 1 到 30 天"), staffScreenData{}, false)
	}
	in := invitationInput{Role: c.FormValue("role"), BaseID: base, Name: c.FormValue("name"), TTLHours: days * 24}
	if in.Role == string(recruit.RoleProvince) {
		in.BaseID = 0
	}
	req, err := in.request()
	if err != nil {
		return s.staffFormError(c, err, staffScreenData{}, false)
	}
	inv, err := s.province.CreateInvitation(c.UserContext(), consoleStaff(c), req)
	if err != nil {
		return s.staffFormError(c, err, staffScreenData{}, false)
	}
	v := viewInvitation(inv)
	v.Expires = v.Expires.In(recruit.Shanghai)
	return s.renderStaffScreen(c, fiber.StatusOK, staffScreenData{Invite: &v})
}

// staffDisable is the 停用 button of the 人员 screen.
func (s *server) staffDisable(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "工作人员")
	if err == nil {
		_, err = s.province.DisableStaff(c.UserContext(), consoleStaff(c), id, c.FormValue("reason"))
	}
	if err != nil {
		return s.staffFormError(c, err, staffScreenData{}, false)
	}
	return c.Redirect("/admin/staff?done=disabled", fiber.StatusSeeOther)
}

// staffRelease is the province's release form on the 人员 screen.
func (s *server) staffRelease(c *fiber.Ctx) error {
	in := releaseInput{IDType: c.FormValue("id_type"), IDNumber: c.FormValue("id_number"), Reason: c.FormValue("reason")}
	if _, err := s.province.ReleaseBinding(c.UserContext(), consoleStaff(c), province.ReleaseRequest(in)); err != nil {
		return s.staffFormError(c, err, staffScreenData{Release: in}, true)
	}
	return c.Redirect("/admin/staff?done=released", fiber.StatusSeeOther)
}
