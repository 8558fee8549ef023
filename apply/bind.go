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
	// BindTryLimit is how many binding and unbinding attempts an account
	// may make in an hour.
	BindTryLimit = 10
	maxNameLen   = 50
)

// BindRequest is what the applicant gives to bind an account.
type BindRequest struct {
	Name     string
	IDType   string // one of recruit.IDTypes
	IDNumber string
}

// BindStatus is what the binding page shows of an account.
type BindStatus struct {
	// Identity is the account's binding, nil when it is not bound.
	Identity *recruit.Identity
	// NextBind (unbound) and NextUnbind (bound) are when the account may
	// bind or unbind again; zero when it may now.
	NextBind, NextUnbind time.Time
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
	case recruit.ENOTFOUND:
		st.NextBind = s.lockedUntil(ctx, bindAcctKey+openID)
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
// attempt limit, the name rule, the verifier and the 30-day windows of the
// account and of the ID number.
func (s *Service) Bind(ctx context.Context, openID string, r BindRequest) (id recruit.Identity, err error) {
	defer func() { err = recruit.WithOp("apply.Bind", err) }()
	r.Name, r.IDNumber = strings.TrimSpace(r.Name), recruit.NormalizeCode(r.IDNumber)
	if err := s.countAttempt(ctx, openID); err != nil {
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
	if err := s.verifier.Verify(ctx, r.Name, r.IDType, r.IDNumber); err != nil {
		return recruit.Identity{}, err
	}
	index := recruit.IdentityIndex(s.sealer, r.IDType, r.IDNumber)
	release, err := s.claimWindow(ctx, "认证", bindAcctKey+openID, bindIDKey+index)
	if err != nil {
		return recruit.Identity{}, err
	}
	id, err = s.store.CreateIdentity(ctx, recruit.Identity{
		OpenID: openID, Name: r.Name, IDType: r.IDType, IDNumber: r.IDNumber, BoundAt: s.now(),
	})
	if err != nil {
		release()
		return recruit.Identity{}, err
	}
	return id, nil
}

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
	release, err := s.claimWindow(ctx, "解除认证", unbindAcctKey+openID, unbindIDKey+recruit.IdentityIndex(s.sealer, id.IDType, id.IDNumber))
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
	n, err := s.store.IncrKV(ctx, bindTryKey+openID, time.Hour, s.now())
	if err != nil {
		return err
	}
	if n > BindTryLimit {
		return recruit.Errorf(recruit.ETOOMANY, "认证操作过于频繁，请1小时后再试")
	}
	return nil
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
// refusal, which gives the date of the next allowed change. release undoes
// the claim when the change then fails.
func (s *Service) claimWindow(ctx context.Context, what, acctKey, idKey string) (release func(), err error) {
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
				subject = "该证件号码30天内"
			}
			next := recruit.ChineseDate(s.lockedUntil(ctx, key))
			return nil, recruit.Errorf(recruit.EFORBIDDEN, "%s只能%s一次，下次可%s时间：%s", subject, what, what, next)
		}
		taken = append(taken, key)
	}
	return release, nil
}
