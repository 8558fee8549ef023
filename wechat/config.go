package wechat

import (
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"zhupei/recruit"
)

// Modes of operation.
const (
	ModeSandbox = "sandbox"
	ModeLive    = "live"
)

// Config is the WeChat part of the service configuration.
type Config struct {
	Mode   string // ModeSandbox or ModeLive
	AppID  string // official account appid
	Secret string // official account appsecret
	Token  string // callback token
	// AESKey is the 43-character EncodingAESKey; empty means plain mode.
	AESKey string
	// BaseURL is the public URL of this service, e.g. https://zp.example.cn.
	BaseURL string
	// SandboxURL is where the stand-in platform is served in sandbox mode,
	// normally BaseURL + "/sandbox".
	SandboxURL string
	MiniAppID  string // staff mini-program appid (optional)
	MiniSecret string // staff mini-program appsecret
	// Timeout bounds every request to WeChat; 0 means 10 seconds.
	Timeout time.Duration
}

// Validate checks the configuration and returns an EINVALID error naming the
// first problem.
func (c Config) Validate() error {
	f := recruit.FieldErrors{}
	switch c.Mode {
	case ModeSandbox, ModeLive:
	default:
		f.Add("wechat.mode", "wechat.mode 只能是 sandbox 或 live")
	}
	if c.AppID == "" || c.Secret == "" || c.Token == "" {
		f.Add("wechat.app_id", "需要配置公众号 AppID、AppSecret 和 Token")
	}
	if c.AESKey != "" {
		if _, err := aesKey(c.AESKey); err != nil {
			f.Add("wechat.aes_key", "EncodingAESKey 必须是 43 位 Base64 字符")
		}
	}
	if !absoluteURL(c.BaseURL) {
		f.Add("wechat.base_url", "wechat.base_url 必须是完整的 http(s) 地址")
	}
	if c.Mode == ModeSandbox && !absoluteURL(c.SandboxURL) {
		f.Add("wechat.sandbox_url", "沙箱模式需要完整的 sandbox_url 地址")
	}
	if (c.MiniAppID == "") != (c.MiniSecret == "") {
		f.Add("wechat.mini_app_id", "小程序 AppID 与 AppSecret 需同时配置")
	}
	return f.Err()
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 10 * time.Second
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// aesKey decodes an EncodingAESKey into the 32-byte AES key.
func aesKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, recruit.Errorf(recruit.EINVALID, "EncodingAESKey 长度必须为 43")
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, recruit.Errorf(recruit.EINVALID, "EncodingAESKey 格式不正确")
	}
	return key, nil
}

// joinURL appends path to base without doubling the slash.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}
