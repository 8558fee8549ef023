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

	"zhupei/recruit"
	"zhupei/wechat"
)

// TestStaffBase checks the authentication that the staff's form and file
// routes use: the base of a bound account, 401 with the Bearer challenge without a
// live session, 403 for an account bound to no base.
func TestStaffBase(t *testing.T) {
	ctx := context.Background()
	db, bases := seededStore(t)
	clk := &clock{t: testNow}
	// A session as login stores it; the token is what the client sends.
	session := func(openID string) string {
		tok := strings.Repeat(openID[len(openID)-1:], tokenLen)
		if err := db.SetKV(ctx, sessionKey(tok), openID, SessionTTL, clk.now()); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	bound, unbound := session("openid-b"), session("openid-c")
	inv, err := CreateInvite(ctx, db, bases[1].ID, DefaultInviteTTL, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Redeem(ctx, db, inv.Code, "openid-b", clk.now()); err != nil {
		t.Fatal(err)
	}

	api := New(Config{Store: db, WeChat: &wechat.Client{}, Now: clk.now})
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
		{"no token", "", recruit.EUNAUTHORIZED + " 请先登录小程序", true},
		{"garbage", "Bearer xyz", recruit.EUNAUTHORIZED + " 登录已失效，请重新登录小程序", true},
		{"unknown token", "Bearer " + strings.Repeat("a", tokenLen), recruit.EUNAUTHORIZED + " 登录已失效，请重新登录小程序", true},
	} {
		got, h := probe(tc.auth)
		if got != tc.want || (h.Get("WWW-Authenticate") != "") != tc.challenged {
			t.Errorf("%s: %q (WWW-Authenticate %q), want %q", tc.name, got, h.Get("WWW-Authenticate"), tc.want)
		}
	}

	// The base follows the session's lifetime.
	clk.advance(SessionTTL + time.Second)
	if got, _ := probe("Bearer " + bound); !strings.HasPrefix(got, recruit.EUNAUTHORIZED+" ") {
		t.Errorf("expired session: %q", got)
	}
}
