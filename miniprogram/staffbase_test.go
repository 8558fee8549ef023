package miniprogram

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/internal/testclock"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/wechat"
)

// TestStaffBase checks the authentication that the staff's form and file
// routes use: the base of a bound account, 401 with the Bearer challenge
// without a live session, 403 for a session bound to no account, for a
// province admin (no base) and, from the next request on, for a disabled
// account.
func TestStaffBase(t *testing.T) {
	ctx := context.Background()
	db, bases := seededStore(t)
	clk := testclock.New(testNow)
	// A session as login stores it; the token is what the client sends.
	session := func(openID string) string {
		tok := strings.Repeat(openID[len(openID)-1:], tokenLen)
		if err := db.SetKV(ctx, sessionKey(tok), openID, SessionTTL, clk.Now()); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	bound, unbound, provAdmin := session("openid-b"), session("openid-c"), session("openid-d")
	redeem := func(openID string, req province.InviteRequest) recruit.Staff {
		inv, err := provinceAt(db, clk.Now()).CreateInvite(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		st, err := provinceAt(db, clk.Now()).Redeem(ctx, inv.Code, recruit.ChannelMP, openID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	reviewer := redeem("openid-b", province.InviteRequest{Role: recruit.RoleReviewer, BaseID: bases[1].ID, TTL: time.Hour})
	redeem("openid-d", province.InviteRequest{Role: recruit.RoleProvince, TTL: time.Hour})

	api := New(Config{Store: db, WeChat: &wechat.Client{}, Province: provinceAt(db, clk.Now()), Now: clk.Now})
	app := fiber.New()
	app.Get("/probe", func(c *fiber.Ctx) error {
		base, err := api.StaffBase(c)
		if err != nil {
			return c.SendString(recruit.ErrorCode(err) + " " + recruit.ErrorMessage(err))
		}
		return c.JSON(base)
	})
	probe := func(auth string) (string, http.Header) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/probe", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body), resp.Header
	}

	for _, tc := range []struct {
		name, auth, want string
		challenged       bool
	}{
		{"bound", "Bearer " + bound, strconv.FormatInt(bases[1].ID, 10), false},
		{"unbound", "Bearer " + unbound, recruit.EFORBIDDEN + " 该账号尚未绑定培训基地", false},
		{"province", "Bearer " + provAdmin, recruit.EFORBIDDEN + " 省级管理员账号不属于任何培训基地，请使用省级管理后台", false},
		{"no token", "", recruit.EUNAUTHORIZED + " 请先登录小程序", true},
		{"garbage", "Bearer xyz", recruit.EUNAUTHORIZED + " 登录已失效，请重新登录小程序", true},
		{"unknown token", "Bearer " + strings.Repeat("a", tokenLen), recruit.EUNAUTHORIZED + " 登录已失效，请重新登录小程序", true},
	} {
		got, h := probe(tc.auth)
		if got != tc.want || (h.Get("WWW-Authenticate") != "") != tc.challenged {
			t.Errorf("%s: %q (WWW-Authenticate %q), want %q", tc.name, got, h.Get("WWW-Authenticate"), tc.want)
		}
	}

	// Disabling the account refuses its session at once and ends it:
	// enabling it again does not bring the session back.
	if _, err := db.SetStaffDisabled(ctx, reviewer.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := probe("Bearer " + bound); got != recruit.EFORBIDDEN+" 该工作人员账号已停用，请联系管理员" {
		t.Errorf("disabled account: %q", got)
	}
	if _, err := db.SetStaffDisabled(ctx, reviewer.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := probe("Bearer " + bound); !strings.HasPrefix(got, recruit.EUNAUTHORIZED+" ") {
		t.Errorf("session of a disabled account after re-enabling it: %q", got)
	}

	// The base follows the session's lifetime.
	again := session("openid-b")
	if got, _ := probe("Bearer " + again); got != strconv.FormatInt(bases[1].ID, 10) {
		t.Errorf("new session of the re-enabled account: %q", got)
	}
	clk.Add(SessionTTL + time.Second)
	if got, _ := probe("Bearer " + again); !strings.HasPrefix(got, recruit.EUNAUTHORIZED+" ") {
		t.Errorf("expired session: %q", got)
	}
}
