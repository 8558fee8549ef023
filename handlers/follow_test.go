package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// The home page's 扫码关注公众号: a follow link is drawn as a QR code,
// served as a cacheable PNG and linked; a configured image is shown as it
// is and allowed by the page's CSP; without either the account is named
// and no empty box is drawn.
func TestHomeFollowQR(t *testing.T) {
	const link = "http://weixin.qq.com/r/zhupei-test-follow"
	f := newFixture(t, true)
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	now := func() time.Time { return testNow }
	f.app = New(Config{Store: f.store, Registry: f.reg, Logger: log, Now: now, FollowURL: link})
	body := f.get(t, "/", http.StatusOK)
	wantContains(t, "home with a follow link", body, "<h3>扫码关注公众号</h3>",
		`<a href="`+link+`"><img class="qr-img" id="follow-qr" src="`+FollowQRPath+`"`)
	resp, png := f.do(t, http.MethodGet, FollowQRPath)
	want, err := qrcode.Encode(link, qrcode.Medium, followQRSize)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(png), want) {
		t.Errorf("follow QR: %d %s, %d bytes; want the PNG of %s (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), len(png), link, len(want))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("follow QR Cache-Control %q, want public", cc)
	}

	f.app = New(Config{Store: f.store, Registry: f.reg, Logger: log, Now: now, FollowQRImage: "https://cdn.example.cn/zp/qr.jpg"})
	resp, body = f.do(t, http.MethodGet, "/")
	wantContains(t, "home with a follow image", body, `<img class="qr-img" id="follow-qr" src="https://cdn.example.cn/zp/qr.jpg"`)
	wantMissing(t, "home with a follow image", body, `"><img class="qr-img"`)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://cdn.example.cn;") {
		t.Errorf("CSP %q does not allow the image's origin", csp)
	}
	if resp, _ := f.do(t, http.MethodGet, FollowQRPath); resp.StatusCode != http.StatusNotFound {
		t.Errorf("%s with a configured image: %d, want 404", FollowQRPath, resp.StatusCode)
	}

	f.app = New(Config{Store: f.store, Registry: f.reg, Logger: log, Now: now})
	resp, body = f.do(t, http.MethodGet, "/")
	wantContains(t, "home without a follow setting", body, "<h3>关注公众号</h3>", "在微信中搜索并关注“住院医师数字化轮转平台”公众号")
	wantMissing(t, "home without a follow setting", body, "qr-img", "扫码关注")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
		t.Errorf("CSP %q", csp)
	}
}
