package miniprogram

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
	"zhupei/wechat"
)

// TestStaffBase checks the authentication that other packages' staff routes
// use: the base of a bound account, 401 with the Bearer challenge without a
// live session, 403 for an account bound to no base.
func TestStaffBase(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
		{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}); err != nil {
		t.Fatal(err)
	}
	bases, err := db.ListBases(ctx)
	if err != nil || len(bases) != 2 {
		t.Fatalf("bases %v, %v", bases, err)
	}
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
