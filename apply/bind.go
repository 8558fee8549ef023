package apply

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"zhupei/recruit"
)

// Real-name binding (实名认证, seed 五 and 7.3): one WeChat account to one
// identity; binding and unbinding each at most once per 30 days, per account
// and per ID number, enforced with records created once (AddKV) whose
// value is when the next change is allowed. Keys hold the openid or the ID
// number's blind index, never the number.
const (
	bindWindow    = 30 * 24 * time.Hour
	bindAcctKey   = "bind:acct:"   // + openid
	bindIDKey     = "bind:id:"     // + blind index
	unbindAcctKey = "unbind:acct:" // + openid
	unbindIDKey   = "unbind:id:"   // + blind index
	bindTryKey    = "bind:try:"    // + openid: attempts in the hour
	bindAddrKey   = "bind:addr:"   // + client address: attempts in the hour
	bindNumKey    = "bind:num:"    // + blind index: attempts in the day
	// BindTryLimit is how many binding and unbinding attempts an account
	// may make in an hour.
	BindTryLimit = 10
	// BindAddrLimit is how many binding attempts one client address may
	// make in an hour (generous: mobile networks put many phones behind
	// one address).
	BindAddrLimit = 30
	// BindNumberLimit is how many binding attempts one ID number may see
	// in a day, from any account and address: guessing the name of a
	// registered number is bounded however many accounts try.
	BindNumberLimit = 5
	maxNameLen      = 50
)

// MsgNumberTaken is the one refusal for an ID number that has a binding:
// bound to another account, bound within 30 days, a name that differs from
// the unbound identity's, or a re-attachment the verifier cannot confirm.
// It gives no date and does not say which, so that binding attempts tell
// nothing about the number's owner (no name oracle), and tells the real
// owner how to appeal: the province admin can release a binding.
const MsgNumberTaken = "该证件号码已绑定其他微信账号或近30天内认证过，当前无法在此账号认证。" +
	"如您是证件本人且并未在其他账号认证，请联系山东省住院医师规范化培训省级管理部门申诉，核实身份后由省级管理员解除原绑定，再重新认证。"

// BindRequest is what the applicant gives to bind an account, with the
// client's address as the transport sees it (the key of the per-address
// attempt limit; requests without one share a single allowance).
type BindRequest struct {
	Name     string
	IDType   string // one of recruit.IDTypes
	IDNumber string
	Client   string
}

// BindStatus is what the binding page shows of an account.
type BindStatus struct {
	// Identity is the account's binding, nil when it is not bound.
	Identity *recruit.Identity
	// NextBind (unbound) and NextUnbind (bound) are when the account may
	// bind or unbind again; zero when it may now.
	NextBind, NextUnbind time.Time
	// Rebind (bound) is what unbinding now would cost, for the
	// confirmation of 解除认证.
	Rebind Rebind
	// Released (unbound) is the province's release of the account's
	// binding within the last 30 days (ReleaseBinding), nil when none.
	Released *Released
}

// BindStatus returns the binding of the WeChat account openID and when it
// may next change.
func (s *Service) BindStatus(ctx context.Context, openID string) (st BindStatus, err error) {
	defer func() { err = recruit.WithOp("apply.BindStatus", err) }()
	id, err := s.store.IdentityByOpenID(ctx, openID)
	switch recruit.ErrorCode(err) {
	case "":
		st.Identity = &id
		st.NextUnbind = s.lockedUntil(ctx, unbindAcctKey+openID)
		if st.Rebind, err = s.rebindAfterUnbind(ctx, openID, id); err != nil {
			return st, err
		}
	case recruit.ENOTFOUND:
		st.NextBind = s.lockedUntil(ctx, bindAcctKey+openID)
		st.Released = s.released(ctx, openID)
	default:
		return st, err
	}
	return st, nil
}

// lockedUntil returns the time stored in a window record, zero when there
// is no live record.
func (s *Service) lockedUntil(ctx context.Context, key string) time.Time {
	v, err := s.store.GetKV(ctx, key, s.now())
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Bind binds the WeChat account openID to the person named by r, after the
// attempt limits (per account, per client address, per ID number), the name
// rule, the verifier, the number's existing identity and the 30-day windows
// of the account and of the number. An unbound identity of the number is
// re-attached (with its profile and applications) when the name is the
// stored one and, with Deps.ConfirmReattach, the verifier Confirms. Every
// refusal because of the number's binding is MsgNumberTaken; once the
// windows are claimed a refusal keeps them (only an internal error gives
// them back), so a failed attempt never buys another try.
func (s *Service) Bind(ctx context.Context, openID string, r BindRequest) (id recruit.Identity, err error) {
	defer func() { err = recruit.WithOp("apply.Bind", err) }()
	r.Name, r.IDNumber = strings.TrimSpace(r.Name), recruit.NormalizeCode(r.IDNumber)
	if err := s.countAttempt(ctx, openID); err != nil {
		return recruit.Identity{}, err
	}
	if err := s.limit(ctx, bindAddrKey+r.Client, BindAddrLimit, time.Hour, "当前网络的认证操作过于频繁，请1小时后再试"); err != nil {
		return recruit.Identity{}, err
	}
	switch _, err := s.store.IdentityByOpenID(ctx, openID); recruit.ErrorCode(err) {
	case "":
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, "该微信账号已完成实名认证，如需更换请先解除认证")
	case recruit.ENOTFOUND:
	default:
		return recruit.Identity{}, err
	}
	if err := checkName(r.Name); err != nil {
		return recruit.Identity{}, err
	}
	if !recruit.OneOf(recruit.IDTypes, r.IDType) {
		return recruit.Identity{}, &recruit.Error{Code: recruit.EINVALID, Message: "请选择证件类型",
			Fields: map[string]string{"id_type": "请选择证件类型"}}
	}
	if err := (FormatVerifier{Now: s.now}).Verify(ctx, r.Name, r.IDType, r.IDNumber); err != nil {
		return recruit.Identity{}, err
	}
	index := recruit.IdentityIndex(s.sealer, r.IDType, r.IDNumber)
	if err := s.limit(ctx, bindNumKey+index, BindNumberLimit, 24*time.Hour, "该证件号码今日认证尝试次数过多，请24小时后再试"); err != nil {
		return recruit.Identity{}, err
	}
	if err := s.verifier.Verify(ctx, r.Name, r.IDType, r.IDNumber); err != nil {
		return recruit.Identity{}, err
	}
	switch old, err := s.store.IdentityByNumber(ctx, r.IDType, r.IDNumber); {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
	case err != nil:
		return recruit.Identity{}, err
	case old.OpenID != "" || old.Name != r.Name || (s.confirmReattach && !s.verifier.Confirms()):
		return recruit.Identity{}, errNumberTaken
	}
	release, err := s.claimWindow(ctx, "认证", bindAcctKey+openID, bindIDKey+index, errNumberTaken)
	if err != nil {
		return recruit.Identity{}, err
	}
	id, err = s.store.CreateIdentity(ctx, recruit.Identity{
		OpenID: openID, Name: r.Name, IDType: r.IDType, IDNumber: r.IDNumber, BoundAt: s.now(),
	})
	switch recruit.ErrorCode(err) {
	case "":
		return id, nil
	case recruit.ECONFLICT: // lost a race with another binding of the number or the account
		return recruit.Identity{}, errNumberTaken
	}
	release()
	return recruit.Identity{}, err
}

// errNumberTaken is the refusal MsgNumberTaken.
var errNumberTaken = recruit.Errorf(recruit.ECONFLICT, MsgNumberTaken)

// Unbind detaches the WeChat account openID from its identity (解除认证),
// within the attempt limit and the 30-day windows.
func (s *Service) Unbind(ctx context.Context, openID string) (err error) {
	defer func() { err = recruit.WithOp("apply.Unbind", err) }()
	if err := s.countAttempt(ctx, openID); err != nil {
		return err
	}
	id, err := s.store.IdentityByOpenID(ctx, openID)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.Errorf(recruit.EINVALID, "当前微信账号尚未实名认证")
	}
	if err != nil {
		return err
	}
	release, err := s.claimWindow(ctx, "解除认证", unbindAcctKey+openID, unbindIDKey+recruit.IdentityIndex(s.sealer, id.IDType, id.IDNumber), nil)
	if err != nil {
		return err
	}
	if err := s.store.UnbindIdentity(ctx, id.ID); err != nil {
		release()
		return err
	}
	return nil
}

// countAttempt limits binding and unbinding attempts per account.
func (s *Service) countAttempt(ctx context.Context, openID string) error {
	return s.limit(ctx, bindTryKey+openID, BindTryLimit, time.Hour, "认证操作过于频繁，请1小时后再试")
}

// limit counts an attempt under key and refuses it (ETOOMANY with msg)
// beyond n in the window (recruit.Limit).
func (s *Service) limit(ctx context.Context, key string, n int64, window time.Duration, msg string) error {
	return recruit.Limit(ctx, s.store, key, n, window, s.now(), msg)
}

// checkName accepts a real name: 1–50 characters, letters, marks, spaces
// and the dots of transliterated names.
func checkName(name string) error {
	msg := ""
	switch {
	case name == "":
		msg = "请填写姓名"
	case utf8.RuneCountInString(name) > maxNameLen:
		msg = "姓名不能超过50个字"
	case strings.IndexFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '·' && r != '.' && r != '-'
	}) >= 0:
		msg = "姓名只能包含文字、空格和间隔号"
	}
	if msg == "" {
		return nil
	}
	return &recruit.Error{Code: recruit.EINVALID, Message: msg, Fields: map[string]string{"name": msg}}
}

// claimWindow creates the 30-day records of an account key and an ID-number
// key, both or neither; what names the change (认证, 解除认证) in the
// refusal, which gives the date of the next allowed change — for the number
// key numberRefusal instead, when it is not nil. release undoes the claim
// when the change then fails.
func (s *Service) claimWindow(ctx context.Context, what, acctKey, idKey string, numberRefusal error) (release func(), err error) {
	until := s.now().Add(bindWindow)
	var taken []string
	release = func() {
		for _, k := range taken {
			_ = s.store.DeleteKV(context.WithoutCancel(ctx), k)
		}
	}
	for i, key := range []string{acctKey, idKey} {
		won, err := s.store.AddKV(ctx, key, until.Format(time.RFC3339), bindWindow, s.now())
		if err != nil {
			release()
			return nil, err
		}
		if !won {
			release()
			subject := "30天内"
			if i == 1 {
				if numberRefusal != nil {
					return nil, numberRefusal
				}
				subject = "该证件号码30天内"
			}
			next := recruit.ChineseDate(s.lockedUntil(ctx, key))
			return nil, recruit.Errorf(recruit.EFORBIDDEN, "%s只能%s一次，下次可%s时间：%s", subject, what, what, next)
		}
		taken = append(taken, key)
	}
	return release, nil
}
