package province

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
)

// Staff management within the caller's reach (DESIGN.md, "Staff, review
// and admission"): the province admin invites base admins (of any base)
// and province admins and manages every account; a base admin invites and
// manages the reviewers of its own base; a reviewer manages nobody. An
// account out of reach that belongs to another base is ENOTFOUND, as if it
// did not exist.

// Audit actions of staff management.
const (
	ActionCreateInvitation = "create_invitation"
	ActionDisableStaff     = "disable_staff"
	ActionReleaseBinding   = "release_binding"
)

// Refusals of staff management.
var (
	errNoStaffReach   = recruit.Errorf(recruit.EFORBIDDEN, "审核员不能管理工作人员账号")
	errInviteRole     = recruit.Errorf(recruit.EFORBIDDEN, "基地管理员只能邀请本基地的审核员")
	errProvinceInvite = recruit.Errorf(recruit.EFORBIDDEN, "省级管理员可以邀请基地管理员和省级管理员；审核员由所在基地的管理员邀请")
	errDisableSelf    = recruit.Errorf(recruit.EFORBIDDEN, "不能停用自己的账号")
	errDisableAdmin   = recruit.Errorf(recruit.EFORBIDDEN, "基地管理员只能停用本基地的审核员")
)

// requireEnabled refuses a disabled caller.
func requireEnabled(by recruit.Staff) error {
	if by.Disabled {
		return recruit.ErrStaffDisabled
	}
	return nil
}

// CreateInvitation is the console's and the API's invitation: req is
// checked for the caller's reach (a base admin's invitation is always for a
// reviewer of its own base, whatever req names), stored as CreateInvite
// does and audited. TTL 0 is recruit.DefaultInviteTTL.
func (s *Service) CreateInvitation(ctx context.Context, by recruit.Staff, req InviteRequest) (_ Invite, err error) {
	defer func() { err = recruit.WithOp("province.CreateInvitation", err) }()
	if err := requireEnabled(by); err != nil {
		return Invite{}, err
	}
	switch by.Role {
	case recruit.RoleProvince:
		if req.Role != recruit.RoleBaseAdmin && req.Role != recruit.RoleProvince {
			if _, err := recruit.ParseRole(string(req.Role)); err != nil {
				return Invite{}, err
			}
			return Invite{}, errProvinceInvite
		}
	case recruit.RoleBaseAdmin:
		if req.Role != recruit.RoleReviewer {
			return Invite{}, errInviteRole
		}
		if req.BaseID != by.BaseID {
			return Invite{}, recruit.BaseNotFound(req.BaseID)
		}
	default:
		return Invite{}, errNoStaffReach
	}
	if req.TTL == 0 {
		req.TTL = recruit.DefaultInviteTTL
	}
	inv, err := s.CreateInvite(ctx, req)
	if err != nil {
		return Invite{}, err
	}
	after := map[string]any{"role": inv.Role, "base_id": inv.Base.ID, "name": strings.TrimSpace(req.Name), "expires": inv.Expires}
	err = recruit.RecordStaffAction(ctx, s.store, by, s.now(), inv.Base.ID, ActionCreateInvitation,
		fmt.Sprintf("invitation:%s", inv.Role), nil, after, "")
	return inv, err
}

// ListStaff returns the accounts within the caller's reach, by id: every
// account for the province admin, the base's own for a base admin.
func (s *Service) ListStaff(ctx context.Context, by recruit.Staff) (_ []recruit.Staff, err error) {
	defer func() { err = recruit.WithOp("province.ListStaff", err) }()
	if err := requireEnabled(by); err != nil {
		return nil, err
	}
	var f recruit.StaffFilter
	switch by.Role {
	case recruit.RoleProvince:
	case recruit.RoleBaseAdmin:
		f.BaseID = by.BaseID
	default:
		return nil, errNoStaffReach
	}
	return s.store.ListStaff(ctx, f)
}

// DisableStaff disables account id (permanently: no route re-enables it;
// the person is invited anew) and audits it with the reason. Every session
// and token of the account is refused from this moment on: both transports
// read the account on every request. The province admin may disable any
// account but its own; a base admin, its own base's reviewers.
func (s *Service) DisableStaff(ctx context.Context, by recruit.Staff, id int64, reason string) (_ recruit.Staff, err error) {
	defer func() { err = recruit.WithOp("province.DisableStaff", err) }()
	if err := requireEnabled(by); err != nil {
		return recruit.Staff{}, err
	}
	if by.Role != recruit.RoleProvince && by.Role != recruit.RoleBaseAdmin {
		return recruit.Staff{}, errNoStaffReach
	}
	reason, err = cleanReason(reason, false)
	if err != nil {
		return recruit.Staff{}, err
	}
	target, err := s.store.GetStaff(ctx, id)
	if err != nil {
		return recruit.Staff{}, err
	}
	switch {
	case by.Role == recruit.RoleBaseAdmin && target.BaseID != by.BaseID:
		return recruit.Staff{}, recruit.ErrStaffNotFound
	case target.ID == by.ID:
		return recruit.Staff{}, errDisableSelf
	case by.Role == recruit.RoleBaseAdmin && target.Role != recruit.RoleReviewer:
		return recruit.Staff{}, errDisableAdmin
	case target.Disabled:
		return target, nil
	}
	out, err := s.store.SetStaffDisabled(ctx, id, true)
	if err != nil {
		return recruit.Staff{}, err
	}
	err = recruit.RecordStaffAction(ctx, s.store, by, s.now(), target.BaseID, ActionDisableStaff,
		fmt.Sprintf("staff:%d", id), map[string]bool{"disabled": false}, map[string]bool{"disabled": true}, reason)
	return out, err
}

// cleanReason trims a reason and checks its length; required refuses an
// empty one.
func cleanReason(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case required && reason == "":
		return "", recruit.Errorf(recruit.EINVALID, "请填写原因")
	case utf8.RuneCountInString(reason) > maxReason:
		return "", recruit.Errorf(recruit.EINVALID, "原因不能超过 %d 个字", maxReason)
	}
	return reason, nil
}

// Bindings releases real-name bindings; *apply.Service is one.
type Bindings interface {
	ReleaseBinding(ctx context.Context, idType, number, reason string) (recruit.Identity, error)
}

// ReleaseRequest names the ID number whose binding the province releases
// and why (required: the appeal it decides).
type ReleaseRequest struct {
	IDType   string
	IDNumber string
	Reason   string
}

// ReleaseBinding releases, on the real owner's appeal, the real-name
// binding of an ID number held by another WeChat account (Deps.Bindings):
// province admin only, with a reason; audited (the identity and whether an
// account was detached, never the number). Both accounts are told: the
// detached one by a WeChat message (notify.BindingReleased, sent to its
// openid) and on its binding page, the owner in the person's inbox, which
// the account that binds the number next re-attaches.
func (s *Service) ReleaseBinding(ctx context.Context, by recruit.Staff, req ReleaseRequest) (_ recruit.Identity, err error) {
	defer func() { err = recruit.WithOp("province.ReleaseBinding", err) }()
	if err := requireProvince(by); err != nil {
		return recruit.Identity{}, recruit.Errorf(recruit.EFORBIDDEN, "仅省级管理员可以解除实名认证")
	}
	if s.bindings == nil {
		return recruit.Identity{}, recruit.Internal(fmt.Errorf("province: no Deps.Bindings"))
	}
	if !recruit.OneOf(recruit.IDTypes, req.IDType) {
		return recruit.Identity{}, recruit.Errorf(recruit.EINVALID, "证件类型无效，可选：%s", strings.Join(recruit.IDTypes, "、"))
	}
	if strings.TrimSpace(req.IDNumber) == "" {
		return recruit.Identity{}, recruit.Errorf(recruit.EINVALID, "请填写证件号码")
	}
	reason, err := cleanReason(req.Reason, true)
	if err != nil {
		return recruit.Identity{}, err
	}
	id, err := s.bindings.ReleaseBinding(ctx, req.IDType, req.IDNumber, reason)
	if err != nil {
		return recruit.Identity{}, err
	}
	now := s.now()
	if _, err := s.store.AddNotification(ctx, notify.BindingReleased(id.ID, id.OpenID, reason, now)); err != nil {
		return recruit.Identity{}, err
	}
	err = recruit.RecordStaffAction(ctx, s.store, by, now, 0, ActionReleaseBinding, fmt.Sprintf("identity:%d", id.ID),
		map[string]bool{"bound": id.OpenID != ""}, map[string]bool{"bound": false}, reason)
	return id, err
}
