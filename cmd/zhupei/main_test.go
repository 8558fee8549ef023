package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testlog"
	"zhupei/notify"
	"zhupei/recruit"
	"zhupei/store"
)

func TestLocalURL(t *testing.T) {
	tests := []struct {
		configured string
		actual     net.Addr
		want       string
	}{
		{":8080", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080/"},
		{"0.0.0.0:0", &net.TCPAddr{IP: net.IPv4zero, Port: 4321}, "http://localhost:4321/"},
		{"[::]:0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 4322}, "http://localhost:4322/"},
		{"127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}, "http://127.0.0.1:5555/"},
		{"[::1]:80", &net.TCPAddr{IP: net.IPv6loopback, Port: 80}, "http://[::1]:80/"},
		{"zp.local:9000", &net.TCPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 9000}, "http://zp.local:9000/"},
	}
	for _, tt := range tests {
		if got := localURL(tt.configured, tt.actual); got != tt.want {
			t.Errorf("localURL(%q, %v) = %q, want %q", tt.configured, tt.actual, got, tt.want)
		}
	}
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestMainServe starts the whole service on an empty database, checks the
// demo year is served, then cancels the context as SIGTERM does and checks
// the service stops cleanly.
func TestMainServe(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Year = 2025
	var logs bytes.Buffer
	m, lines, stop := serveInBackground(t, cfg, &logs, 1, func(m *Main) {
		now := time.Date(2025, 6, 1, 10, 0, 0, 0, recruit.Shanghai)
		m.Now = func() time.Time { return now }
	})
	base, ok := strings.CutPrefix(lines[0], "zhupei 已启动：")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/") {
		t.Fatalf("start-up line %q; log:\n%s", lines[0], logs.String())
	}

	if code, body := get(t, base+"healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}
	code, body := get(t, base)
	if code != http.StatusOK || !strings.Contains(body, store.Title(2025)) {
		t.Errorf("/: status %d, body without the demo title:\n%.500s", code, body)
	}
	code, body = get(t, base+"api/v1/programs?year=2025")
	if code != http.StatusOK || !strings.Contains(body, "山东大学齐鲁医院") {
		t.Errorf("/api/v1/programs: status %d, body without demo programs:\n%.500s", code, body)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(base + "healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	if !strings.Contains(logs.String(), "security.id_key") {
		t.Errorf("no warning about the demo ID key in the log:\n%s", logs.String())
	}
}

func TestServeAddressInUse(t *testing.T) {
	t.Chdir(t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := cli(t, map[string]string{"ZHUPEI_HTTP_ADDR": ln.Addr().String(), "ZHUPEI_DATA_DIR": t.TempDir()}, "serve")
	if code != 1 || !strings.Contains(stderr, "配置错误（config error）：http.addr（环境变量 ZHUPEI_HTTP_ADDR）：无法监听") {
		t.Errorf("serve on a used port: exit %d, stderr %q", code, stderr)
	}
}

// serveInBackground runs `serve` with cfg in the background, as `make run`
// does: it returns the Main, the first n lines it printed and a stop
// function that cancels it and returns Run's result. tweak, when not nil,
// adjusts the Main before it runs.
func serveInBackground(t *testing.T, cfg Config, logs io.Writer, n int, tweak func(*Main)) (*Main, []string, func() error) {
	t.Helper()
	out, stdout := io.Pipe()
	m := NewMain(cfg, stdout, logs)
	if tweak != nil {
		tweak(m)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx)
		stdout.Close()
	}()
	r := bufio.NewReader(out)
	lines := make([]string, n)
	for i := range lines {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("line %d of the start-up output: %v (got %q)", i+1, err, lines[:i])
		}
		lines[i] = strings.TrimSpace(line)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }() // keep the pipe drained
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
	return m, lines, stop
}

// cli runs the command line with the given environment in an empty working
// directory and returns the exit status, stdout and stderr.
func cli(t *testing.T, environ map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, env(environ))
	return code, stdout.String(), stderr.String()
}

func TestCommands(t *testing.T) {
	t.Chdir(t.TempDir())
	dataDir := filepath.Join(t.TempDir(), "data")
	environ := map[string]string{"ZHUPEI_DATA_DIR": dataDir, "ZHUPEI_LOG_LEVEL": "error"}
	writePlan := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "base,city,specialty_code,specialty_name,plan\n"
	good := writePlan("good.csv", header+"山东省立医院,济南,0100,内科,45\n山东省立医院,济南,0900,外科,30\n")
	bad := writePlan("bad.csv", header+"山东省立医院,济南,0100,内科,45\n山东省立医院,济南,900,外科,30\n")
	configFile := writePlan("zp.yaml", "data_dir: "+dataDir+"\nlog:\n  level: error\n")

	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		code    int
		stdout  string
		stderr  string
	}{
		{"version", nil, []string{"version"}, 0, "zhupei " + version, ""},
		{"unknown command", nil, []string{"frobnicate"}, 2, "", "未知命令"},
		{"extra argument", environ, []string{"demo", "now"}, 2, "", "多余的参数"},
		{"import-plan without file", environ, []string{"import-plan"}, 2, "", "用法"},
		{"bad flag", environ, []string{"demo", "-year", "soon"}, 2, "", "invalid value"},
		{"year out of range", environ, []string{"import-plan", "-year", "25", good}, 2, "", "-year 25 不是有效的年度"},
		{"bad config", map[string]string{"ZHUPEI_HTTP_ADDR": "nowhere"}, []string{"demo"}, 1, "", "配置错误（config error）：http.addr（环境变量 ZHUPEI_HTTP_ADDR）"},
		{"missing config file", nil, []string{"-config", "/nonexistent/zp.yaml", "demo"}, 1, "", "/nonexistent/zp.yaml"},
		{"demo", environ, []string{"demo", "-year", "2024"}, 0, "演示年度 2024 已就绪", ""},
		{"demo again, config flag after the command", nil, []string{"demo", "-config", configFile, "-year", "2024"}, 0, "演示年度 2024 已就绪", ""},
		{"import bad plan", environ, []string{"import-plan", "-year", "2027", bad}, 1, "", "第3行：专业代码“900”应为4位数字"},
		{"import good plan", environ, []string{"import-plan", "-year", "2027", good}, 0, "已导入 2 条招收计划（2027年度）", ""},
		{"import missing file", environ, []string{"import-plan", "-year", "2027", good + ".gone"}, 1, "", "无法打开计划文件"},
		{"repair counts", environ, []string{"repair-counts", "-year", "2024"}, 0, "2024年度计数已核对：修正了 0 个培训计划", ""},
		{"repair counts with an argument", environ, []string{"repair-counts", "2024"}, 2, "", "多余的参数"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.environ, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, stdout, tt.stdout, stderr, tt.stderr)
			}
		})
	}

	// What the commands left in the database.
	sealer, err := recruit.NewSealer(devIDKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dataDir}, sealer)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	y, err := st.GetYear(ctx, 2027)
	if err != nil {
		t.Fatalf("import-plan did not create its year: %v", err)
	}
	def := recruit.DefaultCalendar(2027)
	if !y.Calendar.Registration.Equal(def.Registration) || !y.Calendar.Closed.Equal(def.Closed) || y.Title != store.Title(2027) {
		t.Errorf("year created by import-plan: %+v, want the default calendar", y)
	}
	ps, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2027})
	if err != nil || len(ps) != 2 {
		t.Errorf("2027 programs = %v, %v; want the 2 good rows only", ps, err)
	}
	if _, err := st.GetYear(ctx, 2024); err != nil {
		t.Errorf("demo year 2024: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "0.0.0.0:8080": false, "[::]:8080": false, "192.0.2.1:80": false} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := isLoopback(a); got != want {
			t.Errorf("isLoopback(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestServeLiveFormatOnly starts live mode on an empty database with the
// explicit format_only verifier: the start warns about it, creates no demo
// year, and serves no sandbox.
func TestServeLiveFormatOnly(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg := serveConfig(dataDir)
	cfg.Security.IDKey = "0123456789abcdef0123"
	cfg.WeChat = WeChatConfig{Mode: ModeLive, AppID: "wx1", Secret: "s3cret", Token: "tok",
		AESKey: strings.Repeat("a", 43), BaseURL: "https://zp.example.cn",
		Verifier: VerifierFormatOnly, VerifierTimeout: time.Second}
	cfg.Notify.Templates = notify.SandboxTemplates() // live mode needs every applicant kind's template
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	m, lines, stop := serveInBackground(t, cfg, &logs, 1, nil)
	base, _ := strings.CutPrefix(lines[0], "zhupei 已启动：")
	if code, body := get(t, base+"sandbox/"); code != http.StatusNotFound {
		t.Errorf("live mode serves the sandbox: %d %.200s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"format_only", "no demo year"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the start-up log lacks %q:\n%s", want, logs.String())
		}
	}
	sealer, err := recruit.NewSealer(cfg.Security.IDKey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Config{DataDir: dataDir}, sealer)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if y, err := st.LatestYear(context.Background()); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("live mode created year %d (%v)", y.Year, err)
	}
}
