package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/internal/sim"
	"zhupei/internal/testhttp"
	"zhupei/recruit"
	"zhupei/store/mongo/ferret"
	"zhupei/wechat/sandbox"
)

// faultTimeout bounds each wait of the fault tests for the service to do
// something (acknowledge the burst, deliver the notifications, recover
// from an outage): generous, for a machine loaded by other tests.
const faultTimeout = 60 * time.Second

// demoStore is the data of a FerretDB holding the demo year, made once by
// the first test that needs it: creating the year takes the stand-in far
// longer than copying it.
var demoStore struct {
	once sync.Once
	snap ferret.Snapshot // removed by buildAndRun
	err  error
}

// demoFerret starts a FerretDB of its own for the test, holding a demo
// year in its registration phase, and returns it.
func demoFerret(t *testing.T) *ferret.Server {
	t.Helper()
	demoStore.once.Do(func() {
		db := ferret.NewServer(t)
		db.Start()
		cmd := exec.Command(binary, "demo")
		cmd.Dir = moduleRoot
		cmd.Env = append(cmd.Environ(), "ZHUPEI_DATA_DIR="+t.TempDir(), "ZHUPEI_LOG_LEVEL=error")
		cmd.Env = append(cmd.Env, mongoEnv(db.URI())...)
		out, err := cmd.CombinedOutput()
		db.Stop()
		if err != nil {
			demoStore.err = fmt.Errorf("zhupei demo: %v\n%s", err, out)
			return
		}
		demoStore.snap, demoStore.err = db.Snapshot()
	})
	if demoStore.err != nil {
		t.Fatal(demoStore.err)
	}
	db := ferret.NewServerFrom(t, demoStore.snap)
	db.Start()
	return db
}

// mongoEnv is the environment that puts zhupei on the FerretDB at uri with
// a pool of one connection (the stand-in loses concurrent
// read-modify-writes otherwise) and the further URI options params.
func mongoEnv(uri string, params ...string) []string {
	return []string{"ZHUPEI_STORE_MONGO_URI=" + uri + "?" + strings.Join(append([]string{"maxPoolSize=1"}, params...), "&")}
}

// registerApplicants logs n new applicants in at server, binds them and
// fills their four sections with a photo, four at a time.
func registerApplicants(t *testing.T, server string, n int) []*sim.Applicant {
	t.Helper()
	photo, err := sim.PhotoJPEG()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*sim.Applicant, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range next {
				out[i] = &sim.Applicant{Index: i, Client: sim.NewBrowser(http.DefaultTransport)}
				errs[i] = out[i].Register(server, 1, photo)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("register applicant %d: %v", i, err)
		}
	}
	return out
}

// board is GET /api/v1/programs: every program with its counts, and the
// sum of the registered counts.
type board struct {
	Programs []recruit.Program `json:"programs"`
	Totals   recruit.Counts    `json:"totals"`
}

// readBoard reads /api/v1/programs of server.
func readBoard(t *testing.T, server string) board {
	t.Helper()
	status, _, raw := testhttp.Call(t, http.MethodGet, server+"/api/v1/programs", "", nil)
	var b board
	if err := json.Unmarshal(raw, &b); status != http.StatusOK || err != nil || len(b.Programs) < 2 {
		t.Fatalf("programs: %d %.300s (%v)", status, raw, err)
	}
	return b
}

// programIDs are the programs of the board.
func programIDs(b board) []int64 {
	ids := make([]int64, len(b.Programs))
	for i, p := range b.Programs {
		ids[i] = p.ID
	}
	return ids
}

// checkCounts checks, after a run, what each applicant's own view says
// against the board and the store: the board's registered count of every
// program is the number of applicants whose active application is for it,
// and `zhupei repair-counts` on the stopped service's store finds every
// counter equal to its recount (env selects the store).
func checkCounts(t *testing.T, srv *server, applicants []*sim.Applicant, env ...string) {
	t.Helper()
	want := map[int64]int{}
	for _, a := range applicants {
		if a.Program != 0 {
			want[a.Program]++
		}
	}
	b := readBoard(t, srv.URL)
	total := 0
	for _, p := range b.Programs {
		total += want[p.ID]
		if p.Registered != want[p.ID] {
			t.Errorf("program %d: board says %d registered, the applicants %d", p.ID, p.Registered, want[p.ID])
		}
	}
	if b.Totals.Registered != total {
		t.Errorf("board total %d, applicants with a choice %d", b.Totals.Registered, total)
	}
	srv.stop(t)
	cmd := exec.Command(binary, "repair-counts")
	cmd.Dir = moduleRoot
	cmd.Env = append(cmd.Environ(), "ZHUPEI_DATA_DIR="+srv.DataDir, "ZHUPEI_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "修正了 0 个培训计划") {
		t.Errorf("repair-counts: %v\n%s", err, out)
	}
}

// TestKillDuringSubmissions kills zhupei with SIGKILL in the middle of a
// burst of choice submissions and changes, on each backend, and restarts it
// on the same store: every submission that got a 200 is there (the one a
// client had in flight may or may not be), the sessions survived, and every
// counter equals its recount.
func TestKillDuringSubmissions(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { killDuringSubmissions(t, 16, 120) })
	// The stand-in serves one connection's commands one at a time: fewer
	// clients, an earlier kill.
	t.Run("mongo", func(t *testing.T) { killDuringSubmissions(t, 6, 20, mongoEnv(demoFerret(t).URI())...) })
}

// killDuringSubmissions has clients applicants change their choices until
// killAfter submissions are acknowledged, then kills the service.
func killDuringSubmissions(t *testing.T, clients int, killAfter int64, env ...string) {
	start := time.Now()
	srv := startServer(t, env...)
	started := time.Now()
	applicants := registerApplicants(t, srv.URL, clients)
	t.Logf("started in %s, registered %d applicants in %s", started.Sub(start), clients, time.Since(started))
	programs := programIDs(readBoard(t, srv.URL))

	var acked atomic.Int64
	reached, killed := make(chan struct{}), make(chan struct{})
	var reachOnce sync.Once
	inFlight := make([]bool, clients)
	failures := make([]string, clients)
	var wg sync.WaitGroup
	for i, a := range applicants {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for {
				status, code := a.Choose(programs[rng.IntN(len(programs))], rng.IntN(2) == 0)
				select {
				case <-killed:
					inFlight[i] = status != http.StatusOK
					return
				default:
				}
				if status != http.StatusOK {
					failures[i] = code
					return
				}
				if acked.Add(1) == killAfter {
					reachOnce.Do(func() { close(reached) })
				}
			}
		})
	}
	select {
	case <-reached:
	case <-time.After(faultTimeout):
		t.Fatalf("%d of %d submissions acknowledged in %s; failures %q", acked.Load(), killAfter, faultTimeout, failures)
	}
	close(killed)
	srv.kill(t)
	wg.Wait()
	for i, f := range failures {
		if f != "" {
			t.Errorf("applicant %d: a choice before the kill failed: %s", i, f)
		}
	}

	srv = startServerOn(t, srv.DataDir, env...)
	lost := 0
	for i, a := range applicants {
		a.Base = srv.URL // the session cookie of the killed process
		m, err := a.Fetch()
		if err != nil {
			t.Fatalf("applicant %d after the restart: %v", i, err)
		}
		app := m.Application
		switch {
		case app == nil || app.Version < a.AppVersion:
			lost++
			t.Errorf("applicant %d: acknowledged version %d, program %d; after the restart %+v", i, a.AppVersion, a.Program, app)
		case app.Version == a.AppVersion && app.ProgramID != a.Program,
			app.Version > a.AppVersion+1, app.Version == a.AppVersion+1 && !inFlight[i]:
			t.Errorf("applicant %d: acknowledged version %d, program %d (in flight at the kill: %v); after the restart version %d, program %d",
				i, a.AppVersion, a.Program, inFlight[i], app.Version, app.ProgramID)
		}
		// What the store has is what the applicant now sees.
		a.AppVersion, a.Program = app.Version, app.ProgramID
	}
	t.Logf("%d submissions acknowledged before the kill, %d lost", acked.Load(), lost)
	checkCounts(t, srv, applicants, env...)
}

// TestWeChatFailingHalfTheCalls has the sandbox fail half of the calls to
// its token, OAuth and template-message endpoints with errcode -1 (system
// error): logins that failed are tried again, as a person does, and get a
// Chinese 502 page; every application succeeds; every 报名成功 message
// reaches its applicant once, later, through the sender's retries.
func TestWeChatFailingHalfTheCalls(t *testing.T) {
	t.Parallel()
	const applicants = 8
	srv := startServer(t, "ZHUPEI_NOTIFY_INTERVAL=1s", "ZHUPEI_NOTIFY_BACKOFF=100ms",
		"ZHUPEI_NOTIFY_MAX_BACKOFF=500ms", "ZHUPEI_NOTIFY_MAX_ATTEMPTS=30")
	endpoints := []string{sandbox.EndpointToken, sandbox.EndpointOAuthToken, sandbox.EndpointTemplate}
	for _, e := range endpoints {
		f := sandbox.Fault{Endpoint: e, Code: -1, Rate: 0.5, Count: 1000}
		if status, _, raw := testhttp.Call(t, http.MethodPost, srv.URL+"/sandbox/faults", "", f); status != http.StatusOK {
			t.Fatalf("arm %+v: %d %s", f, status, raw)
		}
	}
	photo, err := sim.PhotoJPEG()
	if err != nil {
		t.Fatal(err)
	}
	programs := programIDs(readBoard(t, srv.URL))
	loginFailures := 0
	all := make([]*sim.Applicant, applicants)
	for i := range all {
		a := &sim.Applicant{Index: i, Client: sim.NewBrowser(http.DefaultTransport)}
		for err = a.Register(srv.URL, 1, photo); err != nil; err = a.Register(srv.URL, 1, photo) {
			var se *sim.StatusError
			if !errors.As(err, &se) || se.Status != http.StatusBadGateway || loginFailures > 40 {
				t.Fatalf("applicant %d: %v", i, err)
			}
			loginFailures++
		}
		if status, code := a.Choose(programs[i%len(programs)], true); status != http.StatusOK {
			t.Fatalf("applicant %d: choice %d %s", i, status, code)
		}
		all[i] = a
	}

	var messages []struct {
		OpenID      string `json:"openid"`
		ClientMsgID string `json:"client_msg_id"`
	}
	deadline := time.Now().Add(faultTimeout)
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for ; len(messages) < applicants && time.Now().Before(deadline); <-poll.C {
		var got struct {
			Messages []struct {
				OpenID      string `json:"openid"`
				ClientMsgID string `json:"client_msg_id"`
			} `json:"messages"`
		}
		_, _, raw := testhttp.Call(t, http.MethodGet, srv.URL+"/sandbox/api/messages", "", nil)
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		messages = got.Messages
	}
	openIDs, ids := map[string]bool{}, map[string]bool{}
	for _, m := range messages {
		openIDs[m.OpenID], ids[m.ClientMsgID] = true, true
	}
	if len(messages) != applicants || len(openIDs) != applicants || len(ids) != applicants {
		t.Errorf("%d messages to %d applicants (%d distinct notifications) within %s, want %d of each",
			len(messages), len(openIDs), len(ids), faultTimeout, applicants)
	}
	// The faults did fire: the armed counts went down.
	_, _, raw := testhttp.Call(t, http.MethodGet, srv.URL+"/sandbox/faults", "", nil)
	var armed struct {
		Faults []sandbox.Fault `json:"faults"`
	}
	if err := json.Unmarshal(raw, &armed); err != nil {
		t.Fatal(err)
	}
	failed := map[string]int{}
	for _, f := range armed.Faults {
		failed[f.Endpoint] = 1000 - f.Count
	}
	if failed[sandbox.EndpointTemplate] == 0 || failed[sandbox.EndpointOAuthToken] == 0 {
		t.Errorf("failed calls by endpoint %v: the faults did not fire", failed)
	}
	t.Logf("failed WeChat calls by endpoint %v; %d logins tried again", failed, loginFailures)
}

// TestStoreOutage stops the Mongo-protocol store under a running service and
// starts it again: meanwhile /readyz fails and requests that need the store
// get a 503 with a Chinese message (JSON for the API, a page elsewhere);
// afterwards the same process serves them again, writes included, without a
// restart. The outage is the separate database server going away (a
// restart, a failover, the network), which is what happens to a service
// that keeps running; the embedded SQLite file fails only with the
// process's own machine.
func TestStoreOutage(t *testing.T) {
	t.Parallel()
	db := demoFerret(t)
	// A server-selection timeout short enough for a test to see the
	// outage's answers (the driver's default is 30 s).
	env := mongoEnv(db.URI(), "serverSelectionTimeoutMS=1500")
	srv := startServer(t, env...)
	a := registerApplicants(t, srv.URL, 1)[0]
	programs := programIDs(readBoard(t, srv.URL))

	db.Stop()
	if status, _, body := testhttp.Call(t, http.MethodGet, srv.URL+"/readyz", "", nil); status != http.StatusServiceUnavailable || !strings.Contains(string(body), "数据库") {
		t.Errorf("/readyz during the outage: %d %s", status, body)
	}
	resp, err := a.Client.Get(srv.URL + "/api/v1/me/profile")
	raw, _ := sim.Expect("profile", resp, err, http.StatusServiceUnavailable)
	var apiErr struct {
		Error struct {
			Code, Message string
		} `json:"error"`
	}
	if json.Unmarshal(raw, &apiErr) != nil || apiErr.Error.Code != "unavailable" || !strings.Contains(apiErr.Error.Message, "数据库暂时无法访问") {
		t.Errorf("profile during the outage: %d %s", resp.StatusCode, raw)
	}
	if status, code := a.Choose(programs[0], true); status != http.StatusServiceUnavailable || code != "unavailable" {
		t.Errorf("choice during the outage: %d %s", status, code)
	}
	resp, err = a.Client.Get(srv.URL + "/apply")
	page, _ := sim.Expect("apply", resp, err, http.StatusServiceUnavailable)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "数据库暂时无法访问") {
		t.Errorf("/apply during the outage: %d %.300s", resp.StatusCode, page)
	}

	db.Start()
	deadline := time.Now().Add(faultTimeout)
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	status := 0
	for ; status != http.StatusOK && time.Now().Before(deadline); <-poll.C {
		status, _, _ = testhttp.Call(t, http.MethodGet, srv.URL+"/readyz", "", nil)
	}
	if status != http.StatusOK {
		t.Fatalf("/readyz %d %s after the store came back", status, faultTimeout)
	}
	if status, code := a.Choose(programs[0], true); status != http.StatusOK {
		t.Errorf("choice after the outage: %d %s", status, code)
	}
	checkCounts(t, srv, []*sim.Applicant{a}, env...)
}
