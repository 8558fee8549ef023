package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"zhupei/internal/procstat"
	"zhupei/internal/sim"
	"zhupei/recruit"
)

const (
	// requestTimeout bounds one request of the season.
	requestTimeout = 60 * time.Second
	// staffPerBase are the accounts of each base: its admin and a reviewer.
	staffPerBase = 2
	// oversubscription is how many applicants the season wants per seat:
	// with fewer applicants the province scales the plans down.
	oversubscription = 4.5
	// rejectRemark is the reviewers' remark on a rejection.
	rejectRemark = "报考专业与所学专业不符，请修改报考专业后重新提交"
)

// Decision shares of the simulation.
const (
	adjustShare   = 0.7  // applicants who accept adjustment
	rejectShare   = 0.08 // of the applications a base reviews in round1
	laterRejects  = 0.05 // in round2 and adjustment
	declineShare  = 0.15 // of the offers in round1 and adjustment
	round2Decline = 0.3  // of the offers in round2, which leaves vacancies for adjustment
	lapseShare    = 0.2  // of the adjustment's offers (at least one), left unanswered to expire
	moveShare     = 0.3  // of the reopened applicants, who move to a vacancy
	declinerMoves = 0.8  // of those who declined an offer
)

// program is one program of the year as the simulation keeps it.
type program struct {
	recruit.Program
	held  int // seats held: open or accepted offers and admissions
	final int // admissions
}

// person is one simulated applicant and what the season should have made
// of them.
type person struct {
	*sim.Applicant
	rng    *rand.Rand
	adjust bool
	state  recruit.State
	offer  recruit.OfferState
	round  recruit.Phase // the round of the last provisional admission
	notes  map[recruit.NoticeKind]int
}

// world is the season: the server, its staff, the programs and the people.
type world struct {
	cfg      config
	out      io.Writer
	tr       *http.Transport
	requests atomic.Int64
	hc       *http.Client
	servers  []*server // the instances, on one store when several
	url      string

	province  *staffMember
	admins    map[int64]*staffMember // by base
	reviewers map[int64]*staffMember
	bases     []int64
	programs  map[int64]*program
	byBase    map[int64][]*program
	open      []*program // programs with a plan

	people []*person
	byApp  map[int64]*person

	mu         sync.Mutex // guards the programs' counters and staffNotes
	staffNotes map[recruit.NoticeKind]int

	// adjustmentEnd is when the season moved confirmation to, capping the
	// adjustment's offers; offerRate the admissions and answers per second
	// of round1, from which it is planned.
	adjustmentEnd time.Time
	offerRate     float64
	// calendar is the year's calendar as last saved.
	calendar recruit.Calendar
	// stageName is the stage running, which names the profile slices.
	stageName atomic.Value
}

// counting counts the requests of the season.
type counting struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// counted is the season's transport, counting its requests.
func (w *world) counted() http.RoundTripper { return counting{w.tr, &w.requests} }

// season runs the whole season and its checks.
func season(cfg config, out io.Writer) (err error) {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "zhupei-season-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(out, "data directory:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := cfg.zhupei
	if bin == "" {
		if bin, err = build(root, tmp, cfg.pprof != ""); err != nil {
			return err
		}
	}
	var extra []string
	var pprofAddr string
	if cfg.pprof != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		extra = append(extra, "ZHUPEI_PPROF_ADDR="+pprofAddr)
	}
	mongoURI := cfg.mongoURI
	if mongoURI == ferretURI {
		stop, uri, err := startFerret(filepath.Join(tmp, "ferret"))
		if err != nil {
			return err
		}
		defer stop()
		mongoURI = uri
	}
	dataDir := filepath.Join(tmp, "data")
	servers, front, err := startInstances(cfg, bin, root, dataDir, mongoURI, extra)
	defer func() {
		if err != nil {
			for i, srv := range servers {
				srv.kill()
				fmt.Fprintf(out, "output of server %d (last 2,000 bytes):\n%s\n", i+1, tail(srv.output.String(), 2000))
			}
		}
	}()
	if err != nil {
		return err
	}
	store := "embedded SQLite"
	if mongoURI != "" {
		store = "Mongo " + cfg.mongoURI
	}
	fmt.Fprintf(out, "season: %d applicants, %d workers, store %s, jobs every %s (phases and offer expiry every %s), %d instance(s) at %s\n",
		cfg.applicants, cfg.workers, store, cfg.tick, cfg.boundary(), len(servers), front)

	w := &world{cfg: cfg, out: out, servers: servers, url: front, byApp: map[int64]*person{}, staffNotes: map[recruit.NoticeKind]int{}}
	w.tr = &http.Transport{MaxIdleConnsPerHost: 4 * cfg.workers, IdleConnTimeout: time.Minute, DisableCompression: true}
	defer w.tr.CloseIdleConnections()
	w.hc = &http.Client{Transport: w.counted(), Timeout: requestTimeout}
	w.stageName.Store("start-up")
	stopProfile := func() {}
	if cfg.pprof != "" {
		if stopProfile, err = w.profile(cfg.pprof, pprofAddr); err != nil {
			return err
		}
		defer stopProfile()
	}

	for _, st := range []struct {
		name string
		run  func() (string, error)
	}{
		{"staff", w.setUpStaff},
		{"registration", w.registration},
		{"round1", w.round1},
		{"round2", w.round2},
		{"adjustment", w.adjustment},
		{"confirmation", w.confirmation},
		{"notifications", w.awaitNotifications},
		{"check", w.checkLive},
	} {
		if err := w.stage(st.name, st.run); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	stopProfile()
	for _, srv := range servers {
		if err := srv.stop(); err != nil {
			return err
		}
	}
	return w.stage("store check", func() (string, error) { return checkStore(w, dataDir, mongoURI) })
}

// startInstances starts cfg.instances servers, each with a data directory
// of its own under dataDir's name, and returns them with the URL the
// season uses: the one server's, or that of a balancer in front of several
// (which also stands for the public address WeChat redirects to).
func startInstances(cfg config, bin, root, dataDir, mongoURI string, extra []string) ([]*server, string, error) {
	if cfg.instances == 1 {
		srv, err := startServer(bin, root, storeEnv(dataDir, mongoURI), cfg, extra...)
		if err != nil {
			return nil, "", err
		}
		return []*server{srv}, srv.url, nil
	}
	lb := &balancer{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	front := "http://" + ln.Addr().String()
	go func() { _ = http.Serve(ln, lb) }() // serves until the season exits
	extra = append(extra, "ZHUPEI_WECHAT_BASE_URL="+front)
	var servers []*server
	for i := range cfg.instances {
		srv, err := startServer(bin, root, storeEnv(fmt.Sprintf("%s-%d", dataDir, i+1), mongoURI), cfg, extra...)
		if err != nil {
			return servers, "", err
		}
		servers = append(servers, srv)
		if err := lb.add(srv.url); err != nil {
			return servers, "", err
		}
	}
	return servers, front, nil
}

// stage runs one stage and prints its time, requests, the server's CPU
// time and what it did.
func (w *world) stage(name string, run func() (string, error)) error {
	w.stageName.Store(name)
	before, start, cpu := w.requests.Load(), time.Now(), w.serverCPU()
	detail, err := run()
	secs := time.Since(start).Seconds()
	n := w.requests.Load() - before
	fmt.Fprintf(w.out, "  %-13s %7.1f s %8d requests %7.0f/s  server CPU %6.1f s  %s\n",
		name, secs, n, float64(n)/max(secs, 1e-3), (w.serverCPU() - cpu).Seconds(), detail)
	return err
}

// serverCPU is the CPU time the server processes have used so far (0 for
// one that has exited).
func (w *world) serverCPU() time.Duration {
	var sum time.Duration
	for _, srv := range w.servers {
		d, _ := procstat.CPUTime(srv.cmd.Process.Pid) // 0 after the exit
		sum += d
	}
	return sum
}

// profileSlice is the length of one slice of the server's CPU profile.
const profileSlice = 10 * time.Second

// profile saves the server's CPU profile (its pprof listener at addr) in
// dir, in slices of profileSlice named after the stage each began in,
// until stop is called.
func (w *world) profile(dir, addr string) (stop func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			name := filepath.Join(dir, fmt.Sprintf("%s-%03d.pprof", w.stageName.Load(), i))
			if err := saveProfile(ctx, addr, name); err != nil && ctx.Err() == nil {
				fmt.Fprintln(w.out, "profile:", err)
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }, nil
}

// saveProfile saves one slice of the CPU profile at addr in file.
func saveProfile(ctx context.Context, addr, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(profileSlice.Seconds())), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	raw, err := sim.Expect("pprof", resp, err, http.StatusOK)
	if err != nil {
		return err
	}
	return os.WriteFile(file, raw, 0o640)
}

// freeAddr is a free port of the loopback interface.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail is the end of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// parallel calls f for each item with the season's workers and returns
// the first error (the items after it are left out).
func parallel[T any](w *world, items []T, f func(T) error) error {
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range min(w.cfg.workers, len(items)) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(items) {
					return
				}
				if err := f(items[i]); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return first
}

// getJSON reads a public or sandbox JSON document.
func (w *world) getJSON(path string, out any) error {
	resp, err := w.hc.Get(w.url + path)
	raw, err := sim.Expect(path, resp, err, http.StatusOK)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	return err
}

// setUpStaff makes the province admin, each base's admin and reviewer,
// and scales the plans when there are few applicants.
func (w *world) setUpStaff() (string, error) {
	code, err := w.servers[0].invite("-role", "province")
	if err != nil {
		return "", err
	}
	if w.province, err = newStaff(w.counted(), w.url, "省级管理员", "172.16.0.1", code, "province", 0); err != nil {
		return "", err
	}
	var board struct {
		Programs []recruit.Program `json:"programs"`
	}
	if err := w.getJSON("/api/v1/programs", &board); err != nil {
		return "", err
	}
	w.programs, w.byBase = map[int64]*program{}, map[int64][]*program{}
	total := 0
	for _, p := range board.Programs {
		prog := &program{Program: p}
		w.programs[p.ID] = prog
		if len(w.byBase[p.BaseID]) == 0 {
			w.bases = append(w.bases, p.BaseID)
		}
		w.byBase[p.BaseID] = append(w.byBase[p.BaseID], prog)
		total += p.Plan
	}
	w.admins, w.reviewers = map[int64]*staffMember{}, map[int64]*staffMember{}
	var mu sync.Mutex
	err = parallel(w, w.bases, func(b int64) error {
		code, err := w.province.invite("base_admin", b, "基地管理员")
		if err != nil {
			return err
		}
		admin, err := newStaff(w.counted(), w.url, fmt.Sprintf("基地管理员%d", b), fmt.Sprintf("172.16.1.%d", b), code, "base_admin", b)
		if err != nil {
			return err
		}
		if code, err = admin.invite("reviewer", b, "审核员"); err != nil {
			return err
		}
		reviewer, err := newStaff(w.counted(), w.url, fmt.Sprintf("审核员%d", b), fmt.Sprintf("172.16.2.%d", b), code, "reviewer", b)
		if err != nil {
			return err
		}
		mu.Lock()
		w.admins[b], w.reviewers[b] = admin, reviewer
		mu.Unlock()
		return nil
	})
	if err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%d bases with an admin and a reviewer, %d programs, %d seats", len(w.bases), len(board.Programs), total)
	if want := int(float64(w.cfg.applicants) / oversubscription); want < total {
		var progs []*program
		for _, b := range w.bases {
			progs = append(progs, w.byBase[b]...)
		}
		plans := scalePlans(progs, total, want)
		err := parallel(w, progs, func(p *program) error {
			if plans[p] == p.Plan {
				return nil
			}
			p.Plan = plans[p]
			return w.province.call("updatePlan", http.MethodPut, fmt.Sprintf("/api/v1/admin/programs/%d/plan", p.ID), map[string]int{"plan": p.Plan}, nil, http.StatusOK)
		})
		if err != nil {
			return "", err
		}
		detail += fmt.Sprintf("; plans scaled by the province (updatePlan) to %d seats", want)
	}
	for _, b := range w.bases {
		for _, p := range w.byBase[b] {
			if p.Plan > 0 {
				w.open = append(w.open, p)
			}
		}
	}
	if len(w.open) < 2 {
		return "", fmt.Errorf("%d programs with a plan: too few applicants", len(w.open))
	}
	return detail, nil
}

// scalePlans scales the plans of progs, which sum to total, to sum to want
// (largest remainders first).
func scalePlans(progs []*program, total, want int) map[*program]int {
	out := map[*program]int{}
	rem := make([]*program, len(progs))
	copy(rem, progs)
	left := want
	for _, p := range progs {
		out[p] = p.Plan * want / total
		left -= out[p]
	}
	frac := func(p *program) int { return p.Plan * want % total }
	slices.SortStableFunc(rem, func(a, b *program) int { return frac(b) - frac(a) })
	for _, p := range rem[:left] {
		out[p]++
	}
	return out
}

// pick returns a program of progs other than not, chosen with weights
// weight; nil when none has weight.
func pick(rng *rand.Rand, progs []*program, not int64, weight func(*program) int) *program {
	sum := 0
	for _, p := range progs {
		if p.ID != not {
			sum += max(weight(p), 0)
		}
	}
	if sum == 0 {
		return nil
	}
	r := rng.IntN(sum)
	for _, p := range progs {
		if p.ID == not {
			continue
		}
		if r -= max(weight(p), 0); r < 0 {
			return p
		}
	}
	return nil
}

func byPlan(p *program) int { return p.Plan }

// registration creates the applicants: login, binding, the four sections
// with the photo, the choice and the PDF form.
func (w *world) registration() (string, error) {
	photo, err := sim.PhotoJPEG()
	if err != nil {
		return "", err
	}
	w.people = make([]*person, w.cfg.applicants)
	for i := range w.people {
		rng := rand.New(rand.NewPCG(w.cfg.seed, uint64(i)))
		w.people[i] = &person{rng: rng, adjust: rng.Float64() < adjustShare, notes: map[recruit.NoticeKind]int{},
			Applicant: &sim.Applicant{Index: i, Client: sim.NewBrowser(sim.ForwardedFor{Next: w.counted(), Addr: sim.ClientAddr(i)})}}
	}
	var pdf atomic.Int64
	err = parallel(w, w.people, func(p *person) error {
		if err := p.Register(w.url, int64(w.cfg.seed), photo); err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		if err := w.choose(p, pick(p.rng, w.open, 0, byPlan)); err != nil {
			return err
		}
		n, err := p.DownloadForm()
		pdf.Add(int64(n))
		if err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, p := range w.people {
		w.byApp[p.AppID] = p
	}
	return fmt.Sprintf("%d applicants logged in, bound, filled in (photo %d KB), chose and downloaded the form (%d KB on average)",
		len(w.people), len(photo)>>10, pdf.Load()/int64(len(w.people))>>10), nil
}

// choose submits or changes p's choice, which the server must take.
func (w *world) choose(p *person, prog *program) error {
	if status, code := p.Choose(prog.ID, p.adjust); status != http.StatusOK {
		return fmt.Errorf("applicant %d: choice of program %d: HTTP %d %s", p.Index, prog.ID, status, code)
	}
	if p.Program != prog.ID || p.AppID == 0 {
		return fmt.Errorf("applicant %d: the choice answered program %d, want %d", p.Index, p.Program, prog.ID)
	}
	p.state, p.offer = recruit.StatePending, recruit.OfferNone // a new choice clears the offer
	p.notes[recruit.KindRegistered]++
	return nil
}

// startNow has the province start phase at the next whole second, after
// every change so far, and waits until it has started.
func (w *world) startNow(phase recruit.Phase) error {
	at := time.Now().Truncate(time.Second).Add(time.Second)
	if err := w.moveCalendar(phase, at); err != nil {
		return err
	}
	time.Sleep(time.Until(at))
	return nil
}

// moveCalendar has the province start phase at at (updateCalendar), with
// the later phases moved to follow when they would not.
func (w *world) moveCalendar(phase recruit.Phase, at time.Time) error {
	if w.calendar.Registration.IsZero() {
		// The public year is a snapshot of a few seconds: it is read once,
		// before the first change, and then the saved calendar is kept.
		var y struct {
			Calendar recruit.Calendar `json:"calendar"`
		}
		if err := w.getJSON("/api/v1/year", &y); err != nil {
			return err
		}
		w.calendar = y.Calendar
	}
	cal := w.calendar
	starts := []*time.Time{&cal.Registration, &cal.Round1, &cal.Round2, &cal.Adjustment, &cal.Confirmation, &cal.Closed}
	i := slices.IndexFunc(cal.Starts(), func(s recruit.PhaseStart) bool { return s.Phase == phase })
	*starts[i] = at.Truncate(time.Second)
	for j := i + 1; j < len(starts); j++ {
		if !starts[j].After(*starts[j-1]) {
			*starts[j] = starts[j-1].Add(24 * time.Hour)
		}
	}
	var saved struct {
		Calendar recruit.Calendar `json:"calendar"`
	}
	if err := w.province.call("updateCalendar", http.MethodPut, "/api/v1/admin/calendar", cal.InShanghai(), &saved, http.StatusOK); err != nil {
		return err
	}
	w.calendar = saved.Calendar
	return nil
}

// count is the number of applications in state the province sees.
func (w *world) count(state recruit.State) (int, error) {
	var out struct {
		Total int `json:"total"`
	}
	err := w.province.call("listApplications", http.MethodGet, "/api/v1/admin/applications?size=1&state="+string(state), nil, &out, http.StatusOK)
	return out.Total, err
}

// reopen starts round (round2 or adjustment) and waits for the phase job
// to make every application without a seat pending again.
func (w *world) reopen(round recruit.Phase) (int, error) {
	var reopened []*person
	for _, p := range w.people {
		if p.state == recruit.StateApproved || p.state == recruit.StateRejected {
			reopened = append(reopened, p)
		}
	}
	want := len(reopened)
	for _, p := range w.people {
		if p.state == recruit.StatePending {
			want++
		}
	}
	if err := w.startNow(round); err != nil {
		return 0, err
	}
	wait := 2*w.cfg.boundary() + time.Minute
	deadline := time.Now().Add(wait)
	for {
		n, err := w.count(recruit.StatePending)
		if err != nil {
			return 0, err
		}
		if n == want {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%d applications pending %s after %s started, want %d", n, wait, round, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, p := range reopened {
		p.state = recruit.StatePending
		if round == recruit.PhaseRound2 || p.adjust {
			p.notes[recruit.KindRoundOpened]++
		}
	}
	return len(reopened), nil
}

// review has each base's reviewer list its pending applications, check
// them against the simulation and review them in bulk: a share rejects
// of them rejected with a remark, the rest approved. It returns the
// rejected.
func (w *world) review(rejects float64) ([]*person, error) {
	pending := w.byBaseOf(func(p *person) bool { return p.state == recruit.StatePending })
	var mu sync.Mutex
	var rejected []*person
	err := parallel(w, w.bases, func(b int64) error {
		rows, total, err := w.reviewers[b].list(string(recruit.StatePending), b)
		if err != nil {
			return err
		}
		want := map[int64]*person{}
		for _, p := range pending[b] {
			want[p.AppID] = p
		}
		if len(rows) != len(want) || total != len(want) {
			return fmt.Errorf("base %d lists %d pending applications (total %d), the simulation has %d", b, len(rows), total, len(want))
		}
		var approve, reject []int64
		var approved, failed []*person
		for _, r := range rows {
			p := want[r.ID]
			if p == nil || w.programs[p.Program].SpecialtyCode != r.SpecialtyCode || r.State != string(recruit.StatePending) {
				return fmt.Errorf("base %d lists application %d (%s, %s), which the simulation does not have pending there", b, r.ID, r.State, r.SpecialtyCode)
			}
			if p.rng.Float64() < rejects {
				reject, failed = append(reject, r.ID), append(failed, p)
			} else {
				approve, approved = append(approve, r.ID), append(approved, p)
			}
		}
		if err := w.reviewers[b].review(approve, "approve", ""); err != nil {
			return err
		}
		for _, p := range approved {
			p.state = recruit.StateApproved
			p.notes[recruit.KindReviewPassed]++
		}
		if err := w.reviewers[b].review(reject, "reject", rejectRemark); err != nil {
			return err
		}
		for _, p := range failed {
			p.state = recruit.StateRejected
			p.notes[recruit.KindReviewFailed]++
		}
		mu.Lock()
		rejected = append(rejected, failed...)
		mu.Unlock()
		return nil
	})
	return rejected, err
}

// byBaseOf groups the people that keep by the base of their program, in
// the order of their applications, before the bases work in parallel on
// their own.
func (w *world) byBaseOf(keep func(*person) bool) map[int64][]*person {
	out := map[int64][]*person{}
	for _, p := range w.people {
		if keep(p) {
			b := w.programs[p.Program].BaseID
			out[b] = append(out[b], p)
		}
	}
	for _, ps := range out {
		slices.SortFunc(ps, func(a, b *person) int { return int(a.AppID - b.AppID) })
	}
	return out
}

// admit has each base admin admit provisionally, program by program, the
// approved applicants (in adjustment: who accept adjustment) up to the
// plan, check that one more is refused as over the plan, and publish the
// round's list.
func (w *world) admit(round recruit.Phase) (int, error) {
	approved := w.byBaseOf(func(p *person) bool {
		return p.state == recruit.StateApproved && (round != recruit.PhaseAdjustment || p.adjust)
	})
	var admitted atomic.Int64
	err := parallel(w, w.bases, func(b int64) error {
		admin, n := w.admins[b], 0
		for _, prog := range w.byBase[b] {
			var cands []*person
			for _, p := range approved[b] {
				if p.Program == prog.ID {
					cands = append(cands, p)
				}
			}
			for i, p := range cands {
				path := fmt.Sprintf("/api/v1/admin/applications/%d/provisional", p.AppID)
				if prog.held == prog.Plan {
					// One more than the plan: refused, and the rest are not tried.
					if err := admin.call("admitProvisionally over the plan", http.MethodPost, path, nil, nil, http.StatusConflict); err != nil {
						return fmt.Errorf("program %d (plan %d, held %d), its candidate %d of %d: %w", prog.ID, prog.Plan, prog.held, i+1, len(cands), err)
					}
					break
				}
				var out struct {
					Application struct {
						State      recruit.State      `json:"state"`
						OfferState recruit.OfferState `json:"offer_state"`
					} `json:"application"`
				}
				if err := admin.call("admitProvisionally", http.MethodPost, path, nil, &out, http.StatusOK); err != nil {
					return fmt.Errorf("program %d (plan %d, held %d): %w", prog.ID, prog.Plan, prog.held, err)
				}
				if out.Application.State != recruit.StateProvisional || out.Application.OfferState != recruit.OfferOpen {
					return fmt.Errorf("application %d admitted as %s with offer %q", p.AppID, out.Application.State, out.Application.OfferState)
				}
				w.mu.Lock()
				prog.held++
				w.mu.Unlock()
				p.state, p.offer, p.round = recruit.StateProvisional, recruit.OfferOpen, round
				p.notes[recruit.KindProvisional]++
				n++
			}
		}
		admitted.Add(int64(n))
		if n == 0 {
			return nil
		}
		return w.publish(b, n)
	})
	return int(admitted.Load()), err
}

// publish has base b's admin publish the list of the phase, which must
// list n applicants.
func (w *world) publish(b int64, n int) error {
	var out struct {
		Publication struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"publication"`
	}
	if err := w.admins[b].call("publishList", http.MethodPost, fmt.Sprintf("/api/v1/admin/bases/%d/publications", b), nil, &out, http.StatusCreated); err != nil {
		return err
	}
	if got := len(out.Publication.Entries); got != n {
		return fmt.Errorf("base %d published %d entries, want %d", b, got, n)
	}
	return nil
}

// answer has the applicants with an open offer of round accept it or
// decline it; with lapse, that share of them (at least one) does not
// answer. It returns the accepted and declined counts.
func (w *world) answer(round recruit.Phase, lapse float64) (accepted, declined int, err error) {
	var open []*person
	for _, p := range w.people {
		if p.offer == recruit.OfferOpen && p.round == round {
			open = append(open, p)
		}
	}
	decline := declineShare
	if round == recruit.PhaseRound2 {
		decline = round2Decline
	}
	var acc, dec atomic.Int64
	err = parallel(w, open, func(p *person) error {
		r := p.rng.Float64()
		if lapse > 0 && (r >= 1-lapse || p == open[0]) {
			return nil
		}
		accept := r >= decline
		app, err := p.AnswerOffer(accept)
		if err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		if accept {
			p.offer = recruit.OfferAccepted
			acc.Add(1)
		} else {
			w.offerEnded(p, recruit.OfferDeclined)
			dec.Add(1)
		}
		if app.State != p.state || app.OfferState != p.offer {
			return fmt.Errorf("applicant %d: the answer left %s with offer %s, want %s with %s", p.Index, app.State, app.OfferState, p.state, p.offer)
		}
		return nil
	})
	return int(acc.Load()), int(dec.Load()), err
}

// offerEnded records that p's offer ended as how: the seat is free, p is
// approved again and told, and so is each member of the base's staff.
func (w *world) offerEnded(p *person, how recruit.OfferState) {
	prog := w.programs[p.Program]
	w.mu.Lock()
	prog.held--
	w.staffNotes[recruit.KindStaffOfferEnded] += staffPerBase
	w.mu.Unlock()
	p.state, p.offer = recruit.StateApproved, how
	p.notes[recruit.KindOfferVoid]++
}

// vacancies is the weight of a program among the moves: its free seats.
func vacancies(p *program) int { return p.Plan - p.held }

// move has a share of the pending applicants (in adjustment only those who
// accept it) change their choice to a program with vacancies.
func (w *world) move(round recruit.Phase) (int, error) {
	var movers []*person
	for _, p := range w.people {
		if p.state != recruit.StatePending || (round == recruit.PhaseAdjustment && !p.adjust) {
			continue
		}
		share := moveShare
		if p.offer == recruit.OfferDeclined {
			share = declinerMoves
		}
		if p.rng.Float64() < share {
			movers = append(movers, p)
		}
	}
	// The targets are drawn before anyone moves: the vacancies do not change
	// while applications move.
	targets := map[*person]*program{}
	for _, p := range movers {
		if t := pick(p.rng, w.open, p.Program, vacancies); t != nil {
			targets[p] = t
		}
	}
	return len(targets), w.changeAll(targets)
}

// changeAll has each person change their choice to their target.
func (w *world) changeAll(targets map[*person]*program) error {
	movers := slices.Collect(maps.Keys(targets))
	return parallel(w, movers, func(p *person) error { return w.choose(p, targets[p]) })
}

// round1 opens review: bases review, the rejected change specialty and are
// reviewed again, bases admit up to the plan and publish, the offers are
// answered.
func (w *world) round1() (string, error) {
	if err := w.startNow(recruit.PhaseRound1); err != nil {
		return "", err
	}
	w.staffNotes[recruit.KindStaffReviewStarted] = staffPerBase * len(w.bases)
	rejected, err := w.review(rejectShare)
	if err != nil {
		return "", err
	}
	targets := map[*person]*program{}
	for _, p := range rejected {
		if t := pick(p.rng, w.byBase[w.programs[p.Program].BaseID], p.Program, byPlan); t != nil {
			targets[p] = t
		}
	}
	if err := w.changeAll(targets); err != nil {
		return "", err
	}
	if again, err := w.review(0); err != nil || len(again) > 0 {
		return "", errors.Join(err, fmt.Errorf("%d rejected in the second review", len(again)))
	}
	start := w.requests.Load()
	t0 := time.Now()
	admitted, err := w.admit(recruit.PhaseRound1)
	if err != nil {
		return "", err
	}
	acc, dec, err := w.answer(recruit.PhaseRound1, 0)
	if err != nil {
		return "", err
	}
	w.offerRate = float64(w.requests.Load()-start) / max(time.Since(t0).Seconds(), 1e-3)
	return fmt.Sprintf("%d reviewed, %d rejected, %d of them changed specialty and were approved; %d admitted provisionally, %d accepted, %d declined",
		len(w.people), len(rejected), len(targets), admitted, acc, dec), nil
}

// round2 reopens, moves some applicants to vacancies, reviews, admits and
// answers.
func (w *world) round2() (string, error) {
	return w.laterRound(recruit.PhaseRound2, 0)
}

// adjustment is round2's course for those who accept adjustment, with the
// start of confirmation moved to shortly after the admissions and a share
// of the offers left to expire.
func (w *world) adjustment() (string, error) {
	return w.laterRound(recruit.PhaseAdjustment, lapseShare)
}

// laterRound runs round2 or adjustment.
func (w *world) laterRound(round recruit.Phase, lapse float64) (string, error) {
	reopened, err := w.reopen(round)
	if err != nil {
		return "", err
	}
	moved, err := w.move(round)
	if err != nil {
		return "", err
	}
	rejected, err := w.review(laterRejects)
	if err != nil {
		return "", err
	}
	if round == recruit.PhaseAdjustment {
		if err := w.endAdjustmentSoon(); err != nil {
			return "", err
		}
	}
	admitted, err := w.admit(round)
	if err != nil {
		return "", err
	}
	acc, dec, err := w.answer(round, lapse)
	if err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%d reopened, %d moved to a vacancy, %d rejected; %d admitted provisionally, %d accepted, %d declined",
		reopened, moved, len(rejected), admitted, acc, dec)
	if round == recruit.PhaseAdjustment {
		if left := time.Until(w.adjustmentEnd); left <= 0 {
			return "", fmt.Errorf("the answers ended %s after the offers' deadline", -left)
		}
		detail += fmt.Sprintf(", %d left to expire at %s", admitted-acc-dec, w.adjustmentEnd.Format(time.TimeOnly))
	}
	return detail, nil
}

// endAdjustmentSoon moves the start of confirmation to shortly after the
// adjustment's admissions and answers will have ended, as round1's rate
// predicts (three times as long, and 8 s more).
func (w *world) endAdjustmentSoon() error {
	ops := 0
	for _, p := range w.people {
		if p.state == recruit.StateApproved && p.adjust {
			ops += 2
		}
	}
	vacant := 0
	for _, p := range w.open {
		vacant += vacancies(p)
	}
	ops = min(ops, 2*vacant+len(w.bases)*4)
	end := time.Now().Add(8*time.Second + time.Duration(3*float64(ops)/max(w.offerRate, 1)*float64(time.Second)))
	w.adjustmentEnd = end.Truncate(time.Second)
	return w.moveCalendar(recruit.PhaseConfirmation, w.adjustmentEnd)
}

// confirmation waits for the expiry job to expire the unanswered offers,
// then has the bases admit every accepted offer and publish the final
// lists.
func (w *world) confirmation() (string, error) {
	var lapsed, accepted []*person
	for _, p := range w.people {
		switch p.offer {
		case recruit.OfferOpen:
			lapsed = append(lapsed, p)
		case recruit.OfferAccepted:
			if p.state == recruit.StateProvisional {
				accepted = append(accepted, p)
			}
		}
	}
	time.Sleep(time.Until(w.adjustmentEnd))
	w.staffNotes[recruit.KindStaffConfirmation] = staffPerBase * len(w.bases)
	t0 := time.Now()
	deadline := t0.Add(2*w.cfg.boundary() + time.Minute)
	err := parallel(w, lapsed, func(p *person) error {
		for {
			m, err := p.Fetch()
			if err != nil {
				return fmt.Errorf("applicant %d: %w", p.Index, err)
			}
			if a := m.Application; a != nil && a.OfferState == recruit.OfferExpired {
				if a.State != recruit.StateApproved {
					return fmt.Errorf("applicant %d: the offer expired, the application is %s", p.Index, a.State)
				}
				w.offerEnded(p, recruit.OfferExpired)
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("applicant %d: the offer did not expire within %s of its deadline", p.Index, deadline.Sub(w.adjustmentEnd))
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
	if err != nil {
		return "", err
	}
	expired := time.Since(t0)
	perBase := map[int64]int{}
	err = parallel(w, accepted, func(p *person) error {
		b := w.programs[p.Program].BaseID
		var out struct {
			Application struct {
				State recruit.State `json:"state"`
			} `json:"application"`
		}
		if err := w.admins[b].call("admitApplication", http.MethodPost, fmt.Sprintf("/api/v1/admin/applications/%d/admit", p.AppID), nil, &out, http.StatusOK); err != nil {
			return fmt.Errorf("applicant %d: %w", p.Index, err)
		}
		if out.Application.State != recruit.StateAdmitted {
			return fmt.Errorf("applicant %d admitted as %s", p.Index, out.Application.State)
		}
		p.state = recruit.StateAdmitted
		p.notes[recruit.KindAdmitted]++
		w.mu.Lock()
		w.programs[p.Program].final++
		perBase[b]++
		w.mu.Unlock()
		return nil
	})
	if err != nil {
		return "", err
	}
	err = parallel(w, w.bases, func(b int64) error {
		if perBase[b] == 0 {
			return nil
		}
		return w.publish(b, perBase[b])
	})
	return fmt.Sprintf("%d offers expired by the job within %.1f s of their deadline, %d admitted, final lists published",
		len(lapsed), expired.Seconds(), len(accepted)), err
}
