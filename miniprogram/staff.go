// Package miniprogram is the backend of the staff mini-program used by the
// training bases (培训基地): a staff member logs in with wx.login's code
// (code2session gives the mini-program openid), and binds that openid to one
// base by redeeming a one-time invitation code that the province admin
// created with `zhupei staff-invite`. The JSON API lives under /api/v1/mp
// and authenticates with `Authorization: Bearer <token>`, never a cookie, so
// it needs no CSRF token. The staff open an applicant's registration form
// and uploads through package forms (forms.go).
//
// Storage is a first cut: staff accounts, invitations and mini-program
// sessions are records of the store's key-value part (recruit.Store SetKV,
// GetKV, AddKV), shared by every instance:
//
//	staff:openid:<openid>      → {"base_id", "bound_at"}, no expiry
//	staff:invite:<code>        → base id, expires with the invitation
//	staff:invite-used:<code>   → openid of the one redeemer
//	mpsess:<sha256 of token>   → openid, two hours
//
// A dedicated staff collection (listing, unbinding, several bases per
// account) comes with the province admin console.
package miniprogram

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"zhupei/recruit"
)

// Store keys; see the package comment.
const (
	keyStaff      = "staff:openid:"
	keyInvite     = "staff:invite:"
	keyInviteUsed = "staff:invite-used:"
)

// Lifetimes of an invitation.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	MinInviteTTL     = time.Minute
	MaxInviteTTL     = 30 * 24 * time.Hour
)

// inviteAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const (
	inviteAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	inviteLen      = 8
)

// Staff is a training-base staff account: a mini-program openid bound to
// one base.
type Staff struct {
	BaseID  int64     `json:"base_id"`
	BoundAt time.Time `json:"bound_at"`
}

// Invite is a one-time invitation code for one base.
type Invite struct {
	Code    string
	Base    recruit.Base
	Expires time.Time
}

// Refusals of a redemption.
var (
	errInviteUnknown = recruit.Errorf(recruit.ENOTFOUND, "邀请码无效或已过期")
	errInviteUsed    = recruit.Errorf(recruit.ECONFLICT, "邀请码已被使用")
	errAlreadyBound  = recruit.Errorf(recruit.ECONFLICT, "该微信账号已绑定培训基地，不能再次绑定")
)

// CreateInvite stores a new invitation code for base baseID, valid for ttl
// (MinInviteTTL to MaxInviteTTL) from now.
func CreateInvite(ctx context.Context, st recruit.Store, baseID int64, ttl time.Duration, now time.Time) (Invite, error) {
	if ttl < MinInviteTTL || ttl > MaxInviteTTL {
		return Invite{}, recruit.Errorf(recruit.EINVALID, "邀请码有效期须在 1 分钟到 30 天之间")
	}
	base, err := baseByID(ctx, st, baseID)
	if err != nil {
		return Invite{}, err
	}
	// A clash is one in 31^8; a code whose earlier use is still recorded
	// is skipped too, as it would be refused as used.
	for range 5 {
		code := newInviteCode()
		if _, err := st.GetKV(ctx, keyInviteUsed+code, now); recruit.ErrorCode(err) != recruit.ENOTFOUND {
			if err != nil {
				return Invite{}, err
			}
			continue
		}
		added, err := st.AddKV(ctx, keyInvite+code, strconv.FormatInt(base.ID, 10), ttl, now)
		if err != nil {
			return Invite{}, err
		}
		if added {
			return Invite{Code: code, Base: base, Expires: now.Add(ttl)}, nil
		}
	}
	return Invite{}, recruit.Internal(fmt.Errorf("no free invitation code after 5 draws"))
}

// newInviteCode draws inviteLen characters of inviteAlphabet uniformly
// (rejection sampling over random bytes).
func newInviteCode() string {
	const limit = 256 - 256%len(inviteAlphabet)
	out := make([]byte, 0, inviteLen)
	buf := make([]byte, 16)
	for len(out) < inviteLen {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails since Go 1.24
		for _, b := range buf {
			if int(b) < limit && len(out) < inviteLen {
				out = append(out, inviteAlphabet[int(b)%len(inviteAlphabet)])
			}
		}
	}
	return string(out)
}

// normalizeInvite upper-cases a typed code and checks its form.
func normalizeInvite(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return "", recruit.Errorf(recruit.EINVALID, "请输入邀请码")
	}
	if len(code) != inviteLen || strings.Trim(code, inviteAlphabet) != "" {
		return "", recruit.Errorf(recruit.EINVALID, "邀请码应为 8 位字母或数字")
	}
	return code, nil
}

// Redeem binds openID to the base of invitation code. An invitation works
// once: of many concurrent redeemers exactly one wins. Refusals: EINVALID
// for a malformed code, ENOTFOUND for an unknown or expired one, ECONFLICT
// when it was used or openID is already bound.
func Redeem(ctx context.Context, st recruit.Store, code, openID string, now time.Time) (recruit.Base, error) {
	code, err := normalizeInvite(code)
	if err != nil {
		return recruit.Base{}, err
	}
	switch _, err := StaffOf(ctx, st, openID, now); {
	case err == nil:
		return recruit.Base{}, errAlreadyBound
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return recruit.Base{}, err
	}
	raw, err := st.GetKV(ctx, keyInvite+code, now)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Base{}, errInviteUnknown
	}
	if err != nil {
		return recruit.Base{}, err
	}
	baseID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return recruit.Base{}, recruit.Internal(fmt.Errorf("invitation record %q: %w", raw, err))
	}
	base, err := baseByID(ctx, st, baseID)
	if err != nil {
		return recruit.Base{}, err
	}
	// The mark outlives any invitation, so a used code stays used.
	won, err := st.AddKV(ctx, keyInviteUsed+code, openID, MaxInviteTTL, now)
	if err != nil {
		return recruit.Base{}, err
	}
	if !won {
		return recruit.Base{}, errInviteUsed
	}
	rec, err := json.Marshal(Staff{BaseID: base.ID, BoundAt: now})
	if err != nil {
		return recruit.Base{}, recruit.Internal(err)
	}
	bound, err := st.AddKV(ctx, keyStaff+openID, string(rec), 0, now)
	if err != nil {
		return recruit.Base{}, err
	}
	if !bound {
		// The same account redeemed another invitation meanwhile: give
		// this one back.
		if err := st.DeleteKV(ctx, keyInviteUsed+code); err != nil {
			return recruit.Base{}, err
		}
		return recruit.Base{}, errAlreadyBound
	}
	return base, nil
}

// StaffOf returns the staff account of a mini-program openid, ENOTFOUND
// when it is bound to no base.
func StaffOf(ctx context.Context, st recruit.Store, openID string, now time.Time) (Staff, error) {
	raw, err := st.GetKV(ctx, keyStaff+openID, now)
	if err != nil {
		return Staff{}, err
	}
	var s Staff
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Staff{}, recruit.Internal(fmt.Errorf("staff record: %w", err))
	}
	return s, nil
}

// baseByID finds a base, ENOTFOUND when it does not exist.
func baseByID(ctx context.Context, st recruit.Store, id int64) (recruit.Base, error) {
	bases, err := st.ListBases(ctx)
	if err != nil {
		return recruit.Base{}, err
	}
	for _, b := range bases {
		if b.ID == id {
			return b, nil
		}
	}
	return recruit.Base{}, recruit.Errorf(recruit.ENOTFOUND, "培训基地（编号 %d）不存在", id)
}

// staffRef names a staff account in the audit log without its openid.
func staffRef(openID string) string {
	sum := sha256.Sum256([]byte("zhupei staff " + openID))
	return hex.EncodeToString(sum[:6])
}
