package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zhupei/wechat"
)

func TestWeChatConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HTTP.Addr = ":8080"
	w, err := cfg.wechatConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.AppID != sandboxAppID || w.Secret != sandboxSecret || w.Token != sandboxToken || w.AESKey != sandboxAESKey || w.MiniAppID != sandboxMiniAppID {
		t.Fatalf("sandbox defaults not filled: %+v", w)
	}
	if w.BaseURL != "http://localhost:8080" || w.SandboxURL != "http://localhost:8080/sandbox" {
		t.Fatalf("derived URLs %q %q", w.BaseURL, w.SandboxURL)
	}
	if err := w.Validate(); err != nil {
		t.Fatalf("derived sandbox config invalid: %v", err)
	}
	if got := cfg.followURL(w); got != "http://localhost:8080/sandbox/follow" {
		t.Errorf("sandbox follow link %q, want the sandbox's follow page", got)
	}
	withImage := cfg
	withImage.WeChat.FollowQRImage = "/static/qr.png"
	if got := withImage.followURL(w); got != "" {
		t.Errorf("follow link %q with a configured image, want none", got)
	}
	// The listener's port wins over the configured port 0.
	cfg.HTTP.Addr = "127.0.0.1:0"
	if _, err := cfg.wechatConfig(nil); err == nil || !strings.Contains(err.Error(), "wechat.base_url") {
		t.Fatalf("port 0 without a listener: %v", err)
	}
	w, err = cfg.wechatConfig(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4567})
	if err != nil || w.BaseURL != "http://127.0.0.1:4567" {
		t.Fatalf("from the listener: %q %v", w.BaseURL, err)
	}
	// Configured values are kept; live mode gets no sandbox defaults.
	cfg.WeChat = WeChatConfig{Mode: ModeLive, AppID: "wx1", Secret: "s", Token: "t", BaseURL: "https://zp.example.cn/"}
	w, err = cfg.wechatConfig(nil)
	if err != nil || w.AppID != "wx1" || w.AESKey != "" || w.SandboxURL != "" || w.BaseURL != "https://zp.example.cn" || w.MiniAppID != "" {
		t.Fatalf("live config %+v %v", w, err)
	}
	if got := cfg.followURL(w); got != "" {
		t.Errorf("live follow link %q without a setting, want none", got)
	}
	cfg.WeChat.FollowURL = "http://weixin.qq.com/r/x"
	if got := cfg.followURL(w); got != cfg.WeChat.FollowURL {
		t.Errorf("live follow link %q, want the configured one", got)
	}
}

// TestSandboxServeAndMenu starts the service as `make run` does: it prints
// the sandbox hint, publishes the menu to the sandbox, and the wechat-menu
// command publishes it again to the running service.
func TestSandboxServeAndMenu(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg := DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DataDir = dataDir
	cfg.Year = 2025
	m, lines, stop := serveInBackground(t, cfg, io.Discard, 2, nil)
	first, hint := lines[0], lines[1]
	base := strings.TrimSuffix(strings.TrimPrefix(first, "zhupei 已启动："), "/")
	if !strings.HasPrefix(hint, "沙箱微信：打开 "+base+"/sandbox/ ") {
		t.Fatalf("hint %q after %q", hint, first)
	}
	code, body := get(t, base+"/sandbox/menu")
	if code != http.StatusOK || !strings.Contains(body, "招录报名") || !strings.Contains(body, "实名认证") ||
		!strings.Contains(body, `href="`+base+`/wechat/oauth/start?next=/apply"`) {
		t.Fatalf("sandbox menu: %d %s", code, body)
	}
	// The callback answers WeChat's URL check with the sandbox token.
	code, _ = get(t, base+wechat.CallbackPath+"?signature=bad&timestamp=1&nonce=1&echostr=x")
	if code != http.StatusForbidden {
		t.Fatalf("callback with a bad signature: %d", code)
	}

	port := base[strings.LastIndex(base, ":")+1:]
	exit, so, se := cli(t, map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_HTTP_ADDR": "127.0.0.1:" + port, "ZHUPEI_LOG_LEVEL": "error"}, "wechat-menu")
	if exit != 0 || !strings.Contains(so, "公众号菜单已发布") {
		t.Fatalf("wechat-menu: exit %d, stdout %q, stderr %q", exit, so, se)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	m.Close()
	// Without the service the sandbox cannot take the menu.
	exit, _, se = cli(t, map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_HTTP_ADDR": "127.0.0.1:" + port, "ZHUPEI_LOG_LEVEL": "error"}, "wechat-menu")
	if exit != 1 || !strings.Contains(se, "公众号菜单发布失败") || !strings.Contains(se, "请先启动服务") {
		t.Fatalf("wechat-menu without the service: exit %d, stderr %q", exit, se)
	}
}
