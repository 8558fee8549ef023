package province

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"zhupei/recruit"
)

// A link code lets a staff member who signed in on one channel (the PC
// console through the official account, or the mini-program) use the same
// account on the other one: the account shows a code, valid LinkCodeTTL
// and usable once, and redeeming it on the other channel binds that
// channel's openid to the account instead of creating one. It has the
// format of an invitation code and is entered where an invitation is.
// Codes live in the key-value records (linkKey + the code's hash → the
// account id and the channel it binds, "id:channel"); a used one, for
// LinkCodeTTL more, also names the openid it bound ("id:channel:openid"),
// so that the same submit again (a double tap) gets the account and
// nobody else gets anything.

// LinkCodeTTL is how long a link code works.
const LinkCodeTTL = 10 * time.Minute

// LinkCodeLimit is how many link codes an account may make in an hour:
// enough for a few mistyped or expired ones, few enough that nobody fills
// the store and the audit log with them.
const LinkCodeLimit = 5

// linkKey prefixes the record of a link code's hash; linkRateKey + the
// account id counts the codes the account made this hour.
const (
	linkKey     = "staff:link:"
	linkRateKey = "staff:linkrate:"
)

// Audit actions of linking a channel.
const (
	ActionCreateLinkCode = "create_link_code"
	ActionLinkChannel    = "link_channel"
)

// LinkCode is a code that binds channel Channel to the account that made it.
type LinkCode struct {
	Code    string          `json:"code"`
	Channel recruit.Channel `json:"channel"`
	Expires time.Time       `json:"expires"`
}

// CreateLinkCode makes by's code for channel ch (the one by does not use
// yet) and audits it. An account that has an openid on ch already is
// refused (errLinked), and so is one that made LinkCodeLimit codes within
// the hour (ETOOMANY).
func (s *Service) CreateLinkCode(ctx context.Context, by recruit.Staff, ch recruit.Channel) (_ LinkCode, err error) {
	defer func() { err = recruit.WithOp("province.CreateLinkCode", err) }()
	if err := requireEnabled(by); err != nil {
		return LinkCode{}, err
	}
	if by.OpenID(ch) != "" {
		return LinkCode{}, errLinked
	}
	now := s.now()
	if err := recruit.Limit(ctx, s.store, linkRateKey+strconv.FormatInt(by.ID, 10), LinkCodeLimit, time.Hour, now,
		"绑定码生成过于频繁，请1小时后再试"); err != nil {
		return LinkCode{}, err
	}
	out := LinkCode{Channel: ch, Expires: now.Add(LinkCodeTTL)}
	value := strconv.FormatInt(by.ID, 10) + ":" + string(ch)
	for range 5 { // a clash is one in 31^8
		out.Code = recruit.NewInviteCode()
		added, err := s.store.AddKV(ctx, linkKey+recruit.HashSecret(out.Code), value, LinkCodeTTL, now)
		if err != nil {
			return LinkCode{}, err
		}
		if added {
			err = recruit.RecordStaffAction(ctx, s.store, by, now, by.BaseID, ActionCreateLinkCode,
				fmt.Sprintf("staff:%d", by.ID), nil, map[string]any{"channel": ch, "expires": out.Expires}, "")
			return out, err
		}
	}
	return LinkCode{}, recruit.Internal(fmt.Errorf("no free link code after 5 draws"))
}

// errLinked refuses a link code for a channel the account uses already.
var errLinked = recruit.Errorf(recruit.ECONFLICT, "本账号已在电脑端管理后台和小程序两端绑定微信，无需绑定码")

// errLinkChannel refuses a link code entered on the channel the account
// already uses.
var errLinkChannel = recruit.Errorf(recruit.EINVALID, "该绑定码用于在另一端（电脑端管理后台或小程序）登录本账号，请在另一端输入")

// redeemLink binds openID on ch to the account of link code code (already
// normalized) and reports whether code was a live link code at all; the
// code then stops working, but for openID's repeated submits, which get
// the account again (not audited again: only the bind that changed the
// account is).
func (s *Service) redeemLink(ctx context.Context, code string, ch recruit.Channel, openID string) (recruit.Staff, bool, error) {
	key := linkKey + recruit.HashSecret(code)
	v, err := s.store.GetKV(ctx, key, s.now())
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Staff{}, false, nil
	}
	if err != nil {
		return recruit.Staff{}, true, err
	}
	idText, rest, _ := strings.Cut(v, ":")
	chText, usedBy, used := strings.Cut(rest, ":")
	if used && usedBy != openID {
		return recruit.Staff{}, false, nil // used up: as a code that never was
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return recruit.Staff{}, true, recruit.Internal(fmt.Errorf("link code record %q: %w", v, err))
	}
	if recruit.Channel(chText) != ch {
		return recruit.Staff{}, true, errLinkChannel
	}
	st, err := s.store.GetStaff(ctx, id)
	if err != nil {
		return recruit.Staff{}, true, err
	}
	if st.Disabled {
		return recruit.Staff{}, true, recruit.ErrStaffDisabled
	}
	if used {
		return st, true, nil
	}
	// Of concurrent redeemers with different openids exactly one binds:
	// the others find the channel taken. Of those with the same openid (a
	// double submit) all get the account, and the one that bound it
	// writes the audit entry.
	st, changed, err := s.store.BindStaffChannel(ctx, id, ch, openID)
	if err != nil {
		return recruit.Staff{}, true, err
	}
	if err := s.store.SetKV(ctx, key, v+":"+openID, LinkCodeTTL, s.now()); err != nil {
		return st, true, err
	}
	if !changed {
		return st, true, nil
	}
	err = recruit.RecordStaffAction(ctx, s.store, st, s.now(), st.BaseID, ActionLinkChannel,
		fmt.Sprintf("staff:%d", st.ID), nil, map[string]any{"channel": ch}, "")
	return st, true, err
}
