package recruit

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a staff member may do (DESIGN.md, "Staff, review and
// admission").
type Role string

// Staff roles.
const (
	// RoleReviewer reviews the applications of one base and writes notes.
	RoleReviewer Role = "reviewer"
	// RoleBaseAdmin does everything a reviewer does at one base, plus
	// provisional admission, publishing, admission, the base's dates and
	// notices and its own reviewers.
	RoleBaseAdmin Role = "base_admin"
	// RoleProvince does everything at every base, plus the calendar,
	// plans, staff accounts and statistics. A province admin has no base.
	RoleProvince Role = "province"
)

// Roles lists the roles from the narrowest to the widest.
var Roles = []Role{RoleReviewer, RoleBaseAdmin, RoleProvince}

var roleLabels = map[Role]string{
	RoleReviewer:  "审核员",
	RoleBaseAdmin: "基地管理员",
	RoleProvince:  "省级管理员",
}

// Label is the Chinese name of the role, "" for an unknown one.
func (r Role) Label() string { return roleLabels[r] }

// HasBase reports whether staff of the role belong to one base.
func (r Role) HasBase() bool { return r == RoleReviewer || r == RoleBaseAdmin }

// ParseRole returns the role named s, EINVALID for anything else.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if r.Label() == "" {
		known := make([]string, len(Roles))
		for i, k := range Roles {
			known[i] = string(k) + " " + k.Label()
		}
		return "", Errorf(EINVALID, "未知的工作人员角色 %q（可用：%s）", s, strings.Join(known, "、"))
	}
	return r, nil
}

// checkScope checks that role is known and that baseID is set exactly when
// the role belongs to a base.
func checkScope(role Role, baseID int64) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	switch {
	case role.HasBase() && baseID <= 0:
		return Errorf(EINVALID, "%s必须属于一个培训基地，请指定培训基地", role.Label())
	case !role.HasBase() && baseID != 0:
		return Errorf(EINVALID, "%s不属于任何培训基地，不能指定培训基地", role.Label())
	}
	return nil
}

// maxStaffName bounds a staff member's name, in characters.
const maxStaffName = 20

// normalizeStaffName trims a staff member's name and checks its length.
func normalizeStaffName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxStaffName {
		return "", Errorf(EINVALID, "工作人员姓名不能超过 %d 个字", maxStaffName)
	}
	return name, nil
}

// Channel is a WeChat account kind a staff member signs in with.
type Channel string

// Channels.
const (
	ChannelMP Channel = "mp" // the staff mini-program's openid (code2session)
	ChannelOA Channel = "oa" // the official account's openid (QR login to /admin)
)

// CheckChannel refuses an unknown channel or an empty openid.
func CheckChannel(ch Channel, openID string) error {
	if ch != ChannelMP && ch != ChannelOA {
		return Internal(fmt.Errorf("unknown staff channel %q", ch))
	}
	if openID == "" {
		return Errorf(EINVALID, "缺少微信账号标识")
	}
	return nil
}

// Staff is a staff account: a role, the base it belongs to (none for a
// province admin) and the WeChat accounts bound to it, at most one per
// channel. A disabled account keeps its bindings but is refused everywhere.
type Staff struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	BaseID    int64     `json:"base_id"`    // 0 for a province admin
	MPOpenID  string    `json:"-"`          // mini-program openid, "" while unbound
	OAOpenID  string    `json:"-"`          // official-account openid, "" while unbound
	Disabled  bool      `json:"disabled"`   // refused on every request
	CreatedAt time.Time `json:"created_at"` // when the account was created or redeemed
}

// OpenID returns the account's openid on channel ch.
func (s Staff) OpenID(ch Channel) string {
	if ch == ChannelOA {
		return s.OAOpenID
	}
	return s.MPOpenID
}

// Normalize returns s with its name trimmed, or EINVALID when its role,
// base or name is not acceptable.
func (s Staff) Normalize() (Staff, error) {
	if err := checkScope(s.Role, s.BaseID); err != nil {
		return Staff{}, err
	}
	name, err := normalizeStaffName(s.Name)
	if err != nil {
		return Staff{}, err
	}
	s.Name = name
	return s, nil
}

// StaffFilter selects staff accounts; the zero filter selects all.
type StaffFilter struct {
	BaseID int64 // only the staff of this base when not 0
}

// Invitation is a one-time code that creates a staff account with its role
// and base when redeemed. The store keeps only the code's HashSecret.
type Invitation struct {
	CodeHash  string
	Role      Role
	BaseID    int64  // 0 for a province admin
	Name      string // the staff member's name, optional
	Expires   time.Time
	CreatedAt time.Time
}

// Lifetimes of an invitation.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	MinInviteTTL     = time.Minute
	MaxInviteTTL     = 30 * 24 * time.Hour
)

// Normalize returns inv with its name trimmed, or EINVALID when its role,
// base, name or lifetime is not acceptable.
func (inv Invitation) Normalize() (Invitation, error) {
	if len(inv.CodeHash) != 64 {
		return Invitation{}, Internal(fmt.Errorf("invitation without a code hash"))
	}
	if err := checkScope(inv.Role, inv.BaseID); err != nil {
		return Invitation{}, err
	}
	if ttl := inv.Expires.Sub(inv.CreatedAt); ttl < MinInviteTTL || ttl > MaxInviteTTL {
		return Invitation{}, Errorf(EINVALID, "邀请码有效期须在 1 分钟到 30 天之间")
	}
	name, err := normalizeStaffName(inv.Name)
	if err != nil {
		return Invitation{}, err
	}
	inv.Name = name
	return inv, nil
}

// Staff is the account that redeeming inv on channel ch as openID at now
// creates.
func (inv Invitation) Staff(ch Channel, openID string, now time.Time) Staff {
	s := Staff{Name: inv.Name, Role: inv.Role, BaseID: inv.BaseID, CreatedAt: now}
	if ch == ChannelOA {
		s.OAOpenID = openID
	} else {
		s.MPOpenID = openID
	}
	return s
}

// InviteAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const (
	InviteAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	InviteLen      = 8
)

// NewInviteCode draws InviteLen characters of InviteAlphabet uniformly
// (rejection sampling over random bytes).
func NewInviteCode() string {
	const limit = 256 - 256%len(InviteAlphabet)
	out := make([]byte, 0, InviteLen)
	buf := make([]byte, 16)
	for len(out) < InviteLen {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails since Go 1.24
		for _, b := range buf {
			if int(b) < limit && len(out) < InviteLen {
				out = append(out, InviteAlphabet[int(b)%len(InviteAlphabet)])
			}
		}
	}
	return string(out)
}

// NormalizeInviteCode upper-cases a typed code and checks its form.
func NormalizeInviteCode(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return "", Errorf(EINVALID, "请输入邀请码")
	}
	if len(code) != InviteLen || strings.Trim(code, InviteAlphabet) != "" {
		return "", Errorf(EINVALID, "%s", inviteFormMessage)
	}
	return code, nil
}

// inviteFormMessage says which characters an invite code has: the digits
// and letters of InviteAlphabet and, since they look alike, those left out.
var inviteFormMessage = func() string {
	var left []string
	for _, r := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		if !strings.ContainsRune(InviteAlphabet, r) {
			left = append(left, string(r))
		}
	}
	return fmt.Sprintf("邀请码应为 %d 位，只能包含数字和大写字母 %s（不区分大小写；没有易混淆的 %s）",
		InviteLen, InviteAlphabet, strings.Join(left, "、"))
}()

// Refusals of the staff store, the same on every backend.
var (
	ErrStaffNotFound     = Errorf(ENOTFOUND, "工作人员账号不存在")
	ErrStaffOpenIDBound  = Errorf(ECONFLICT, "该微信账号已绑定工作人员账号，不能再次绑定")
	ErrStaffChannelTaken = Errorf(ECONFLICT, "该工作人员账号已绑定其他微信账号")
	ErrInviteUnknown     = Errorf(ENOTFOUND, "邀请码无效或已过期")
	ErrInviteUsed        = Errorf(ECONFLICT, "邀请码已被使用")
	ErrInviteExists      = Errorf(ECONFLICT, "邀请码已存在")
	// ErrStaffDisabled refuses every action of a disabled account.
	ErrStaffDisabled = Errorf(EFORBIDDEN, "该工作人员账号已停用，请联系管理员")
)

// BaseNotFound is the refusal of a base id that names no base.
func BaseNotFound(id int64) error {
	return Errorf(ENOTFOUND, "培训基地（编号 %d）不存在", id)
}

// StaffStore keeps staff accounts and their invitations.
type StaffStore interface {
	// CreateStaff stores a new account (s.ID is ignored) and returns it
	// with its id. EINVALID for a bad role, base or name (Staff.Normalize),
	// ENOTFOUND (BaseNotFound) for a missing base, ErrStaffOpenIDBound when
	// one of its openids belongs to another account.
	CreateStaff(ctx context.Context, s Staff) (Staff, error)
	// GetStaff returns an account, ErrStaffNotFound when there is none.
	GetStaff(ctx context.Context, id int64) (Staff, error)
	// StaffByMPOpenID returns the account bound to a mini-program openid,
	// ErrStaffNotFound when there is none.
	StaffByMPOpenID(ctx context.Context, openID string) (Staff, error)
	// StaffByOAOpenID returns the account bound to an official-account
	// openid, ErrStaffNotFound when there is none.
	StaffByOAOpenID(ctx context.Context, openID string) (Staff, error)
	// ListStaff returns the accounts matching f ordered by id.
	ListStaff(ctx context.Context, f StaffFilter) ([]Staff, error)
	// SetStaffDisabled disables or re-enables an account and returns it.
	SetStaffDisabled(ctx context.Context, id int64, disabled bool) (Staff, error)
	// BindStaffChannel binds openID on channel ch to account id and
	// reports whether that changed the account: binding the openID it
	// already has is a no-op (false), so that of concurrent binds of one
	// openid exactly one reports the change. ErrStaffNotFound,
	// ErrStaffChannelTaken when the account has another openid on ch,
	// ErrStaffOpenIDBound when openID belongs to another account.
	BindStaffChannel(ctx context.Context, id int64, ch Channel, openID string) (Staff, bool, error)

	// CreateInvitation stores an invitation (Invitation.Normalize); ENOTFOUND
	// (BaseNotFound) for a missing base, ErrInviteExists when its code hash
	// is stored already.
	CreateInvitation(ctx context.Context, inv Invitation) error
	// RedeemInvitation creates the account of the invitation whose code
	// hash is codeHash, bound to openID on channel ch, and returns it. An
	// invitation works once: of many concurrent redeemers exactly one wins.
	// ErrInviteUnknown when there is no such invitation or it expired at
	// now, ErrInviteUsed when it was redeemed, ErrStaffOpenIDBound when
	// openID belongs to an account already (the invitation stays usable).
	RedeemInvitation(ctx context.Context, codeHash string, ch Channel, openID string, now time.Time) (Staff, error)
}
