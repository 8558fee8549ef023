package province

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"zhupei/recruit"
)

// Staff accounts and their one-time invitation codes (DESIGN.md, "Staff,
// review and admission"): an invitation names a role and, for reviewers and
// base admins, a base; it is stored by the SHA-256 of its code.

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
// (recruit.MinInviteTTL to recruit.MaxInviteTTL) from now. The command
// line (`zhupei staff-invite`) calls it; the console's createInvitation,
// checked for the caller's reach, comes with the staff console.
func (s *Service) CreateInvite(ctx context.Context, req InviteRequest) (_ Invite, err error) {
	defer func() { err = recruit.WithOp("province.CreateInvite", err) }()
	st, now := s.store, s.now()
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

// Redeem creates the staff account of invitation code bound to openID on
// channel ch: the mini-program's openid (ChannelMP) or the official
// account's, for the PC console (ChannelOA). An invitation works once: of
// many concurrent redeemers exactly one wins. A link code (CreateLinkCode)
// is taken here too: it binds openID on ch to the account that made it.
// Refusals: EINVALID for a malformed code or a link code entered on the
// channel its account uses already, recruit.ErrStaffDisabled for a link
// code of a disabled account, and those of
// recruit.StaffStore.RedeemInvitation and BindStaffChannel.
func (s *Service) Redeem(ctx context.Context, code string, ch recruit.Channel, openID string) (recruit.Staff, error) {
	code, err := recruit.NormalizeInviteCode(code)
	if err != nil {
		return recruit.Staff{}, err
	}
	st, linked, err := s.redeemLink(ctx, code, ch, openID)
	if !linked {
		st, err = s.store.RedeemInvitation(ctx, recruit.HashSecret(code), ch, openID, s.now())
	}
	return st, recruit.WithOp("province.Redeem", err)
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
func (s *Service) MigrateStaff(ctx context.Context) (moved int, err error) {
	defer func() { err = recruit.WithOp("province.MigrateStaff", err) }()
	st, now := s.store, s.now()
	err = st.ScanKV(ctx, legacyStaff, now, func(key, value string, _ time.Time) error {
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

// Base returns the base id, ENOTFOUND when it does not exist.
func (s *Service) Base(ctx context.Context, id int64) (recruit.Base, error) {
	return baseByID(ctx, s.store, id)
}

func baseByID(ctx context.Context, st recruit.Catalogue, id int64) (recruit.Base, error) {
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
