// Package handlers is the HTTP layer of zhupei: the Fiber application with
// its middleware (request id, client address (client.go), access log, metrics, panic recovery, store-
// backed sessions, CSRF), the one error handler that maps recruit.Error codes
// to HTTP statuses, and the routes by area, one file (or prefix) each:
//
//	public.go, api.go, snapshot.go, chart.go  public pages and JSON (/, /board, /results, /api/v1)
//	vacancies.go                              the vacancy board (/vacancies) and the applicant's 调剂志愿 (/adjustment)
//	admin_api.go, admin_province.go           the staff's JSON API (/api/v1/admin) over review and province
//	console*.go                               the staff's PC console (/admin): QR login, session, layout, screens
//	admin_staff.go                            staff management: the API's operations and the console's 人员
//	login.go, bind.go, wechat_events.go       WeChat H5 OAuth, PC QR login, real-name binding
//	apply*.go, upload.go, result_mine.go      the applicant's four sections, uploads, choice, 结果查询
//	messages.go                               the applicant's inbox 我的消息 (/messages)
//	offers.go                                 answering an offer on /result and answerOffer; voidOffer
//	form.go, verify.go                        the applicant's PDF registration form, its public verification
//	ops.go                                    /healthz, /readyz, /metrics
//
// The staff mini-program's routes (/api/v1/mp) are package miniprogram's,
// mounted on this application. Every rule comes from package recruit or a
// service (package apply for the applicant, forms for the PDF form, review
// and province for the staff);
// handlers only parse, call and render.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"zhupei/apply"
	"zhupei/forms"
	"zhupei/notify"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/wechat"
)

// Store is the part of the store the HTTP layer reads itself: sessions and
// login tickets, the public pages' catalogue, the binding of a session.
type Store interface {
	recruit.Catalogue
	recruit.Identities
	recruit.KV
	// StaffByOAOpenID finds the console's staff member (recruit.StaffStore).
	StaffByOAOpenID(ctx context.Context, openID string) (recruit.Staff, error)
	// OutboxStats gives /metrics the outbox figures (recruit.Outbox).
	OutboxStats(ctx context.Context, now time.Time) (recruit.OutboxStats, error)
	// ListPublications gives /results the published lists (recruit.Publications).
	ListPublications(ctx context.Context, year int, baseID int64) ([]recruit.Publication, error)
	// ShortageSpecialties flags the vacancy board (recruit.AdjustmentStore).
	ShortageSpecialties(ctx context.Context, year int) ([]string, error)
	Ping(ctx context.Context) error
}

// Config is what the HTTP layer needs.
type Config struct {
	Store Store
	// Apply runs the applicant's use-cases; nil serves no applicant routes
	// (registration pages and API, files, result, real-name binding).
	Apply    *apply.Service
	Now      func() time.Time     // domain time; time.Now when nil
	Logger   *slog.Logger         // slog.Default() when nil
	Registry *prometheus.Registry // a new registry with Go and process collectors when nil
	Version  string
	// Forms serves the PDF registration form and its verification; nil
	// serves no form routes.
	Forms *forms.Service
	// WeChat is the official account; nil serves no WeChat login, OAuth or
	// real-name binding routes. Sandbox, in sandbox mode only, is the
	// stand-in WeChat platform, served at its own path ahead of this
	// application's middleware.
	WeChat  *wechat.Client
	Sandbox *fiber.App
	// Notify takes WeChat's template delivery reports (nil: dropped).
	Notify *notify.Sender
	// ProxyHeader names the header with the client's address behind a
	// reverse proxy (X-Forwarded-For); it and X-Forwarded-Host/Proto are
	// believed only from TrustedProxies (IPs or CIDRs; none when empty), and
	// the client is its right-most hop that is not a trusted proxy. Rate
	// limits count per client address (recruit.Client), so behind a proxy
	// both must be set.
	ProxyHeader    string
	TrustedProxies []string
	// StateKey signs the OAuth states (HMAC-SHA256); every instance behind
	// one address needs the same key. Empty: a random key, for one instance.
	StateKey []byte
	// Staff authenticates a staff request carrying a bearer token
	// (cmd/zhupei: the mini-program's miniprogram.API.Staff) and returns
	// the enabled account; requests without one authenticate with the PC
	// console's session (console.go, adminStaff). Review and Province run
	// the staff's use-cases. Without all three no admin API (/api/v1/admin)
	// is served; the console (/admin) needs Province and WeChat.
	Staff    func(c *fiber.Ctx) (recruit.Staff, error)
	Review   *review.Service
	Province *province.Service
	// FollowQRImage is the address of the official account's follow QR
	// code image shown on the home page; without it, FollowURL (the link
	// such a QR code holds) is drawn as one and served at FollowQRPath.
	// Neither: the page names the account without a QR code.
	FollowQRImage string
	FollowURL     string
	// MetricsToken, when set, is the bearer token /metrics requires
	// ("Authorization: Bearer <token>"); empty serves /metrics to anyone,
	// which only sandbox mode does.
	MetricsToken string
}

// writeBuffer is the size of each connection's response write buffer.
const writeBuffer = 16 << 10

// server holds the dependencies shared by the route handlers.
type server struct {
	store    Store
	apply    *apply.Service
	now      func() time.Time
	log      *slog.Logger
	reg      *prometheus.Registry
	version  string
	pages    *pages
	public   *snapshotCache
	forms    *forms.Service
	wx       *wechatState
	metrics  string // MetricsToken
	province *province.Service
	review   *review.Service
	follow   followQR
}

// New builds the Fiber application with every route registered.
func New(cfg Config) *fiber.App {
	s := &server{
		store:    cfg.Store,
		apply:    cfg.Apply,
		now:      cfg.Now,
		log:      cfg.Logger,
		reg:      cfg.Registry,
		metrics:  cfg.MetricsToken,
		version:  cfg.Version,
		forms:    cfg.Forms,
		pages:    mustParsePages(),
		province: cfg.Province,
		review:   cfg.Review,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
		s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s.public = newSnapshotCache(s.loadSnapshot, snapshotTTL)
	s.follow = newFollowQR(cfg.FollowQRImage, cfg.FollowURL, s.log)
	// A registry shared by several applications (tests) has it already.
	_ = s.reg.Register(newOutboxCollector(s.store, s.now))

	app := fiber.New(fiber.Config{
		AppName:               "zhupei " + s.version,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		BodyLimit:             bodyLimit, // two uploads of up to 10 MB with their form
		// An answer of up to 16 KB with its headers leaves in one write
		// (Fiber's default buffer is 4 KB): the gzipped board JSON (4–5 KB)
		// that every open board polls, most pages' first bytes.
		WriteBufferSize: writeBuffer,
		// Values from the request (params, queries, forms, headers, cookies)
		// stay valid after the handler returns: they are kept in sessions,
		// the store and goroutines, and Fiber reuses its buffers otherwise.
		Immutable: true,
		// Always on: with no trusted proxies nobody's X-Forwarded-* is
		// believed. The client's address is clientAddr's, not Fiber's
		// ProxyHeader (which takes the left-most, client-written hop).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
	})
	mountSandbox(app, cfg)
	metrics := newHTTPMetrics(s.reg)
	s.pollRoutes(app, metrics) // ahead of the middleware chain
	// One Use for all middleware: observe labels a request "unmatched" when
	// the route it ends on is this one.
	app.Use(requestID, deadline, newProxies(cfg.ProxyHeader, cfg.TrustedProxies).clientAddr, securityHeaders(s.follow.origin()), noStore, s.observe(metrics, ""), s.recoverPanic, s.loadSession, s.loadConsole, csrf)
	s.opsRoutes(app)
	app.Post("/logout", s.logout)
	s.wechatRoutes(app, cfg)
	s.apiRoutes(app)
	s.adminAPIRoutes(app, cfg)
	s.consoleRoutes(app)
	s.publicRoutes(app)
	s.vacancyRoutes(app)
	if s.forms != nil {
		s.formRoutes(app)
	}
	s.applyRoutes(app)
	return app
}
