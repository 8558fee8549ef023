package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/apply"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/wechat"
)

// The route sweep: every route registered on the application (read from
// the router, so a new route cannot be forgotten; the mini-program's
// included, the sandbox's are another site) is called as an anonymous
// client, as an applicant asking for another applicant's ids, and with the
// staff token of another base. A route that anyone may call is listed in
// publicRoutes with why; every other answers the anonymous client 401 (or,
// for a page, the way to the login), and no answer ever carries another
// person's data.

// publicRoutes are the routes an anonymous client may call, each with what
// bounds the store writes it can cause.
var publicRoutes = map[string]string{
	"GET /":                       "reads the cached public snapshot",
	"GET /board":                  "reads the cached public snapshot",
	"GET /results":                "reads the cached public snapshot",
	"GET /results/:baseID":        "reads the cached public snapshot",
	"GET /api/v1/bases":           "reads",
	"GET /api/v1/specialties":     "reads",
	"GET /api/v1/programs":        "reads",
	"GET /api/v1/year":            "reads",
	"GET /api/v1/chart":           "reads",
	"GET /api/v1/results/:baseID": "reads",
	"GET /vacancies":              "reads the cached public snapshot",
	"GET /api/v1/vacancies":       "reads the cached public snapshot",
	"GET /api/v1/openapi.yaml":    "static",
	"GET /healthz":                "static",
	"GET /readyz":                 "pings the store",
	"GET /metrics":                "reads the registry",
	"GET /verify/:code":           "reads a form by its code",
	"GET /login":                  "writes a 5-minute login ticket and a per-address counter: 20 a minute per client address, then 429",
	"GET /login/qr.png":           "reads the ticket of this browser",
	"GET /api/v1/login/status":    "reads the ticket of this browser",
	"GET /login/confirm":          "without a session: a redirect to the OAuth start",
	"GET /wechat/oauth/start":     "writes nothing: the state is signed, not stored",
	"GET /wechat/oauth/callback":  "writes the one-time record only after WeChat accepted a code",
	"GET /wechat/callback":        "signed by WeChat; answers the echo of the URL check",
	"POST /wechat/callback":       "signed by WeChat; a wrong signature writes nothing",
	"POST /logout":                "deletes the session named by the cookie, if any",
	"POST /api/v1/mp/login":       "a per-address counter (10 a minute, then 429), then WeChat's code2session",
}

// rateLimitedWriters are the public routes whose anonymous calls may write
// (each bounded as publicRoutes says).
var rateLimitedWriters = map[string]bool{"GET /login": true}

// writeCounter counts the key-value writes made through the handlers'
// store: sessions, login tickets, one-time records and rate counters.
type writeCounter struct {
	Store
	n atomic.Int64
}

func (w *writeCounter) SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error {
	w.n.Add(1)
	return w.Store.SetKV(ctx, key, value, ttl, now)
}

func (w *writeCounter) AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error) {
	w.n.Add(1)
	return w.Store.AddKV(ctx, key, value, ttl, now)
}

func (w *writeCounter) IncrKV(ctx context.Context, key string, ttl time.Duration, now time.Time) (int64, error) {
	w.n.Add(1)
	return w.Store.IncrKV(ctx, key, ttl, now)
}

// sweepActor is one way of calling the routes.
type sweepActor struct {
	name   string
	cookie string // session cookie, "" for none
	csrf   string
	bearer string // mini-program token, "" for none
	params map[string]string
	// secrets must never appear in an answer to this actor.
	secrets []string
}

var paramRe = regexp.MustCompile(`:[A-Za-z]+`)

func (a sweepActor) path(route string) string {
	return paramRe.ReplaceAllStringFunc(route, func(p string) string {
		if v, ok := a.params[p[1:]]; ok {
			return v
		}
		return "1"
	})
}

func (a sweepActor) call(t *testing.T, f *wxFixture, method, path string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, f.base+path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	if a.cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.cookie})
		req.Header.Set(csrfHeader, a.csrf)
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// loginRequired reports whether an answer sends an anonymous client to log
// in: 401, or for a page the redirect to the login page.
func loginRequired(resp *http.Response) bool {
	loc := resp.Header.Get("Location")
	return resp.StatusCode == http.StatusUnauthorized ||
		resp.StatusCode == http.StatusSeeOther && (strings.HasPrefix(loc, "/login?") || strings.HasPrefix(loc, "/wechat/oauth/start?"))
}

// staffLogin logs a sandbox user into the mini-program and binds them as a
// reviewer of base; it returns the token.
func staffLogin(t *testing.T, f *wxFixture, name string, base int64) string {
	t.Helper()
	u := f.user(t, name)
	resp, err := http.PostForm(f.base+"/sandbox/minicode", url.Values{"openid": {u.OpenID}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<code>([^<]+)</code>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("sandbox login-code page: %.300s", page)
	}
	mpCall := func(path, token string, body any) map[string]any {
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, f.base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := f.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	tok, _ := mpCall("/api/v1/mp/login", "", map[string]string{"code": string(m[1])})["token"].(string)
	inv, err := province.New(province.Deps{Store: f.store, Now: func() time.Time { return f.clock.Now() }}).CreateInvite(context.Background(), province.InviteRequest{Role: recruit.RoleReviewer, BaseID: base, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mpCall("/api/v1/mp/bind", tok, map[string]string{"invite": inv.Code})
	return tok
}

func TestRouteSweep(t *testing.T) {
	counter := &writeCounter{}
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		c.Forms = newForms(c.Store.(recruit.Store), newFormRenderer(t), c.Logger)
		counter.Store = c.Store
		c.Store = counter
	})
	f.seed(t)
	ctx := context.Background()

	// Two applicants with complete profiles, uploads and choices: A of
	// base 甲, B of base 乙.
	a := f.newMember(t, 1)
	f.fillProfile(t, a)
	resp, body := f.choose(t, a, f.progA1, 0)
	wantSaved(t, "A's choice", resp, body)
	bID, err := f.store.CreateIdentity(ctx, recruit.Identity{OpenID: "sweep-b", Name: "司马青云", IDType: recruit.IDTypeResident,
		IDNumber: validResidentID(t, "37010219950315777"), BoundAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	bCookie, bToken := f.login(t, "sweep-b", bID.ID)
	b := member{id: bID.ID, cookie: bCookie, token: bToken}
	f.fillProfile(t, b)
	// Education records are numbered per person: B's second one is an id
	// that A does not have.
	resp, body = f.request(t, b, http.MethodPost, "/apply/education/new", with(educationForm(f.profile(t, b.id).Version),
		"level", recruit.EduMaster, "qualification", "硕士研究生", "degree", "硕士", "start_date", "2018-09-01",
		"graduation_date", "2021-07-01", "qualification_date", "2021-07-01", "degree_date", "2021-07-01",
		"diploma_no", "104221202105000123", "degree_cert_no", "4042212021000123"), nil)
	wantSaved(t, "B's second education", resp, body)
	resp, body = f.choose(t, b, f.progB1, 0)
	wantSaved(t, "B's choice", resp, body)
	pa, pb := f.profile(t, a.id), f.profile(t, b.id)
	appA, err := f.store.GetApplication(ctx, testYear, a.id)
	if err != nil {
		t.Fatal(err)
	}
	staffB := staffLogin(t, f, "乙医院老师", f.baseB)
	idA, err := f.store.GetIdentity(ctx, a.id)
	if err != nil {
		t.Fatal(err)
	}
	secretsOf := func(id recruit.Identity, p recruit.Profile) []string {
		return []string{id.IDNumber, recruit.MaskID(id.IDNumber), p.Basic.PhotoID, fmt.Sprintf("\"identity_id\":%d", id.ID)}
	}

	actors := []sweepActor{
		{name: "anonymous", params: map[string]string{"id": fmt.Sprint(pa.Education[0].ID), "baseID": fmt.Sprint(f.baseA)},
			secrets: append(secretsOf(idA, pa), append(secretsOf(bID, pb), "司马青云")...)},
		{name: "applicant A with B's ids", cookie: a.cookie, csrf: a.token,
			params:  map[string]string{"id": fmt.Sprint(pb.Education[1].ID), "baseID": fmt.Sprint(f.baseA), "section": apply.SectionBasic},
			secrets: append(secretsOf(bID, pb), "司马青云")},
		{name: "staff of base 乙 with A's ids", bearer: staffB,
			params:  map[string]string{"id": fmt.Sprint(appA.ID), "baseID": fmt.Sprint(f.baseA)},
			secrets: secretsOf(idA, pa)},
	}
	// The file routes take a file id, not a number.
	fileParam := map[string]string{"anonymous": pa.Basic.PhotoID, "applicant A with B's ids": pb.Basic.PhotoID, "staff of base 乙 with A's ids": pa.Basic.PhotoID}

	routes := map[string]bool{}
	for _, r := range f.app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue // GET's handler
		}
		routes[r.Method+" "+r.Path] = true
	}
	for _, must := range []string{"GET /apply/files/:id", "GET /api/v1/mp/files/:id", "GET /api/v1/mp/applications/:id/form", "POST /bind"} {
		if !routes[must] {
			t.Fatalf("the router lacks %s: the sweep is not looking at the whole application", must)
		}
	}
	for key := range publicRoutes {
		if !routes[key] {
			t.Errorf("public route %s is not registered: remove it from the list", key)
		}
	}

	for key := range routes {
		method, route, _ := strings.Cut(key, " ")
		public := publicRoutes[key] != ""
		staffRoute := strings.HasPrefix(route, "/api/v1/mp/")
		for _, actor := range actors {
			// The caller's own account changes (bind, unbind, logout,
			// saves without ids) act on the caller only: not swept.
			if (actor.cookie != "" || actor.bearer != "") && method != http.MethodGet && !strings.Contains(route, ":") {
				continue
			}
			p := actor.path(route)
			if strings.Contains(route, "files/:id") {
				p = strings.Replace(route, ":id", fileParam[actor.name], 1)
			}
			before := counter.n.Load()
			resp, body := actor.call(t, f, method, p)
			what := fmt.Sprintf("%s: %s %s", actor.name, method, p)
			if resp.StatusCode >= 500 {
				t.Errorf("%s: %d", what, resp.StatusCode)
			}
			for _, s := range actor.secrets {
				if strings.Contains(body, s) {
					t.Errorf("%s: the answer holds another person's data %q", what, s)
				}
			}
			switch {
			case actor.name == "anonymous" && public:
				if wrote := counter.n.Load() - before; wrote > 0 && !rateLimitedWriters[key] {
					t.Errorf("%s: an anonymous request wrote %d records", what, wrote)
				}
			case actor.name == "anonymous" && !loginRequired(resp):
				t.Errorf("%s: %d (location %q), want 401 or the login page", what, resp.StatusCode, resp.Header.Get("Location"))
			case actor.bearer != "" && !staffRoute && !public && !loginRequired(resp):
				t.Errorf("%s: a staff token opened an applicant route: %d", what, resp.StatusCode)
			case actor.bearer != "" && staffRoute && strings.Contains(route, ":id") && resp.StatusCode != http.StatusNotFound:
				t.Errorf("%s: %d, want 404 for another base's application", what, resp.StatusCode)
			case actor.cookie != "" && staffRoute && resp.StatusCode != http.StatusUnauthorized:
				t.Errorf("%s: an applicant's session opened a staff route: %d", what, resp.StatusCode)
			case actor.cookie != "" && !staffRoute && !public && strings.Contains(route, "/:id") &&
				resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden &&
				(method == http.MethodGet || resp.StatusCode != http.StatusBadRequest):
				// A write without a valid body may be refused (400) before
				// the lookup; B's profile is checked unchanged below.
				t.Errorf("%s: %d, want 404 or 403 for another applicant's id", what, resp.StatusCode)
			}
		}
	}
	// Nothing of B's changed through A's calls with B's ids.
	if got := f.profile(t, b.id); len(got.Education) != len(pb.Education) || got.Version != pb.Version {
		t.Errorf("B's profile changed: version %d → %d, %d → %d education records", pb.Version, got.Version, len(pb.Education), len(got.Education))
	}
}

// In live mode the application has no route the sandbox mode lacks, and no
// sandbox route: the sweep above covers every route of both.
func TestLiveRoutesAreSwept(t *testing.T) {
	routesOf := func(mode string) map[string]bool {
		f := newWeChatFixture(t, mode, nil, func(c *Config) { c.Forms = newForms(c.Store.(recruit.Store), nil, c.Logger) })
		out := map[string]bool{}
		for _, r := range f.app.GetRoutes(true) {
			out[r.Method+" "+r.Path] = true
		}
		return out
	}
	sandboxed := routesOf(wechat.ModeSandbox)
	for key := range routesOf(wechat.ModeLive) {
		if !sandboxed[key] {
			t.Errorf("live route %s is not in the swept set", key)
		}
		if strings.Contains(key, "/sandbox") {
			t.Errorf("live mode registers the sandbox route %s", key)
		}
	}
}
