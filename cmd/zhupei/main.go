// Command zhupei runs the Shandong resident-physician training recruitment
// registration system.
//
// Usage:
//
//	zhupei [-config FILE] [serve [-year N]]    run the web service (default); on an
//	                                           empty database in sandbox mode it first
//	                                           creates a demo year
//	zhupei [-config FILE] import-plan [-year N] FILE
//	                                           import a plan file (.csv or .xlsx)
//	zhupei [-config FILE] demo [-year N]       create a demo year (idempotent)
//	zhupei [-config FILE] wechat-menu          publish the official-account menu (in
//	                                           sandbox mode to the running service's sandbox)
//	zhupei [-config FILE] staff-invite -role province|base_admin|reviewer [-base ID] [-name NAME] [-ttl 168h]
//	                                           create a one-time invitation code that makes a
//	                                           staff account with that role (and base: required
//	                                           for base_admin and reviewer, refused for province)
//	                                           for the mini-program or console account redeeming it
//	zhupei [-config FILE] repair-counts [-year N]
//	                                           set program counters that differ from a count
//	                                           of the applications to it, logging each change
//	zhupei [-config FILE] rekey                reseal every stored file and form with the
//	                                           current security.file_key (idempotent; run it
//	                                           again to resume after an interruption)
//	zhupei version                             print the version
//
// Settings come from config.yaml and ZHUPEI_* environment variables; see
// config.yaml for every setting.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"zhupei/apply"
	"zhupei/forms"
	"zhupei/handlers"
	"zhupei/miniprogram"
	"zhupei/notify"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/regform"
	"zhupei/review"
	"zhupei/scheduler"
	"zhupei/store"
	"zhupei/wechat"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// devIDKey encrypts ID numbers when security.id_key is not set, which
// Validate allows in sandbox mode only.
const devIDKey = "zhupei-sandbox-demo-id-key"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var configPath string
	global := flag.NewFlagSet("zhupei", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.StringVar(&configPath, "config", "", "配置文件路径（默认 $ZHUPEI_CONFIG 或 ./config.yaml）")
	if err := global.Parse(args); err != nil {
		return 2
	}
	cmd, rest := "serve", global.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}

	sub := flag.NewFlagSet("zhupei "+cmd, flag.ContinueOnError)
	sub.SetOutput(stderr)
	sub.StringVar(&configPath, "config", configPath, "配置文件路径")
	year := sub.Int("year", 0, "招录年度（默认 year 设置，即当前年度）")
	var invite province.InviteRequest // staff-invite
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "zhupei", version)
		return 0
	case "serve", "demo", "wechat-menu", "repair-counts", "rekey":
		if err := sub.Parse(rest); err != nil {
			return 2
		}
		if sub.NArg() != 0 {
			fmt.Fprintf(stderr, "zhupei %s：多余的参数 %q\n", cmd, sub.Args())
			return 2
		}
	case "import-plan":
		if err := sub.Parse(rest); err != nil {
			return 2
		}
		if sub.NArg() != 1 {
			fmt.Fprintln(stderr, "用法：zhupei import-plan [-year N] 计划文件.csv|.xlsx")
			return 2
		}
	case "staff-invite":
		role := sub.String("role", "", "角色（必填）：province 省级管理员、base_admin 基地管理员、reviewer 审核员")
		sub.Int64Var(&invite.BaseID, "base", 0, "培训基地编号（base_admin、reviewer 必填，province 不可填）")
		sub.StringVar(&invite.Name, "name", "", "工作人员姓名（可选）")
		sub.DurationVar(&invite.TTL, "ttl", recruit.DefaultInviteTTL, "邀请码有效期（1m–720h）")
		if err := sub.Parse(rest); err != nil {
			return 2
		}
		if sub.NArg() != 0 || *role == "" {
			fmt.Fprintln(stderr, staffInviteUsage)
			return 2
		}
		var err error
		if invite.Role, err = recruit.ParseRole(*role); err != nil {
			fmt.Fprintf(stderr, "zhupei staff-invite：%s\n%s\n", recruit.ErrorMessage(err), staffInviteUsage)
			return 2
		}
	default:
		fmt.Fprintf(stderr, "zhupei：未知命令 %q（可用：serve、import-plan、demo、wechat-menu、staff-invite、repair-counts、rekey、version）\n", cmd)
		return 2
	}

	if *year != 0 && !validYear(*year) {
		fmt.Fprintf(stderr, "zhupei %s：-year %d 不是有效的年度（%d–%d）\n", cmd, *year, minYear, maxYear)
		return 2
	}
	cfg, err := LoadConfig(configPath, getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *year != 0 {
		cfg.Year = *year
	}
	m := NewMain(cfg, stdout, stderr)
	if cmd == "staff-invite" {
		err = m.StaffInvite(ctx, invite)
	} else {
		err = m.command(ctx, cmd, sub.Args())
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	var cerr *ConfigError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &cerr):
		fmt.Fprintln(stderr, cerr)
	case recruit.ErrorCode(err) == recruit.EINTERNAL:
		m.Logger.Error("zhupei failed", "command", cmd, "err", err)
		fmt.Fprintln(stderr, recruit.ErrorMessage(err))
	default:
		fmt.Fprintln(stderr, recruit.ErrorMessage(err))
	}
	return 1
}

// Main is the program: the configuration and the components wired from it.
type Main struct {
	Config  Config
	Version string
	Now     func() time.Time
	Stdout  io.Writer // the start-up line and command results
	Logger  *slog.Logger

	store  recruit.Store
	sealer recruit.Sealer
}

// NewMain returns a Main for cfg logging to stderr in the configured format.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	level, _ := parseLevel(cfg.Log.Level) // validated by LoadConfig
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return &Main{Config: cfg, Version: version, Now: time.Now, Stdout: stdout, Logger: slog.New(h)}
}

// command runs one command; the store is left open for Close.
func (m *Main) command(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "demo":
		if err := m.openStore(ctx); err != nil {
			return err
		}
		y := m.year()
		if err := store.Demo(ctx, m.store, y, m.Now()); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "演示年度 %d 已就绪\n", y)
		return nil
	case "import-plan":
		n, err := m.ImportPlan(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "已导入 %d 条招收计划（%d年度）\n", n, m.year())
		return nil
	case "wechat-menu":
		return m.wechatMenu(ctx)
	case "repair-counts":
		return m.RepairCounts(ctx)
	case "rekey":
		return m.Rekey(ctx)
	}
	return m.Run(ctx)
}

// year is the configured recruitment year, the current one when unset.
func (m *Main) year() int {
	if m.Config.Year != 0 {
		return m.Config.Year
	}
	return m.Now().In(recruit.Shanghai).Year()
}

// idKey is security.id_key, the fixed demo key when it is unset.
func (m *Main) idKey() string {
	if m.Config.Security.IDKey == "" {
		return devIDKey
	}
	return m.Config.Security.IDKey
}

// stateKey signs OAuth states: derived from security.id_key, so that every
// instance has the same one.
func (m *Main) stateKey() []byte {
	mac := hmac.New(sha256.New, []byte(m.idKey()))
	mac.Write([]byte("zhupei oauth state"))
	return mac.Sum(nil)
}

// openStore opens the configured database with the sealer of ID numbers
// and files.
func (m *Main) openStore(ctx context.Context) error {
	if m.Config.Security.IDKey == "" {
		m.Logger.Warn("security.id_key 未设置：使用固定的演示密钥加密身份证号，仅可用于开发和沙箱环境 (using the fixed demo ID key)")
	}
	sealer, err := recruit.NewSealer(m.idKey())
	if err != nil {
		return &ConfigError{Key: "security.id_key", Msg: err.Error()}
	}
	if err := sealer.WithFileKeys(m.Config.Security.FileKey, m.Config.Security.retiredFileKeys()...); err != nil {
		return &ConfigError{Key: "security.file_key", Msg: err.Error()}
	}
	st, err := store.Open(ctx, store.Config{
		DataDir:       m.Config.DataDir,
		MongoURI:      m.Config.Store.MongoURI,
		MongoDatabase: m.Config.Store.MongoDatabase,
	}, sealer)
	if err != nil {
		return err
	}
	m.store, m.sealer = st, sealer
	return nil
}

// ImportPlan imports a plan file into the configured year, creating the
// year with the seed's default calendar when it does not exist yet.
func (m *Main) ImportPlan(ctx context.Context, path string) (int, error) {
	if err := m.openStore(ctx); err != nil {
		return 0, err
	}
	y := m.year()
	_, err := m.store.GetYear(ctx, y)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		err = m.store.PutYear(ctx, store.NewYear(y, recruit.DefaultCalendar(y)))
	}
	if err != nil {
		return 0, err
	}
	return store.ImportPlanFile(ctx, m.store, y, path)
}

// metricsToken is the token /metrics requires: the configured one; in live
// mode without one a random token nobody knows, which closes /metrics.
func (m *Main) metricsToken(live bool) string {
	if t := m.Config.HTTP.MetricsToken; t != "" || !live {
		return t
	}
	m.Logger.Warn("http.metrics_token 未设置：live 模式下 /metrics 不对外提供 (/metrics is closed without a token)")
	return rand.Text()
}

// Rekey reseals every stored file and form with the current file key,
// logging progress, and prints the counts.
func (m *Main) Rekey(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	checked, changed, err := store.Rekey(ctx, m.store, func(checked, changed int) {
		m.Logger.Info("rekey progress", "checked", checked, "resealed", changed)
	})
	if err != nil {
		return err
	}
	m.Logger.Info("rekey done", "checked", checked, "resealed", changed)
	fmt.Fprintf(m.Stdout, "已检查 %d 个文件，用当前文件密钥重新加密了 %d 个\n", checked, changed)
	return nil
}

// RepairCounts sets the program counters of the configured year that
// differ from a count of the applications to that count, logging each
// change; the counter-reconciliation job only reports them.
func (m *Main) RepairCounts(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	y := m.year()
	diffs, err := m.store.RepairCounts(ctx, y)
	for _, d := range diffs {
		m.Logger.Warn("program counters repaired", "year", y, "program", d.ProgramID, "stored", d.Stored, "recount", d.Counted)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d年度计数已核对：修正了 %d 个培训计划的报名和录取人数\n", y, len(diffs))
	return nil
}

const staffInviteUsage = "用法：zhupei staff-invite -role province|base_admin|reviewer [-base 培训基地编号] [-name 姓名] [-ttl 168h]"

// StaffInvite creates a one-time invitation code for req and prints it:
// the staff member enters it in the mini-program or on the PC console
// (/admin), which creates their account with the invitation's role and
// base.
func (m *Main) StaffInvite(ctx context.Context, req province.InviteRequest) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	inv, err := m.province(nil).CreateInvite(ctx, req)
	if err != nil {
		return err
	}
	who := inv.Role.Label()
	if inv.Role.HasBase() {
		who = fmt.Sprintf("培训基地“%s”（编号 %d）的%s", inv.Base.Name, inv.Base.ID, who)
	}
	fmt.Fprintf(m.Stdout, "邀请码 %s：%s在小程序或电脑端管理后台（/admin 扫码登录后）输入即可绑定，仅能使用一次，有效期至 %s\n",
		inv.Code, who, inv.Expires.In(recruit.Shanghai).Format("2006-01-02 15:04"))
	m.Logger.Info("audit: staff invitation created", "action", "staff.invite", "role", inv.Role, "base_id", inv.Base.ID, "expires", inv.Expires)
	return nil
}

// Run serves HTTP until ctx is cancelled, then shuts down gracefully:
// in-flight requests get http.shutdown_timeout to finish. On a database
// without any year it first creates a demo year for the configured year,
// in sandbox mode only.
func (m *Main) Run(ctx context.Context) error {
	m.Logger.Info("zhupei starting", "version", m.Version, "config", m.Config)
	if err := m.openStore(ctx); err != nil {
		return err
	}
	moved, err := m.province(nil).MigrateStaff(ctx)
	if err != nil {
		return err
	}
	if moved > 0 {
		m.Logger.Info("key-value staff records moved to staff accounts and invitations", "records", moved)
	}
	live := m.Config.WeChat.Mode == ModeLive
	if live && m.Config.WeChat.VerifierURL == "" {
		m.Logger.Warn("实名认证仅校验证件号码格式和校验码（wechat.verifier: format_only）：任何人都能用他人的证件号码认证，请尽快配置 wechat.verifier_url (real-name binding checks the format only)")
	}
	switch _, err := m.store.LatestYear(ctx); {
	case recruit.ErrorCode(err) == recruit.ENOTFOUND && live:
		// Real applicants must never see made-up bases and counts.
		m.Logger.Warn("数据库中没有招录年度：请用 import-plan 导入招收计划 (no recruitment year; live mode creates no demo year)")
	case recruit.ErrorCode(err) == recruit.ENOTFOUND:
		if err := store.Demo(ctx, m.store, m.year(), m.Now()); err != nil {
			return err
		}
		m.Logger.Info("empty database: demo year created", "year", m.year())
	case err != nil:
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", m.Config.HTTP.Addr)
	if err != nil {
		return &ConfigError{Key: "http.addr", Msg: fmt.Sprintf("无法监听 %s：%v", m.Config.HTTP.Addr, err)}
	}
	// The WeChat side needs the listener's port for its derived base_url.
	wx, err := m.openWeChat(ln.Addr())
	if err != nil {
		_ = ln.Close()
		return err
	}
	// The printed verification URL is the service's public base URL, the
	// configured or (sandbox) derived wechat.base_url.
	formSvc := forms.New(forms.Deps{Store: m.store, Renderer: m.formRenderer(), Now: m.Now,
		PublicURL: wx.cfg.BaseURL, Logger: m.Logger})
	mp := miniprogram.New(miniprogram.Config{Store: m.store, WeChat: wx.client, Province: m.province(nil), Forms: formSvc, Now: m.Now, Logger: m.Logger})
	applySvc := apply.New(apply.Deps{Store: m.store, Now: m.Now, Logger: m.Logger,
		Sealer: m.sealer, Verifier: m.verifier(), ConfirmReattach: live})
	hcfg := handlers.Config{
		Store:    m.store,
		Apply:    applySvc,
		Now:      m.Now,
		Logger:   m.Logger,
		Registry: reg,
		Version:  m.Version,
		Forms:    formSvc,
		WeChat:   wx.client,
		Sandbox:  wx.sandbox,
		Notify:   m.sender(wx.client),
		// Behind a reverse proxy: the client address for rate limits.
		ProxyHeader:    m.Config.HTTP.ProxyHeader,
		TrustedProxies: m.Config.HTTP.trustedProxies(),
		StateKey:       m.stateKey(),
		Staff:          mp.Staff,
		Review:         review.New(review.Deps{Store: m.store, Now: m.Now}),
		Province:       m.province(applySvc),
		MetricsToken:   m.metricsToken(wx.sandbox == nil),
		FollowQRImage:  m.Config.WeChat.FollowQRImage,
		FollowURL:      m.Config.followURL(wx.cfg),
	}
	app := handlers.New(hcfg)
	mp.Register(app)
	cb := wx.client.NewCallback(handlers.WeChatEvents(hcfg), wechat.CallbackOptions{Log: m.Logger})
	cb.Register(app)
	defer cb.Close() // after the server stopped: the queued events are handled
	jobs, err := m.startJobs(reg, hcfg.Notify)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() {
		jctx, cancel := context.WithTimeout(context.Background(), m.Config.HTTP.ShutdownTimeout)
		defer cancel()
		if err := jobs.Stop(jctx); err != nil {
			m.Logger.Warn("scheduled jobs did not stop in time", "err", err)
		}
	}()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	fmt.Fprintf(m.Stdout, "zhupei 已启动：%s\n", localURL(m.Config.HTTP.Addr, ln.Addr()))
	if wx.sandbox != nil && !isLoopback(ln.Addr()) {
		m.Logger.Warn("沙箱微信模式监听在非本机地址上：任何能访问的人都可以用测试用户登录，正式环境请使用 wechat.mode: live (sandbox mode reachable from other machines)",
			"addr", ln.Addr().String())
	}
	if hint := sandboxHint(wx); hint != "" {
		// The sandbox keeps its menu in memory: publish it at every start.
		if err := publishMenu(ctx, wx.client); err != nil {
			m.Logger.Warn("sandbox menu not published", "err", err)
		}
		fmt.Fprintln(m.Stdout, hint)
	}

	select {
	case err := <-served:
		return recruit.Internal(fmt.Errorf("http server: %w", err))
	case <-ctx.Done():
	}
	m.Logger.Info("zhupei shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.HTTP.ShutdownTimeout)
	defer cancel()
	wx.client.CloseIdleConnections()
	if err := app.ShutdownWithContext(sctx); err != nil {
		return recruit.Internal(fmt.Errorf("http shutdown: %w", err))
	}
	// A cancellation that raced the server's start finds no listener to
	// close in Shutdown; closing it here ends Serve either way.
	_ = ln.Close()
	if err := <-served; err != nil {
		return recruit.Internal(fmt.Errorf("http server: %w", err))
	}
	m.Logger.Info("zhupei stopped")
	return nil
}

// isLoopback reports whether a listener's address is reachable only from
// this machine.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// province is the province admin's service over the store; bindings (nil
// where nothing releases a real-name binding) serves ReleaseBinding.
func (m *Main) province(bindings province.Bindings) *province.Service {
	return province.New(province.Deps{Store: m.store, Now: m.Now, ParsePlan: store.ParsePlan, Bindings: bindings})
}

// startJobs starts the timed jobs, each run once at once and then on its
// schedule; with several instances one of them runs a job at a time.
func (m *Main) startJobs(reg prometheus.Registerer, sender *notify.Sender) (*scheduler.Scheduler, error) {
	jobs, err := scheduler.New(scheduler.Config{Leases: m.store, Now: m.Now, Logger: m.Logger, Registry: reg})
	if err != nil {
		return nil, err
	}
	minute, boundary := m.Config.Jobs.minuteSpec(), m.Config.Jobs.boundarySpec()
	for _, j := range []struct {
		name, spec string
		job        scheduler.Job
	}{
		{"notify", fmt.Sprintf("@every %s", m.Config.Notify.Interval), sender.Job},
		{"reconcile-counters", minute, scheduler.Reconcile(m.store, m.Logger)},
		{"phase-transitions", boundary, scheduler.PhaseTransitions(m.province(nil), m.Logger)},
		{"expire-offers", boundary, scheduler.ExpireOffers(m.province(nil), m.Logger)},
		{"relay", minute, scheduler.Relay(m.store, m.Logger)},
		{"clean-up", "17 * * * *", scheduler.CleanUp(m.store, m.Logger)},
	} {
		if err := jobs.Add(j.name, j.spec, j.job); err != nil {
			return nil, err
		}
	}
	jobs.Start()
	return jobs, nil
}

// sender is the notification sender of this instance.
func (m *Main) sender(wx *wechat.Client) *notify.Sender {
	host, _ := os.Hostname()
	return notify.New(notify.Deps{Store: m.store, WeChat: wx, Config: m.Config.Notify.sender(wx.Sandboxed()),
		Owner: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8]), Now: m.Now, Log: m.Logger})
}

// formRenderer loads the PDF font. Without a usable font the service still
// runs: PDF requests get an error naming pdf.font_path.
func (m *Main) formRenderer() forms.Renderer {
	r, err := regform.New(m.Config.PDF.FontPath)
	if err != nil {
		m.Logger.Warn("报名表 PDF 不可用：请检查配置项 pdf.font_path (registration-form PDF disabled)", "pdf.font_path", m.Config.PDF.FontPath, "err", err)
		return nil
	}
	return r
}

// Close releases the database; it is safe to call more than once.
func (m *Main) Close() error {
	if m.store == nil {
		return nil
	}
	err := m.store.Close()
	m.store = nil
	return err
}

// localURL is the address a local browser can open: the listener's real
// port, with an unspecified host (":8080", "0.0.0.0") shown as localhost.
func localURL(configured string, actual net.Addr) string {
	host, _, _ := net.SplitHostPort(configured)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	port := ""
	if tcp, ok := actual.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
