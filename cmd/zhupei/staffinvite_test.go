package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testhttp"
	"zhupei/recruit"
	"zhupei/store"
)

// TestStaffInvite runs the service in sandbox mode as `make run` does,
// creates an invitation with the staff-invite command and redeems it from
// the mini-program API with a login code of the sandbox's 小程序登录码 page.
func TestStaffInvite(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	environ := map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_LOG_LEVEL": "error"}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no role", []string{"staff-invite", "-base", "1"}, 2, "用法：zhupei staff-invite -role"},
		{"unknown role", []string{"staff-invite", "-role", "boss"}, 2, "未知的工作人员角色 \"boss\""},
		{"extra argument", []string{"staff-invite", "-role", "reviewer", "-base", "1", "now"}, 2, "用法"},
		{"bad ttl", []string{"staff-invite", "-role", "reviewer", "-base", "1", "-ttl", "soon"}, 2, "invalid value"},
		{"reviewer without base", []string{"staff-invite", "-role", "reviewer"}, 1, "审核员必须属于一个培训基地"},
		{"province with base", []string{"staff-invite", "-role", "province", "-base", "1"}, 1, "省级管理员不属于任何培训基地"},
		{"unknown base", []string{"staff-invite", "-role", "base_admin", "-base", "99999"}, 1, "培训基地（编号 99999）不存在"},
	} {
		code, stdout, stderr := cli(t, environ, tc.args...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d and %q", tc.name, code, stdout, stderr, tc.code, tc.stderr)
		}
	}

	_, lines, stop := serveInBackground(t, serveConfig(dataDir), io.Discard, 1, nil)
	first := lines[0]
	base := strings.TrimSuffix(strings.TrimPrefix(first, "zhupei 已启动："), "/")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("start-up line %q", first)
	}

	// The demo year's bases exist now.
	code, so, se := cli(t, environ, "staff-invite", "-role", "base_admin", "-base", "1", "-name", "王主任", "-ttl", "72h")
	m1 := regexp.MustCompile(`^邀请码 ([2-9A-HJKMNP-Z]{8})：培训基地“(.+)”（编号 1）的基地管理员在小程序或电脑端管理后台（/admin 扫码登录后）输入`).FindStringSubmatch(so)
	if code != 0 || m1 == nil || !strings.Contains(so, "有效期至 "+time.Now().Add(72*time.Hour).In(recruit.Shanghai).Format("2006-01-02")) {
		t.Fatalf("staff-invite: exit %d, stdout %q, stderr %q", code, so, se)
	}
	invite, baseName := m1[1], m1[2]
	if code, so, se := cli(t, environ, "staff-invite", "-role", "province"); code != 0 ||
		!regexp.MustCompile(`^邀请码 [2-9A-HJKMNP-Z]{8}：省级管理员在小程序或电脑端管理后台（/admin 扫码登录后）输入即可绑定`).MatchString(so) {
		t.Fatalf("staff-invite -role province: exit %d, stdout %q, stderr %q", code, so, se)
	}

	resp, err := http.PostForm(base+"/sandbox/minicode", url.Values{"nickname": {"基地老师"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mc := regexp.MustCompile(`<code>([^<]+)</code>`).FindSubmatch(page)
	if mc == nil {
		t.Fatalf("sandbox login-code page: %d %.300s", resp.StatusCode, page)
	}
	var login struct {
		Token string
		Bound bool
	}
	if status := callJSON(t, http.MethodPost, base+"/api/v1/mp/login", "", `{"code":"`+string(mc[1])+`"}`, &login); status != http.StatusOK || login.Token == "" || login.Bound {
		t.Fatalf("login: %d %+v", status, login)
	}
	// The staff routes of package handlers use the same session: refused
	// before binding, open (here to an unknown application) after.
	var refusal struct {
		Error struct{ Code, Message string }
	}
	staffForm := base + "/api/v1/mp/applications/999999/form"
	if status := callJSON(t, http.MethodGet, staffForm, login.Token, "", &refusal); status != http.StatusForbidden ||
		refusal.Error.Message != "该账号尚未绑定培训基地" {
		t.Fatalf("staff form before binding: %d %+v", status, refusal)
	}
	var bound struct {
		Bound bool
		Base  struct {
			ID   int64
			Name string
		}
		Role      string
		RoleLabel string `json:"role_label"`
	}
	if status := callJSON(t, http.MethodPost, base+"/api/v1/mp/bind", login.Token, `{"invite":"`+invite+`"}`, &bound); status != http.StatusOK ||
		!bound.Bound || bound.Base.ID != 1 || bound.Base.Name != baseName || bound.Role != "base_admin" || bound.RoleLabel != "基地管理员" {
		t.Fatalf("bind with the printed code: %d %+v", status, bound)
	}
	if status := callJSON(t, http.MethodGet, staffForm, login.Token, "", &refusal); status != http.StatusNotFound ||
		refusal.Error.Message != "未找到该报名信息" {
		t.Fatalf("staff form after binding: %d %+v", status, refusal)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// serveConfig is the configuration of a service for year 2025 on a local
// port with its data in dataDir.
func serveConfig(dataDir string) Config {
	cfg := DefaultConfig()
	cfg.HTTP.Addr, cfg.HTTP.ShutdownTimeout = "127.0.0.1:0", 5*time.Second
	cfg.DataDir, cfg.Year = dataDir, 2025
	return cfg
}

// callJSON sends body with an optional bearer token, decodes the answer
// into v and returns the status.
func callJSON(t *testing.T, method, url, token, body string, v any) int {
	t.Helper()
	status, _, raw := testhttp.Call(t, method, url, token, body)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %v", method, url, status, err)
	}
	return status
}

// TestServeMigratesStaff writes the key-value staff records of earlier
// versions into a database and starts the service on it: it moves them to
// a staff account and an invitation.
func TestServeMigratesStaff(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")
	environ := map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_LOG_LEVEL": "error"}
	if code, _, se := cli(t, environ, "demo", "-year", "2025"); code != 0 {
		t.Fatalf("demo: exit %d, %s", code, se)
	}
	open := func() recruit.Store {
		t.Helper()
		sealer, err := recruit.NewSealer(devIDKey)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(ctx, store.Config{DataDir: dataDir}, sealer)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	now := time.Now()
	st := open()
	for key, value := range map[string]string{
		"staff:openid:o-legacy": `{"base_id":1,"bound_at":"2025-07-01T10:00:00+08:00"}`,
		"staff:invite:ABCD2345": "1",
	} {
		if err := st.SetKV(ctx, key, value, time.Hour, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	_, _, stop := serveInBackground(t, serveConfig(dataDir), io.Discard, 1, nil)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	st = open()
	defer st.Close()
	if s, err := st.StaffByMPOpenID(ctx, "o-legacy"); err != nil || s.Role != recruit.RoleReviewer || s.BaseID != 1 {
		t.Errorf("migrated account %+v, %v", s, err)
	}
	if _, err := st.GetKV(ctx, "staff:invite:ABCD2345", now); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("the raw invitation code is still stored: %v", err)
	}
	if s, err := st.RedeemInvitation(ctx, recruit.HashSecret("ABCD2345"), recruit.ChannelMP, "o-new", now); err != nil ||
		s.Role != recruit.RoleReviewer || s.BaseID != 1 {
		t.Errorf("migrated invitation: %+v, %v", s, err)
	}
}
