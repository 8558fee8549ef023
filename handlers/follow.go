package handlers

import (
	"log/slog"
	"net/url"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
)

// FollowQRPath serves the account's follow QR code drawn from
// Config.FollowURL.
const FollowQRPath = "/follow-qr.png"

// followQRSize is the drawn QR code's width and height in pixels; the
// page shows it at half that, sharp on a phone's screen.
const followQRSize = 320

// followQR is what the home page's 扫码关注公众号 card shows: the image at
// Src, linked to Link (the follow link, which a phone in WeChat opens) when
// the QR code is drawn from it. The zero value shows no image.
type followQR struct {
	Src  string
	Link string
	png  []byte // the drawn image served at FollowQRPath
}

// newFollowQR is the card of a configured image, or else of the follow
// link drawn as a QR code; neither gives the zero value. A link too long
// for a QR code (which configuration refuses) is logged and not shown.
func newFollowQR(image, link string, log *slog.Logger) followQR {
	switch {
	case image != "":
		return followQR{Src: image}
	case link == "":
		return followQR{}
	}
	png, err := qrcode.Encode(link, qrcode.Medium, followQRSize)
	if err != nil {
		log.Error("cannot draw the follow QR code", "err", err)
		return followQR{}
	}
	return followQR{Src: FollowQRPath, Link: link, png: png}
}

// followQRImage serves the drawn QR code; the link changes only with the
// configuration, so browsers may keep it like a static file.
func (s *server) followQRImage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Type("png")
	return c.Send(s.follow.png)
}

// origin is the scheme and host of an image on another site, "" for one
// on this service.
func (f followQR) origin() string {
	u, err := url.Parse(f.Src)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
