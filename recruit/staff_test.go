package recruit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		in      string
		label   string
		hasBase bool
	}{
		{"reviewer", "审核员", true},
		{" base_admin ", "基地管理员", true},
		{"province", "省级管理员", false},
	} {
		r, err := ParseRole(tc.in)
		if err != nil || r.Label() != tc.label || r.HasBase() != tc.hasBase {
			t.Errorf("ParseRole(%q) = %q (%q, base %v), %v", tc.in, r, r.Label(), r.HasBase(), err)
		}
	}
	for _, bad := range []string{"", "admin", "Reviewer"} {
		if _, err := ParseRole(bad); ErrorCode(err) != EINVALID ||
			!strings.HasSuffix(ErrorMessage(err), "（可用：reviewer 审核员、base_admin 基地管理员、province 省级管理员）") {
			t.Errorf("ParseRole(%q): %v, want EINVALID naming the roles", bad, err)
		}
	}
	if len(Roles) != len(roleLabels) {
		t.Errorf("Roles %v does not list every labelled role", Roles)
	}
}

func TestStaffNormalize(t *testing.T) {
	now := time.Date(2025, 7, 1, 8, 0, 0, 0, Shanghai)
	for _, tc := range []struct {
		s   Staff
		msg string // "" when valid
	}{
		{Staff{Role: RoleReviewer, BaseID: 3, Name: " 张三 "}, ""},
		{Staff{Role: RoleProvince}, ""},
		{Staff{Role: RoleBaseAdmin}, "基地管理员必须属于一个培训基地，请指定培训基地"},
		{Staff{Role: RoleProvince, BaseID: 3}, "省级管理员不属于任何培训基地，不能指定培训基地"},
		{Staff{Role: "x", BaseID: 3}, "未知的工作人员角色"},
		{Staff{Role: RoleReviewer, BaseID: 3, Name: strings.Repeat("名", 21)}, "工作人员姓名不能超过 20 个字"},
	} {
		got, err := tc.s.Normalize()
		if tc.msg == "" {
			if err != nil || got.Name != strings.TrimSpace(tc.s.Name) {
				t.Errorf("Normalize(%+v) = %+v, %v", tc.s, got, err)
			}
			continue
		}
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.msg) {
			t.Errorf("Normalize(%+v): %v, want %q", tc.s, err, tc.msg)
		}
		inv := Invitation{CodeHash: HashSecret("X"), Role: tc.s.Role, BaseID: tc.s.BaseID, Name: tc.s.Name,
			Expires: now.Add(time.Hour), CreatedAt: now}
		if _, err := inv.Normalize(); !strings.Contains(ErrorMessage(err), tc.msg) || ErrorCode(err) != EINVALID {
			t.Errorf("Invitation.Normalize of %+v: %v", tc.s, err)
		}
	}
	for _, ttl := range []time.Duration{MinInviteTTL - time.Second, MaxInviteTTL + time.Second} {
		inv := Invitation{CodeHash: HashSecret("X"), Role: RoleProvince, Expires: now.Add(ttl), CreatedAt: now}
		if _, err := inv.Normalize(); ErrorCode(err) != EINVALID {
			t.Errorf("invitation for %v: %v", ttl, err)
		}
	}
	if _, err := (Invitation{Role: RoleProvince, Expires: now.Add(time.Hour), CreatedAt: now}).Normalize(); ErrorCode(err) != EINTERNAL {
		t.Errorf("invitation without a code hash: %v", err)
	}
}

func TestInvitationStaff(t *testing.T) {
	now := time.Date(2025, 7, 1, 8, 0, 0, 0, Shanghai)
	inv := Invitation{Role: RoleBaseAdmin, BaseID: 4, Name: "王"}
	mp := inv.Staff(ChannelMP, "o-mp", now)
	oa := inv.Staff(ChannelOA, "o-oa", now)
	if mp != (Staff{Name: "王", Role: RoleBaseAdmin, BaseID: 4, MPOpenID: "o-mp", CreatedAt: now}) || mp.OpenID(ChannelMP) != "o-mp" {
		t.Errorf("mini-program account %+v", mp)
	}
	if oa.MPOpenID != "" || oa.OAOpenID != "o-oa" || oa.OpenID(ChannelOA) != "o-oa" {
		t.Errorf("official-account account %+v", oa)
	}
	if err := CheckChannel("sms", "x"); ErrorCode(err) != EINTERNAL {
		t.Errorf("unknown channel: %v", err)
	}
	if err := CheckChannel(ChannelOA, ""); ErrorCode(err) != EINVALID {
		t.Errorf("empty openid: %v", err)
	}
}

func TestInviteCodes(t *testing.T) {
	for range 100 {
		c := NewInviteCode()
		if len(c) != InviteLen || strings.Trim(c, InviteAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		if got, err := NormalizeInviteCode(" " + strings.ToLower(c) + "\t"); err != nil || got != c {
			t.Fatalf("NormalizeInviteCode(%q) = %q, %v", c, got, err)
		}
	}
	for in, msg := range map[string]string{"": "请输入邀请码", "ABC": "8 位", "ABCD1O00": "8 位", "ABCD23456": "8 位"} {
		if _, err := NormalizeInviteCode(in); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), msg) {
			t.Errorf("NormalizeInviteCode(%q): %v, want %q", in, err, msg)
		}
	}
	// Eight letters of a look-alike (O, I) are refused with the characters
	// that are allowed.
	const want = "邀请码应为 8 位，只能包含数字和大写字母 23456789ABCDEFGHJKMNPQRSTUVWXYZ（不区分大小写；没有易混淆的 0、1、I、L、O）"
	if _, err := NormalizeInviteCode("ABCDEFGO"); ErrorMessage(err) != want {
		t.Errorf("NormalizeInviteCode(ABCDEFGO): %v, want %q", err, want)
	}
	if h := HashSecret("ABCD2345"); len(h) != 64 || h == HashSecret("ABCD2346") || strings.Contains(h, "ABCD") {
		t.Errorf("HashSecret = %q", h)
	}
}

func TestErrorIs(t *testing.T) {
	rebuilt := Errorf(ErrInviteUsed.Code, "%s", ErrInviteUsed.Message)
	if !errors.Is(rebuilt, ErrInviteUsed) || errors.Is(rebuilt, ErrInviteUnknown) || errors.Is(Internal(errors.New("x")), ErrInviteUsed) {
		t.Error("errors.Is does not match *Error by code and message")
	}
}
