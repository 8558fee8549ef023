// Package miniprogram is the backend of the staff mini-program (DESIGN.md,
// "Staff, review and admission"): a staff member logs in with wx.login's
// code (code2session gives the mini-program openid) and binds that openid
// by redeeming a one-time invitation code that names a role (审核员,
// 基地管理员 or 省级管理员) and, for the first two, a training base; the
// first province admin's code comes from `zhupei staff-invite`. The JSON
// API lives under /api/v1/mp and authenticates with `Authorization: Bearer
// <token>`, never a cookie, so it needs no CSRF token. The staff open an
// applicant's registration form and uploads through package forms
// (forms.go), authenticated by API.StaffBase.
//
// Staff accounts and invitations are entities of recruit.StaffStore; an
// invitation is stored by the SHA-256 of its code. Sessions and rate limits
// are records of the store's key-value part, shared by every instance:
//
//	mpsess:<sha256 of token>   → openid, two hours
//	mp:rate:login:<client IP>  → logins in the current minute
//	mp:rate:bind:<openid>      → redemptions in the current hour
//
// A session names the openid, not the account: every request reads the
// account again, so disabling it refuses all its sessions at once.
// MigrateStaff moves the key-value staff records of earlier versions into
// recruit.StaffStore at start-up.
package miniprogram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"zhupei/recruit"
)

// Invite is a one-time invitation code as handed out: the code itself is
// only ever shown to the one who created it.
type Invite struct {
	Code    string
	Role    recruit.Role
	Base    recruit.Base // the zero Base for a province admin
	Expires time.Time
}

// InviteRequest is what an invitation is for.
type InviteRequest struct {
	Role   recruit.Role
	BaseID int64  // 0 for a province admin
	Name   string // the staff member's name, optional
	TTL    time.Duration
}

// CreateInvite stores a new invitation for req, valid for req.TTL
// (recruit.MinInviteTTL to recruit.MaxInviteTTL) from now.
func CreateInvite(ctx context.Context, st Store, req InviteRequest, now time.Time) (Invite, error) {
	inv := recruit.Invitation{Role: req.Role, BaseID: req.BaseID, Name: req.Name, Expires: now.Add(req.TTL), CreatedAt: now}
	// A clash is one in 31^8.
	for range 5 {
		code := recruit.NewInviteCode()
		inv.CodeHash = recruit.HashSecret(code)
		switch err := st.CreateInvitation(ctx, inv); {
		case errors.Is(err, recruit.ErrInviteExists):
			continue
		case err != nil:
			return Invite{}, err
		}
		out := Invite{Code: code, Role: inv.Role, Expires: inv.Expires}
		if inv.Role.HasBase() {
			b, err := baseByID(ctx, st, inv.BaseID)
			if err != nil {
				return Invite{}, err
			}
			out.Base = b
		}
		return out, nil
	}
	return Invite{}, recruit.Internal(fmt.Errorf("no free invitation code after 5 draws"))
}

// Redeem creates the staff account of invitation code bound to the
// mini-program openid openID. An invitation works once: of many concurrent
// redeemers exactly one wins. Refusals: EINVALID for a malformed code, and
// those of recruit.StaffStore.RedeemInvitation.
func Redeem(ctx context.Context, st Store, code, openID string, now time.Time) (recruit.Staff, error) {
	code, err := recruit.NormalizeInviteCode(code)
	if err != nil {
		return recruit.Staff{}, err
	}
	return st.RedeemInvitation(ctx, recruit.HashSecret(code), recruit.ChannelMP, openID, now)
}

// The key-value records of staff accounts and invitations before
// recruit.StaffStore; MigrateStaff moves them.
const (
	legacyStaff      = "staff:openid:"      // + openid → {"base_id", "bound_at"}
	legacyInvite     = "staff:invite:"      // + code → base id, expiring with the invitation
	legacyInviteUsed = "staff:invite-used:" // + code → the redeemer's openid
)

// legacyRole is the role of a migrated account or invitation: the old
// records named a base only, and what they allowed (reading the base's
// forms and files) is a reviewer's, the narrowest role.
const legacyRole = recruit.RoleReviewer

// MigrateStaff moves the key-value staff records of earlier versions into
// recruit.StaffStore, as reviewers of their base, and returns how many it
// moved: an account per bound openid, an invitation (stored by its hash)
// per live unused code. Used and nearly expired codes are dropped. Each
// record is deleted after its entity exists, and an entity that exists
// already counts as moved, so running it again, even after a failure
// half-way, changes nothing more.
func MigrateStaff(ctx context.Context, st Store, now time.Time) (int, error) {
	moved := 0
	err := st.ScanKV(ctx, legacyStaff, now, func(key, value string, _ time.Time) error {
		var rec struct {
			BaseID  int64     `json:"base_id"`
			BoundAt time.Time `json:"bound_at"`
		}
		if err := json.Unmarshal([]byte(value), &rec); err != nil {
			return recruit.Internal(fmt.Errorf("staff record: %w", err))
		}
		_, err := st.CreateStaff(ctx, recruit.Staff{Role: legacyRole, BaseID: rec.BaseID,
			MPOpenID: strings.TrimPrefix(key, legacyStaff), CreatedAt: rec.BoundAt})
		if err != nil && !errors.Is(err, recruit.ErrStaffOpenIDBound) {
			return err
		}
		moved++
		return st.DeleteKV(ctx, key)
	})
	if err != nil {
		return moved, err
	}
	used := map[string]bool{}
	if err := st.ScanKV(ctx, legacyInviteUsed, now, func(key, _ string, _ time.Time) error {
		used[strings.TrimPrefix(key, legacyInviteUsed)] = true
		return nil
	}); err != nil {
		return moved, err
	}
	err = st.ScanKV(ctx, legacyInvite, now, func(key, value string, expires time.Time) error {
		code := strings.TrimPrefix(key, legacyInvite)
		if !used[code] && expires.Sub(now) >= recruit.MinInviteTTL {
			baseID, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return recruit.Internal(fmt.Errorf("invitation record: %w", err))
			}
			err = st.CreateInvitation(ctx, recruit.Invitation{CodeHash: recruit.HashSecret(code), Role: legacyRole,
				BaseID: baseID, Expires: expires, CreatedAt: now})
			if err != nil && !errors.Is(err, recruit.ErrInviteExists) {
				return err
			}
			moved++
		}
		return st.DeleteKV(ctx, key)
	})
	if err != nil {
		return moved, err
	}
	return moved, st.ScanKV(ctx, legacyInviteUsed, now, func(key, _ string, _ time.Time) error {
		return st.DeleteKV(ctx, key)
	})
}

// baseByID finds a base, ENOTFOUND when it does not exist.
func baseByID(ctx context.Context, st Store, id int64) (recruit.Base, error) {
	bases, err := st.ListBases(ctx)
	if err != nil {
		return recruit.Base{}, err
	}
	for _, b := range bases {
		if b.ID == id {
			return b, nil
		}
	}
	return recruit.Base{}, recruit.BaseNotFound(id)
}

// staffRef names a staff account in the audit log without its openid.
func staffRef(openID string) string {
	sum := sha256.Sum256([]byte("zhupei staff " + openID))
	return hex.EncodeToString(sum[:6])
}
