package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	qrcode "github.com/skip2/go-qrcode"
)

// followImage is what the page shows of the home page's follow QR code.
type followImage struct {
	Src      string  `json:"src"`  // the image's absolute address
	Link     string  `json:"link"` // the link around it
	Natural  int     `json:"natural"`
	Width    float64 `json:"width"`
	Left     float64 `json:"left"`
	Right    float64 `json:"right"`
	Inner    int     `json:"inner"`
	Complete bool    `json:"complete"`
}

const measureFollow = `(() => {
	const i = document.querySelector('#follow-qr'), r = i.getBoundingClientRect(), a = i.closest('a');
	return {src: i.currentSrc, link: a ? a.href : '', natural: i.naturalWidth, width: r.width,
		left: r.left, right: r.right, inner: window.innerWidth, complete: i.complete};
})()`

// TestHomeFollowQR checks the home page's 扫码关注公众号 at 375 and 1280 px
// in the sandbox: the image has loaded, fits the screen, is the QR code of
// the sandbox's follow page (the same PNG go-qrcode draws for that link),
// and the page it opens lets a test user follow the account, whose welcome
// reply comes back.
func TestHomeFollowQR(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	follow := srv.URL + "/sandbox/follow"
	want, err := qrcode.Encode(follow, qrcode.Medium, 320)
	if err != nil {
		t.Fatal(err)
	}
	for _, vp := range []struct {
		name   string
		screen device.Info
	}{{"375", phoneOf(375)}, {"1280", desktopScreen}} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := newBrowser(t)
			step(t, ctx, "viewport", chromedp.Emulate(vp.screen))
			open(t, ctx, srv.URL+"/")
			waitFor(t, ctx, `(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('#follow-qr'))`, stepWait, "the follow QR code image")
			img := evaluate[followImage](t, ctx, measureFollow)
			if img.Src != srv.URL+"/follow-qr.png" || img.Link != follow {
				t.Fatalf("follow QR %q linked to %q, want %s/follow-qr.png linked to %s", img.Src, img.Link, srv.URL, follow)
			}
			if img.Natural != 320 || img.Width != 160 || img.Left < 0 || img.Right > float64(img.Inner) {
				t.Errorf("follow QR %d px drawn, %.0f px shown at %.0f–%.0f on a %d px screen; want 320 shown at 160 inside the screen",
					img.Natural, img.Width, img.Left, img.Right, img.Inner)
			}
			if h := text(t, ctx, ".card.qr h3"); h != "扫码关注公众号" {
				t.Errorf("card heading %q", h)
			}
			resp, err := http.Get(img.Src)
			if err != nil {
				t.Fatal(err)
			}
			png, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(png, want) {
				t.Errorf("the image (%s, %d bytes) is not the QR code of %s (%d bytes)", resp.Header.Get("Content-Type"), len(png), follow, len(want))
			}

			// What the QR code opens: the sandbox's follow page.
			evaluate[chromedp.Void](t, ctx, `document.querySelector('#follow-qr').closest('a').click()`)
			waitPath(t, ctx, "/sandbox/follow")
			newSandboxUser(t, ctx, "关注用户"+vp.name)
			step(t, ctx, "the account's reply", chromedp.WaitVisible(chromedp.CSS("#reply")))
			if reply := text(t, ctx, "#reply"); !strings.Contains(reply, "感谢关注") {
				t.Errorf("reply to the follow %q, want the welcome text", reply)
			}
		})
	}
}
