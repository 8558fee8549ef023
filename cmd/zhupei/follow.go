package main

import (
	"net/url"
	"strings"

	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// maxFollowURL bounds wechat.follow_url, in bytes: well inside what a QR
// code holds, and far longer than any follow link.
const maxFollowURL = 1000

// checkFollow validates the home page's follow QR code settings: at most
// one of them, the image an http(s) URL or a path on this service, the
// link an http(s) URL short enough to draw.
func (w WeChatConfig) checkFollow() error {
	switch {
	case w.FollowQRImage != "" && w.FollowURL != "":
		return &ConfigError{Key: "wechat.follow_qr_image", Msg: "与 wechat.follow_url 只能设置其中一个"}
	case w.FollowQRImage != "" && !httpURL(w.FollowQRImage) && !localPath(w.FollowQRImage):
		return &ConfigError{Key: "wechat.follow_qr_image", Msg: "应为公众号二维码图片的完整 http(s) 地址，或本服务上以 / 开头的路径"}
	case w.FollowURL != "" && (!httpURL(w.FollowURL) || len(w.FollowURL) > maxFollowURL):
		return &ConfigError{Key: "wechat.follow_url", Msg: "应为公众号关注链接的完整 http(s) 地址（不超过 1000 个字符）"}
	}
	return nil
}

// httpURL reports whether s is an absolute http(s) URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// localPath reports whether s is an absolute path on this service (not a
// scheme-relative "//host" address).
func localPath(s string) bool {
	u, err := url.Parse(s)
	return err == nil && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && u.Scheme == "" && u.Host == ""
}

// followURL is the link the home page draws as the follow QR code: the
// configured one; in sandbox mode without a follow setting, the sandbox's
// follow page.
func (c Config) followURL(wx wechat.Config) string {
	w := c.WeChat
	if w.FollowURL != "" || w.FollowQRImage != "" || wx.Mode != wechat.ModeSandbox {
		return w.FollowURL
	}
	return wx.SandboxURL + sandbox.FollowPath
}
