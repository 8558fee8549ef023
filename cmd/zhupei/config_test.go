package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"zhupei/notify"
)

// env returns a getenv over a fixed map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes content to a new file in a temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigYAMLDocumentsDefaults checks that the shipped config.yaml sets
// every setting, to exactly the built-in default.
func TestConfigYAMLDocumentsDefaults(t *testing.T) {
	const path = "../../config.yaml"
	cfg, err := LoadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("config.yaml differs from DefaultConfig:\n got %+v\nwant %+v", cfg, want)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var inFile []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if v.Kind == yaml.MappingNode {
				walk(v, prefix+k+".")
			} else {
				inFile = append(inFile, prefix+k)
			}
		}
	}
	walk(doc.Content[0], "")
	var want []string
	for _, s := range (&Config{}).settings() {
		want = append(want, s.key)
	}
	sort.Strings(inFile)
	sort.Strings(want)
	if !reflect.DeepEqual(inFile, want) {
		t.Errorf("config.yaml settings = %v, want %v", inFile, want)
	}
}

func TestLoadConfigDefaultsWithoutFile(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./config.yaml here
	cfg, err := LoadConfig("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, DefaultConfig()) {
		t.Errorf("got %+v, want defaults", cfg)
	}
	if cfg.HTTP.Addr != ":8080" || cfg.DataDir != "./data" || cfg.WeChat.Mode != ModeSandbox || cfg.Store.MongoDatabase != "zhupei" {
		t.Errorf("unexpected defaults %+v", cfg)
	}
}

func TestLoadConfigFileThenEnv(t *testing.T) {
	path := writeFile(t, "zp.yaml", `
http:
  addr: ":9000"
  shutdown_timeout: 5s
data_dir: /srv/file-data
year: 2024
log:
  format: json
wechat:
  appid: wx-from-file
`)
	// File only.
	cfg, err := LoadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != ":9000" || cfg.HTTP.ShutdownTimeout != 5*time.Second || cfg.DataDir != "/srv/file-data" ||
		cfg.Year != 2024 || cfg.Log.Format != "json" || cfg.WeChat.AppID != "wx-from-file" {
		t.Errorf("file not applied: %+v", cfg)
	}
	if cfg.Log.Level != "info" || cfg.PDF.FontPath != DefaultConfig().PDF.FontPath {
		t.Errorf("defaults lost for settings absent from the file: %+v", cfg)
	}

	// Environment over file, found through ZHUPEI_CONFIG.
	cfg, err = LoadConfig("", env(map[string]string{
		"ZHUPEI_CONFIG":                path,
		"ZHUPEI_HTTP_ADDR":             "127.0.0.1:7000",
		"ZHUPEI_DATA_DIR":              "/srv/env-data",
		"ZHUPEI_WECHAT_APPID":          "wx-from-env",
		"ZHUPEI_HTTP_SHUTDOWN_TIMEOUT": "2s",
		"ZHUPEI_YEAR":                  "2026",
		"ZHUPEI_STORE_MONGO_DATABASE":  "zp2",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:7000" || cfg.DataDir != "/srv/env-data" || cfg.WeChat.AppID != "wx-from-env" ||
		cfg.HTTP.ShutdownTimeout != 2*time.Second || cfg.Year != 2026 || cfg.Store.MongoDatabase != "zp2" {
		t.Errorf("env not applied: %+v", cfg)
	}
	if cfg.Log.Format != "json" {
		t.Errorf("file setting without env override lost: %+v", cfg)
	}
}

func TestLoadConfigMissingExplicitFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	for name, load := range map[string]func() error{
		"flag": func() error { _, err := LoadConfig(missing, env(nil)); return err },
		"env":  func() error { _, err := LoadConfig("", env(map[string]string{"ZHUPEI_CONFIG": missing})); return err },
	} {
		err := load()
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("%s: err = %v, want one naming %s", name, err, missing)
		}
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	templates, err := yaml.Marshal(map[string]any{"notify": map[string]any{"templates": notify.SandboxTemplates()}})
	if err != nil {
		t.Fatal(err)
	}
	liveNoTemplates := "wechat:\n  mode: live\n  appid: wx1\n  secret: s3cret-value\n  token: tok\n  aes_key: " + strings.Repeat("a", 43) + "\n  base_url: https://zp.example.cn\n  verifier_url: https://verify.example.cn/check\nsecurity:\n  id_key: 0123456789abcdef0123\n"
	live := liveNoTemplates + string(templates)
	tests := []struct {
		name string
		file string            // YAML content, "" for none
		env  map[string]string // overrides
		want []string          // fragments of the message
	}{
		{"addr", "", map[string]string{"ZHUPEI_HTTP_ADDR": "localhost"}, []string{"http.addr", "ZHUPEI_HTTP_ADDR", "“localhost”"}},
		{"port", "http:\n  addr: \":99999\"\n", nil, []string{"http.addr", "ZHUPEI_HTTP_ADDR"}},
		{"shutdown", "", map[string]string{"ZHUPEI_HTTP_SHUTDOWN_TIMEOUT": "0s"}, []string{"http.shutdown_timeout"}},
		{"shutdown type", "", map[string]string{"ZHUPEI_HTTP_SHUTDOWN_TIMEOUT": "soon"}, []string{"http.shutdown_timeout", "时长"}},
		{"data_dir", "data_dir: \"\"\n", nil, []string{"data_dir", "ZHUPEI_DATA_DIR"}},
		{"year range", "year: 1999\n", nil, []string{"year", "ZHUPEI_YEAR"}},
		{"year type file", "year: abc\n", nil, []string{"year", "第1行", "整数"}},
		{"year type env", "", map[string]string{"ZHUPEI_YEAR": "next"}, []string{"year", "ZHUPEI_YEAR", "整数"}},
		{"mongo uri", "", map[string]string{"ZHUPEI_STORE_MONGO_URI": "http://db:27017"}, []string{"store.mongo_uri", "ZHUPEI_STORE_MONGO_URI"}},
		{"mongo db", "store:\n  mongo_database: a.b\n", nil, []string{"store.mongo_database"}},
		{"id key short", "", map[string]string{"ZHUPEI_SECURITY_ID_KEY": "short"}, []string{"security.id_key", "ZHUPEI_SECURITY_ID_KEY"}},
		{"mode", "wechat:\n  mode: prod\n", nil, []string{"wechat.mode", "ZHUPEI_WECHAT_MODE", "prod"}},
		{"live is valid", live, map[string]string{"ZHUPEI_WECHAT_SECRET": ""}, nil}, // an empty env var is unset
		{"live without templates", liveNoTemplates, nil, []string{"notify.templates", "缺少该类别的模板配置：admitted"}},
		{"live template with a bad type", strings.Replace(live, "type: phrase", "type: text", 1), nil, []string{"notify.templates", "未知的关键词类型：text"}},
		{"sandbox template from an unknown source", "notify:\n  templates:\n    admitted:\n      id: T1\n      fields:\n        - {keyword: thing1, source: remark, type: thing}\n", nil, []string{"notify.templates", "该类别没有此取值来源：remark"}},
		{"notify rate", "", map[string]string{"ZHUPEI_NOTIFY_RATE": "0"}, []string{"notify.rate", "ZHUPEI_NOTIFY_RATE"}},
		{"notify interval", "", map[string]string{"ZHUPEI_NOTIFY_INTERVAL": "100ms"}, []string{"notify.interval"}},
		{"jobs tick too short", "", map[string]string{"ZHUPEI_JOBS_TICK": "500ms"}, []string{"jobs.tick", "ZHUPEI_JOBS_TICK"}},
		{"jobs tick too long", "jobs:\n  tick: 2m\n", nil, []string{"jobs.tick"}},
		{"jobs tick", "", map[string]string{"ZHUPEI_JOBS_TICK": "2s", "ZHUPEI_JOBS_BOUNDARY_TICK": "2s"}, nil},
		{"jobs tick shorter than the default boundary tick", "", map[string]string{"ZHUPEI_JOBS_TICK": "2s"}, []string{"jobs.boundary_tick", "ZHUPEI_JOBS_BOUNDARY_TICK", "jobs.tick（2s）", "当前为 5s"}},
		{"jobs boundary tick too short", "", map[string]string{"ZHUPEI_JOBS_BOUNDARY_TICK": "500ms"}, []string{"jobs.boundary_tick", "ZHUPEI_JOBS_BOUNDARY_TICK", "当前为 500ms"}},
		{"jobs boundary tick longer than tick", "jobs:\n  tick: 30s\n  boundary_tick: 40s\n", nil, []string{"jobs.boundary_tick", "jobs.tick（30s）"}},
		{"jobs boundary tick type", "jobs:\n  boundary_tick: soon\n", nil, []string{"jobs.boundary_tick", "第2行", "时长"}},
		{"jobs boundary tick equal to tick", "jobs:\n  tick: 30s\n  boundary_tick: 30s\n", nil, nil},
		{"live without secret", strings.Replace(live, "secret: s3cret-value", "secret: \"\"", 1), nil, []string{"wechat.secret", "ZHUPEI_WECHAT_SECRET"}},
		{"live without key", strings.Replace(live, "id_key: 0123456789abcdef0123", "id_key: \"\"", 1), nil, []string{"security.id_key"}},
		{"live without appid", strings.Replace(live, "appid: wx1", "appid: \"\"", 1), nil, []string{"wechat.appid"}},
		{"live without base_url", strings.Replace(live, "base_url: https://zp.example.cn", "base_url: \"\"", 1), nil, []string{"wechat.base_url"}},
		{"live mini-program without secret", live + "miniprogram:\n  appid: wxmini\n", nil, []string{"miniprogram.secret"}},
		{"live without safe mode", strings.Replace(live, "aes_key: "+strings.Repeat("a", 43), "aes_key: \"\"", 1), nil, []string{"wechat.aes_key", "ZHUPEI_WECHAT_AES_KEY"}},
		{"live without verifier", strings.Replace(live, "  verifier_url: https://verify.example.cn/check\n", "", 1), nil, []string{"wechat.verifier_url", "format_only"}},
		{"live format_only", strings.Replace(live, "verifier_url: https://verify.example.cn/check", "verifier: format_only", 1), nil, nil},
		{"format_only and a verifier", strings.Replace(live, "security:", "  verifier: format_only\nsecurity:", 1), nil, []string{"wechat.verifier", "verifier_url"}},
		{"verifier value", "", map[string]string{"ZHUPEI_WECHAT_VERIFIER": "none"}, []string{"wechat.verifier", "none"}},
		{"proxy header without trusted proxies", "", map[string]string{"ZHUPEI_HTTP_PROXY_HEADER": "X-Forwarded-For"}, []string{"http.proxy_header", "trusted_proxies"}},
		{"trusted proxy not an address", "", map[string]string{"ZHUPEI_HTTP_PROXY_HEADER": "X-Forwarded-For", "ZHUPEI_HTTP_TRUSTED_PROXIES": "127.0.0.1, proxy.example"}, []string{"http.trusted_proxies", "proxy.example"}},
		{"proxy settings valid", "", map[string]string{"ZHUPEI_HTTP_PROXY_HEADER": "X-Forwarded-For", "ZHUPEI_HTTP_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}, nil},
		{"aes key length", "", map[string]string{"ZHUPEI_WECHAT_AES_KEY": "tooshort"}, []string{"wechat.aes_key", "43"}},
		{"aes key alphabet", "", map[string]string{"ZHUPEI_WECHAT_AES_KEY": strings.Repeat("*", 43)}, []string{"wechat.aes_key", "Base64"}},
		{"aes key valid", "", map[string]string{"ZHUPEI_WECHAT_AES_KEY": strings.Repeat("a", 43)}, nil},
		{"base url", "", map[string]string{"ZHUPEI_WECHAT_BASE_URL": "zp.example.cn"}, []string{"wechat.base_url"}},
		{"follow image and link", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_QR_IMAGE": "/static/qr.png", "ZHUPEI_WECHAT_FOLLOW_URL": "http://weixin.qq.com/r/x"}, []string{"wechat.follow_qr_image", "只能设置其中一个"}},
		{"follow image not an address", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_QR_IMAGE": "qr.png"}, []string{"wechat.follow_qr_image", "ZHUPEI_WECHAT_FOLLOW_QR_IMAGE"}},
		{"follow image scheme-relative", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_QR_IMAGE": "//cdn.example.cn/qr.png"}, []string{"wechat.follow_qr_image"}},
		{"follow image path", "wechat:\n  follow_qr_image: /static/qr.png\n", nil, nil},
		{"follow image URL", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_QR_IMAGE": "https://cdn.example.cn/qr.jpg"}, nil},
		{"follow link not a URL", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_URL": "weixin.qq.com/r/x"}, []string{"wechat.follow_url", "ZHUPEI_WECHAT_FOLLOW_URL"}},
		{"follow link too long", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_URL": "https://mp.weixin.qq.com/" + strings.Repeat("a", 1000)}, []string{"wechat.follow_url", "1000"}},
		{"follow link", "", map[string]string{"ZHUPEI_WECHAT_FOLLOW_URL": "http://weixin.qq.com/r/x"}, nil},
		{"font", "pdf:\n  font_path: \"\"\n", nil, []string{"pdf.font_path", "ZHUPEI_PDF_FONT_PATH"}},
		{"log level", "", map[string]string{"ZHUPEI_LOG_LEVEL": "verbose"}, []string{"log.level", "ZHUPEI_LOG_LEVEL", "verbose"}},
		{"log format", "log:\n  format: xml\n", nil, []string{"log.format", "xml"}},
		{"unknown key", "http:\n  adr: \":80\"\n", nil, []string{"http.adr", "第2行", "未知设置"}},
		{"unknown section", "smtp:\n  host: x\n", nil, []string{"smtp", "第1行"}},
		{"section not a map", "http: 8080\n", nil, []string{"http", "第1行"}},
		{"not yaml", "http: [\n", nil, []string{"YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, "config.yaml", tt.file)
			} else {
				t.Chdir(t.TempDir())
			}
			_, err := LoadConfig(path, env(tt.env))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "配置错误") {
				t.Errorf("message %q does not start with 配置错误", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestValidateNeverEchoesSecrets(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := LoadConfig("", env(map[string]string{"ZHUPEI_SECURITY_ID_KEY": "tiny-secret"}))
	if err == nil || strings.Contains(err.Error(), "tiny-secret") {
		t.Errorf("err = %v: want an error without the key", err)
	}
}

func TestRedacted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Security.IDKey = "id-key-0123456789-secret"
	cfg.WeChat.AppID = "wx-public-appid"
	cfg.WeChat.Secret = "wechat-app-secret"
	cfg.WeChat.Token = "callback-token"
	cfg.WeChat.AESKey = strings.Repeat("k", 43)
	cfg.MiniProgram.Secret = "mini-secret"
	cfg.Store.MongoURI = "mongodb://zpuser:mongo-pass-word@db1:27017,db2:27017/?replicaSet=rs0"
	secrets := []string{cfg.Security.IDKey, cfg.WeChat.Secret, cfg.WeChat.Token, cfg.WeChat.AESKey, cfg.MiniProgram.Secret, "mongo-pass-word"}
	orig := cfg

	r := cfg.Redacted()
	if !reflect.DeepEqual(cfg, orig) {
		t.Error("Redacted changed its receiver")
	}
	if r.Security.IDKey != mask || r.WeChat.Secret != mask || r.WeChat.Token != mask || r.WeChat.AESKey != mask || r.MiniProgram.Secret != mask {
		t.Errorf("secrets not masked: %+v", r)
	}
	if r.WeChat.AppID != "wx-public-appid" || r.HTTP.Addr != ":8080" || r.MiniProgram.AppID != "" {
		t.Errorf("non-secret settings changed: %+v", r)
	}
	if !strings.Contains(r.Store.MongoURI, "zpuser") || !strings.Contains(r.Store.MongoURI, "db1:27017,db2:27017") {
		t.Errorf("mongo uri over-redacted: %q", r.Store.MongoURI)
	}

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", cfg)
	logged := buf.String()
	for _, s := range secrets {
		if strings.Contains(logged, s) {
			t.Errorf("log reveals secret %q: %s", s, logged)
		}
	}
	for _, want := range []string{`"http.addr":":8080"`, `"wechat.appid":"wx-public-appid"`, `"wechat.secret":"******"`, "zpuser"} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s: %s", want, logged)
		}
	}
}

// TestMinuteSpec runs the minute jobs on the minute boundaries by default
// and every tick otherwise.
func TestMinuteSpec(t *testing.T) {
	for tick, want := range map[time.Duration]string{time.Minute: "* * * * *", 2 * time.Second: "@every 2s"} {
		if got := (JobsConfig{Tick: tick}).minuteSpec(); got != want {
			t.Errorf("tick %s: spec %q, want %q", tick, got, want)
		}
	}
}

// TestBoundaryTick runs the boundary jobs every 5 s by default, every
// jobs.boundary_tick when the environment sets it, and on the minute
// boundaries at 1m.
func TestBoundaryTick(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./config.yaml here
	for _, tt := range []struct {
		env  map[string]string
		tick time.Duration
		spec string
	}{
		{nil, 5 * time.Second, "@every 5s"},
		{map[string]string{"ZHUPEI_JOBS_BOUNDARY_TICK": "1s"}, time.Second, "@every 1s"},
		{map[string]string{"ZHUPEI_JOBS_BOUNDARY_TICK": "1m"}, time.Minute, "* * * * *"},
		{map[string]string{"ZHUPEI_JOBS_TICK": "2s", "ZHUPEI_JOBS_BOUNDARY_TICK": "2s"}, 2 * time.Second, "@every 2s"},
	} {
		cfg, err := LoadConfig("", env(tt.env))
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		if got := cfg.Jobs.BoundaryTick; got != tt.tick {
			t.Errorf("%v: boundary tick %s, want %s", tt.env, got, tt.tick)
		}
		if got := cfg.Jobs.boundarySpec(); got != tt.spec {
			t.Errorf("%v: boundary spec %q, want %q", tt.env, got, tt.spec)
		}
	}
}
