package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"zhupei/notify"
	"zhupei/recruit"
)

// Config is every setting of the service. config.yaml documents each one
// with its default; the yaml tags are the setting names and give the
// environment variables that override them (ZHUPEI_<SECTION>_<KEY>).
// Settings tagged secret are masked by Redacted; secret:"uri" masks only the
// password of a URI.
type Config struct {
	HTTP        HTTPConfig        `yaml:"http"`
	DataDir     string            `yaml:"data_dir"`
	Year        int               `yaml:"year"`
	Store       StoreConfig       `yaml:"store"`
	Security    SecurityConfig    `yaml:"security"`
	WeChat      WeChatConfig      `yaml:"wechat"`
	MiniProgram MiniProgramConfig `yaml:"miniprogram"`
	PDF         PDFConfig         `yaml:"pdf"`
	Notify      NotifyConfig      `yaml:"notify"`
	Jobs        JobsConfig        `yaml:"jobs"`
	Log         LogConfig         `yaml:"log"`
}

// HTTPConfig is the web server.
type HTTPConfig struct {
	Addr            string        `yaml:"addr"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// ProxyHeader names the header carrying the client's address when the
	// service runs behind a reverse proxy (e.g. X-Forwarded-For); it is
	// believed only from TrustedProxies.
	ProxyHeader string `yaml:"proxy_header"`
	// TrustedProxies is a comma-separated list of proxy IPs or CIDRs.
	TrustedProxies string `yaml:"trusted_proxies"`
	// MetricsToken is the bearer token /metrics requires; without one
	// /metrics is open in sandbox mode and closed in live mode.
	MetricsToken string `yaml:"metrics_token" secret:"true"`
}

// trustedProxies splits TrustedProxies into its entries.
func (h HTTPConfig) trustedProxies() []string { return splitList(h.TrustedProxies) }

// splitList splits a comma-separated setting into its non-empty, trimmed
// entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// StoreConfig selects the database.
type StoreConfig struct {
	MongoURI      string `yaml:"mongo_uri" secret:"uri"`
	MongoDatabase string `yaml:"mongo_database"`
}

// SecurityConfig holds the keys protecting personal data at rest: the ID
// numbers' key and the files' keyring (empty FileKey: derived from IDKey).
type SecurityConfig struct {
	IDKey           string `yaml:"id_key" secret:"true"`
	FileKey         string `yaml:"file_key" secret:"true"`
	RetiredFileKeys string `yaml:"retired_file_keys" secret:"true"` // comma-separated
}

// retiredFileKeys splits the retired file keys.
func (s SecurityConfig) retiredFileKeys() []string { return splitList(s.RetiredFileKeys) }

// WeChatConfig is the official account (服务号).
type WeChatConfig struct {
	Mode    string `yaml:"mode"`
	AppID   string `yaml:"appid"`
	Secret  string `yaml:"secret" secret:"true"`
	Token   string `yaml:"token" secret:"true"`
	AESKey  string `yaml:"aes_key" secret:"true"`
	BaseURL string `yaml:"base_url"`
	// Verifier is the real-name check: "" (the provider at VerifierURL
	// when it is set, else format and checksum, which live mode refuses)
	// or VerifierFormatOnly, which live mode accepts with a warning at
	// every start.
	Verifier string `yaml:"verifier"`
	// VerifierURL is an identity-verification provider for real-name
	// binding (the contract is apply.HTTPVerifier's).
	VerifierURL     string        `yaml:"verifier_url" secret:"true"`
	VerifierTimeout time.Duration `yaml:"verifier_timeout"`
	// FollowQRImage is the address of the account's follow QR code image
	// (an http(s) URL or a path on this service) for the home page;
	// FollowURL is instead the follow link, which the service draws as a
	// QR code. At most one (checkFollow); neither in sandbox mode: the
	// sandbox's follow page (followURL).
	FollowQRImage string `yaml:"follow_qr_image"`
	FollowURL     string `yaml:"follow_url"`
}

// MiniProgramConfig is the staff mini-program.
type MiniProgramConfig struct {
	AppID  string `yaml:"appid"`
	Secret string `yaml:"secret" secret:"true"`
}

// NotifyConfig is the notification sender (see notify.Config).
type NotifyConfig struct {
	Interval    time.Duration `yaml:"interval"`
	Rate        int           `yaml:"rate"`
	Workers     int           `yaml:"workers"`
	MaxAttempts int           `yaml:"max_attempts"`
	Backoff     time.Duration `yaml:"backoff"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
	// SubscribePage is the mini-program page staff subscribe messages open.
	SubscribePage string `yaml:"subscribe_page"`
	// Templates per kind; in sandbox mode kinds left out take the
	// sandbox's templates.
	Templates map[recruit.NoticeKind]notify.Template `yaml:"templates"`
}

// sender is the notify.Config of these settings.
func (n NotifyConfig) sender(sandbox bool) notify.Config {
	return notify.Config{Templates: n.Templates, Rate: float64(n.Rate), Workers: n.Workers, MaxAttempts: n.MaxAttempts,
		Backoff: n.Backoff, MaxBackoff: n.MaxBackoff, Page: n.SubscribePage}.WithDefaults(sandbox)
}

// PDFConfig is the registration-form generator.
type PDFConfig struct {
	FontPath string `yaml:"font_path"`
}

// JobsConfig is the timed jobs' schedule.
type JobsConfig struct {
	// Tick is the period of the minute jobs (counter reconciliation,
	// relay): 1m runs them on every minute boundary; shorter periods are
	// for simulations and tests.
	Tick time.Duration `yaml:"tick"`
	// BoundaryTick is the period of the boundary jobs, whose timing users
	// see (phase transitions, offer expiry): a phase start or an offer's
	// answer deadline takes effect within it. 1s to Tick.
	BoundaryTick time.Duration `yaml:"boundary_tick"`
}

// minuteSpec is the cron spec of the minute jobs.
func (j JobsConfig) minuteSpec() string { return periodSpec(j.Tick) }

// boundarySpec is the cron spec of the boundary jobs.
func (j JobsConfig) boundarySpec() string { return periodSpec(j.BoundaryTick) }

// periodSpec is the cron spec of a period: every minute boundary for 1m,
// else every period from the start.
func periodSpec(d time.Duration) string {
	if d == time.Minute {
		return "* * * * *"
	}
	return "@every " + d.String()
}

// LogConfig is the structured logger.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// WeChat modes.
const (
	ModeSandbox = "sandbox"
	ModeLive    = "live"
)

// VerifierFormatOnly is the wechat.verifier setting that accepts, in live
// mode, real-name binding checked for format and checksum only.
const VerifierFormatOnly = "format_only"

// DefaultConfig returns the built-in defaults, the same values config.yaml
// documents.
func DefaultConfig() Config {
	return Config{
		HTTP:    HTTPConfig{Addr: ":8080", ShutdownTimeout: 15 * time.Second},
		DataDir: "./data",
		Store:   StoreConfig{MongoDatabase: "zhupei"},
		WeChat:  WeChatConfig{Mode: ModeSandbox, VerifierTimeout: 5 * time.Second},
		PDF:     PDFConfig{FontPath: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"},
		Notify: NotifyConfig{Interval: 10 * time.Second, Rate: 20, Workers: 4, MaxAttempts: 8,
			Backoff: 30 * time.Second, MaxBackoff: time.Hour, SubscribePage: "pages/messages/index"},
		Jobs: JobsConfig{Tick: time.Minute, BoundaryTick: 5 * time.Second},
		Log:  LogConfig{Level: "info", Format: "text"},
	}
}

// EnvConfigPath names the environment variable giving the config file.
const EnvConfigPath = "ZHUPEI_CONFIG"

// DefaultConfigPath is read when it exists and no file is named.
const DefaultConfigPath = "config.yaml"

// ConfigError is a bad setting; its message names the setting and the
// environment variable that sets it.
type ConfigError struct {
	Key string // e.g. "http.addr"; empty for file-level problems
	Msg string
}

func (e *ConfigError) Error() string {
	if e.Key == "" {
		return "配置错误（config error）：" + e.Msg
	}
	return fmt.Sprintf("配置错误（config error）：%s（环境变量 %s）：%s", e.Key, envName(e.Key), e.Msg)
}

// envName returns the environment variable of a setting: ZHUPEI_HTTP_ADDR
// for http.addr.
func envName(key string) string {
	return "ZHUPEI_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// LoadConfig returns the defaults overridden by the config file and then by
// environment variables, validated. The file is path (the -config flag),
// else $ZHUPEI_CONFIG, else ./config.yaml when it exists; a file named
// explicitly must exist.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	required := true
	if path == "" {
		path = getenv(EnvConfigPath)
	}
	if path == "" {
		path, required = DefaultConfigPath, false
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := cfg.applyYAML(path, data); err != nil {
			return Config{}, err
		}
	case errors.Is(err, fs.ErrNotExist) && !required:
	default:
		return Config{}, &ConfigError{Msg: fmt.Sprintf("无法读取配置文件 %s：%v", path, err)}
	}
	if err := cfg.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// setting is one leaf of Config.
type setting struct {
	key    string        // dotted yaml path, e.g. "http.addr"
	secret string        // "", "true" or "uri"
	value  reflect.Value // the field, settable when Config was addressed
}

// settings lists the leaves of c in declaration order.
func (c *Config) settings() []setting {
	var out []setting
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			key := prefix + f.Tag.Get("yaml")
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), key+".")
				continue
			}
			out = append(out, setting{key: key, secret: f.Tag.Get("secret"), value: v.Field(i)})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// applyYAML sets the settings present in a YAML document. Unknown keys are
// errors, as with yaml.v3's KnownFields, but named by their full path.
func (c *Config) applyYAML(path string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &ConfigError{Msg: fmt.Sprintf("配置文件 %s 不是有效的 YAML：%v", path, err)}
	}
	if len(doc.Content) == 0 {
		return nil // empty file
	}
	leaves := map[string]reflect.Value{}
	sections := map[string]bool{}
	for _, s := range c.settings() {
		leaves[s.key] = s.value
		for i, r := range s.key {
			if r == '.' {
				sections[s.key[:i]] = true
			}
		}
	}
	var walk func(n *yaml.Node, prefix string) error
	walk = func(n *yaml.Node, prefix string) error {
		if n.Kind != yaml.MappingNode {
			what := "配置文件顶层"
			if prefix != "" {
				what = "“" + strings.TrimSuffix(prefix, ".") + "”"
			}
			return &ConfigError{Msg: fmt.Sprintf("配置文件 %s 第%d行：%s应为键值映射", path, n.Line, what)}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := prefix + k.Value
			if field, ok := leaves[key]; ok {
				if err := v.Decode(field.Addr().Interface()); err != nil {
					return &ConfigError{Key: key, Msg: fmt.Sprintf("配置文件 %s 第%d行的值类型不对，应为%s", path, v.Line, kindName(field))}
				}
				continue
			}
			if sections[key] {
				if err := walk(v, key+"."); err != nil {
					return err
				}
				continue
			}
			return &ConfigError{Msg: fmt.Sprintf("配置文件 %s 第%d行：未知设置“%s”（unknown setting）", path, k.Line, key)}
		}
		return nil
	}
	return walk(doc.Content[0], "")
}

// applyEnv overrides settings from ZHUPEI_* environment variables.
func (c *Config) applyEnv(getenv func(string) string) error {
	for _, s := range c.settings() {
		raw := getenv(envName(s.key))
		if raw == "" {
			continue // empty counts as unset, as usual in container set-ups
		}
		if err := setString(s.value, raw); err != nil {
			return &ConfigError{Key: s.key, Msg: fmt.Sprintf("环境变量的值类型不对，应为%s", kindName(s.value))}
		}
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// setString parses raw into the field v.
func setString(v reflect.Value, raw string) error {
	raw = strings.TrimSpace(raw)
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(n))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// kindName describes the expected type of a setting in Chinese.
func kindName(v reflect.Value) string {
	switch {
	case v.Type() == durationType:
		return "时长（如 15s、1m）"
	case v.Kind() == reflect.Int:
		return "整数"
	}
	return "字符串"
}

// Validate checks every setting and returns the first problem as a
// *ConfigError naming the setting. Secret values are never echoed.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	live := c.WeChat.Mode == ModeLive
	if err := checkAddr(c.HTTP.Addr); err != nil {
		return bad("http.addr", "“%s”不是有效的监听地址，应为 host:port，例如 \":8080\" 或 \"127.0.0.1:8080\"（%v）", c.HTTP.Addr, err)
	}
	if c.HTTP.ShutdownTimeout <= 0 || c.HTTP.ShutdownTimeout > 5*time.Minute {
		return bad("http.shutdown_timeout", "应在 0 到 5m 之间，当前为 %s", c.HTTP.ShutdownTimeout)
	}
	proxies := c.HTTP.trustedProxies()
	for _, p := range proxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return bad("http.trusted_proxies", "“%s”不是 IP 地址或 CIDR 网段", p)
			}
		}
	}
	if h := c.HTTP.ProxyHeader; h != "" && (len(proxies) == 0 || strings.ContainsAny(h, " :\r\n")) {
		return bad("http.proxy_header", "设置代理头时必须同时设置 http.trusted_proxies，且头名称不能含空格或冒号")
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return bad("data_dir", "不能为空")
	}
	if c.Year != 0 && !validYear(c.Year) {
		return bad("year", "%d 不是有效的年度（%d–%d，0 表示当前年度）", c.Year, minYear, maxYear)
	}
	if c.Store.MongoURI != "" {
		u, err := url.Parse(c.Store.MongoURI)
		if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
			return bad("store.mongo_uri", "应为 mongodb://host:port 或 mongodb+srv://host 形式的连接串")
		}
	}
	if db := c.Store.MongoDatabase; db == "" || len(db) > 63 || strings.ContainsAny(db, "/\\. \"$") {
		return bad("store.mongo_database", "“%s”不是有效的 MongoDB 数据库名", db)
	}
	if k := c.Security.IDKey; (k != "" || live) && len(k) < 16 {
		return bad("security.id_key", "身份证号加密密钥至少 16 个字符（live 模式必须设置）")
	}
	if k := c.Security.FileKey; k != "" && len(k) < 16 {
		return bad("security.file_key", "文件加密密钥至少 16 个字符")
	}
	for _, k := range c.Security.retiredFileKeys() {
		if len(k) < 16 {
			return bad("security.retired_file_keys", "每个旧文件加密密钥至少 16 个字符（多个用英文逗号分隔）")
		}
	}
	switch c.WeChat.Mode {
	case ModeSandbox, ModeLive:
	default:
		return bad("wechat.mode", "“%s”无效，只能是 sandbox 或 live", c.WeChat.Mode)
	}
	if live {
		// Safe (AES) mode is required: in plain mode the signature does not
		// cover the message, so an observed signed query could be replayed
		// with any event.
		for _, req := range []struct{ key, val string }{
			{"wechat.appid", c.WeChat.AppID}, {"wechat.secret", c.WeChat.Secret},
			{"wechat.token", c.WeChat.Token}, {"wechat.base_url", c.WeChat.BaseURL},
			{"wechat.aes_key", c.WeChat.AESKey},
		} {
			if req.val == "" {
				return bad(req.key, "wechat.mode 为 live 时必须设置")
			}
		}
		if c.MiniProgram.AppID != "" && c.MiniProgram.Secret == "" {
			return bad("miniprogram.secret", "设置了 miniprogram.appid 时必须设置")
		}
	}
	if k := c.WeChat.AESKey; k != "" {
		if raw, err := base64.StdEncoding.DecodeString(k + "="); len(k) != 43 || err != nil || len(raw) != 32 {
			return bad("wechat.aes_key", "消息加解密密钥（EncodingAESKey）应为 43 个 Base64 字符")
		}
	}
	if b := c.WeChat.BaseURL; b != "" {
		u, err := url.Parse(b)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("wechat.base_url", "“%s”应为服务的公网地址，例如 https://zp.example.cn", b)
		}
	}
	if v := c.WeChat.VerifierURL; v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("wechat.verifier_url", "应为实名核验服务的完整 http(s) 地址")
		}
	}
	switch v := c.WeChat.Verifier; {
	case v != "" && v != VerifierFormatOnly:
		return bad("wechat.verifier", "“%s”无效，只能为空或 format_only", v)
	case v == VerifierFormatOnly && c.WeChat.VerifierURL != "":
		return bad("wechat.verifier", "设置了 wechat.verifier_url 时不能为 format_only")
	case live && v == "" && c.WeChat.VerifierURL == "":
		return bad("wechat.verifier_url", "wechat.mode 为 live 时必须设置实名核验服务地址：仅校验格式和校验码时任何人都能用他人的证件号码认证；"+
			"确需如此请显式设置 wechat.verifier: format_only")
	}
	if err := c.WeChat.checkFollow(); err != nil {
		return err
	}
	if t := c.WeChat.VerifierTimeout; t <= 0 || t > time.Minute {
		return bad("wechat.verifier_timeout", "应在 0 到 1m 之间，当前为 %s", t)
	}
	if c.PDF.FontPath == "" {
		return bad("pdf.font_path", "不能为空，应为中文字体文件路径")
	}
	n := c.Notify
	if n.Interval < time.Second || n.Interval > time.Hour {
		return bad("notify.interval", "应在 1s 到 1h 之间，当前为 %s", n.Interval)
	}
	if n.Rate <= 0 || n.Rate > 1000 || n.Workers <= 0 || n.Workers > 64 || n.MaxAttempts <= 0 || n.Backoff <= 0 || n.MaxBackoff < n.Backoff {
		return bad("notify.rate", "rate 应在 1 到 1000 之间，workers 在 1 到 64 之间，max_attempts 与 backoff 为正，max_backoff 不小于 backoff")
	}
	if t := c.Jobs.Tick; t < time.Second || t > time.Minute {
		return bad("jobs.tick", "应在 1s 到 1m 之间，当前为 %s", t)
	}
	if t := c.Jobs.BoundaryTick; t < time.Second || t > c.Jobs.Tick {
		return bad("jobs.boundary_tick", "应在 1s 到 jobs.tick（%s）之间，当前为 %s", c.Jobs.Tick, t)
	}
	if err := n.sender(!live).Validate(); err != nil {
		return bad("notify.templates", "%s", recruit.ErrorMessage(err))
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return bad("log.level", "“%s”无效，只能是 debug、info、warn 或 error", c.Log.Level)
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		return bad("log.format", "“%s”无效，只能是 json 或 text", c.Log.Format)
	}
	return nil
}

// The recruitment years the service accepts.
const minYear, maxYear = 2000, 2100

func validYear(y int) bool { return y >= minYear && y <= maxYear }

// checkAddr accepts host:port with a numeric port (0 picks a free one).
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("端口应为 0–65535 的数字")
	}
	return nil
}

// parseLevel maps log.level to a slog level.
func parseLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q", s)
}

// mask replaces a secret value.
const mask = "******"

// Redacted returns a copy of c with every secret masked: passwords and keys
// become ******, a MongoDB URI keeps everything but its password.
func (c Config) Redacted() Config {
	r := c
	for _, s := range r.settings() {
		v := s.value.String()
		if s.secret == "" || v == "" {
			continue
		}
		masked := mask
		if u, err := url.Parse(v); s.secret == "uri" && err == nil {
			masked = u.Redacted()
		}
		s.value.SetString(masked)
	}
	return r
}

// LogValue logs the redacted configuration as dotted settings, so logging a
// Config never reveals a secret.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	var attrs []slog.Attr
	for _, s := range r.settings() {
		attrs = append(attrs, slog.Any(s.key, s.value.Interface()))
	}
	return slog.GroupValue(attrs...)
}
