package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"zhupei/recruit"
)

// snapshotTTL bounds how stale the public counts can be. At the registration
// surge thousands of boards poll every few seconds; with this cache they cost
// one store round-trip per TTL per instance.
const snapshotTTL = 2 * time.Second

// loadTimeout bounds one snapshot load; it does not depend on the request
// that happened to trigger it, since every waiting request shares the result.
const loadTimeout = 5 * time.Second

// snapshot is the public data of the latest year at one moment. It is shared
// between requests and must not be modified after loading.
type snapshot struct {
	Year        *recruit.Year // nil when no year is set up yet
	Bases       []recruit.Base
	Specialties []recruit.Specialty
	Programs    []recruit.Program // of Year, by base id then specialty code
	// YearBases and YearSpecialties are those that have a program in Year.
	YearBases       []recruit.Base
	YearSpecialties []recruit.Specialty
	At              time.Time // domain time of the load, shown as 更新时间
	tag             string    // dataTag: the opaque part of the ETag of the public JSON made from it
	etag            string    // that ETag, weakTag(tag)
	// Publications are the year's published lists, newest first.
	Publications []recruit.Publication
	// Shortage are the year's shortage specialty codes (the vacancy
	// board's flags), in order.
	Shortage []string

	baseByID   map[int64]recruit.Base
	specByCode map[string]recruit.Specialty
	// encoded caches what is derived from the snapshot per validated filter
	// (the /api/v1/programs body, the board's table), so that every reader
	// of the same filter shares one encoding per snapshot. Filters name
	// known bases and specialties only, which bounds its size.
	encoded sync.Map // encodedKey → *encoding
}

// encodedKey names one cached encoding: what it is and for which filter.
type encodedKey struct {
	kind   string
	filter programFilter
}

// memo returns the bytes cached under key, building them once per snapshot:
// of the requests that arrive together on a fresh snapshot (a crowd of
// boards), one builds and the others wait for its bytes (or its error:
// building is deterministic, and the next snapshot builds anew). The bytes are
// shared and must not be modified.
func (snap *snapshot) memo(key encodedKey, build func() ([]byte, error)) ([]byte, error) {
	e, ok := snap.encoded.Load(key)
	if !ok {
		e, _ = snap.encoded.LoadOrStore(key, &encoding{})
	}
	enc := e.(*encoding)
	enc.once.Do(func() { enc.b, enc.err = build() })
	return enc.b, enc.err
}

// encoding is one memo entry.
type encoding struct {
	once sync.Once
	b    []byte
	err  error
}

// loadSnapshot reads everything the public pages show from the store.
func (s *server) loadSnapshot(ctx context.Context) (*snapshot, error) {
	snap := &snapshot{At: s.now()}
	y, err := s.store.LatestYear(ctx)
	switch {
	case err == nil:
		snap.Year = &y
	case recruit.ErrorCode(err) != recruit.ENOTFOUND:
		return nil, err
	}
	if snap.Bases, err = s.store.ListBases(ctx); err != nil {
		return nil, err
	}
	if snap.Specialties, err = s.store.ListSpecialties(ctx); err != nil {
		return nil, err
	}
	if snap.Year != nil {
		if snap.Programs, err = s.store.ListPrograms(ctx, recruit.ProgramFilter{Year: y.Year}); err != nil {
			return nil, err
		}
		if snap.Publications, err = s.store.ListPublications(ctx, y.Year, 0); err != nil {
			return nil, err
		}
		if snap.Shortage, err = s.store.ShortageSpecialties(ctx, y.Year); err != nil {
			return nil, err
		}
	}
	snap.index()
	if snap.tag, err = dataTag(snap); err != nil {
		return nil, err
	}
	snap.etag = weakTag(snap.tag)
	return snap, nil
}

func (snap *snapshot) index() {
	snap.baseByID = make(map[int64]recruit.Base, len(snap.Bases))
	for _, b := range snap.Bases {
		snap.baseByID[b.ID] = b
	}
	snap.specByCode = make(map[string]recruit.Specialty, len(snap.Specialties))
	for _, sp := range snap.Specialties {
		snap.specByCode[sp.Code] = sp
	}
	hasBase := map[int64]bool{}
	hasSpec := map[string]bool{}
	for _, p := range snap.Programs {
		hasBase[p.BaseID] = true
		hasSpec[p.SpecialtyCode] = true
	}
	for _, b := range snap.Bases {
		if hasBase[b.ID] {
			snap.YearBases = append(snap.YearBases, b)
		}
	}
	for _, sp := range snap.Specialties {
		if hasSpec[sp.Code] {
			snap.YearSpecialties = append(snap.YearSpecialties, sp)
		}
	}
}

// noYear is the error of year-bound reads before the province sets a year up.
func noYear() error { return recruit.Errorf(recruit.ENOTFOUND, "招录年度尚未设置") }

// programFilter is a validated board filter; zero values match everything.
type programFilter struct {
	BaseID    int64
	Specialty string
}

// maxSpecialtyCode bounds a specialty code parameter.
const maxSpecialtyCode = 16

// parseFilter validates the raw base and specialty parameters: both must be
// well-formed and name a known base and specialty.
func (snap *snapshot) parseFilter(base, specialty string) (programFilter, error) {
	var f programFilter
	if base == "" && specialty == "" {
		return f, nil // the board's own poll: nothing to check
	}
	fe := recruit.FieldErrors{}
	if base != "" {
		id, ok := parseID(base)
		switch {
		case !ok:
			fe.Add("base", "培训基地参数无效")
		case !snap.hasBase(id):
			fe.Add("base", "所选培训基地不存在")
		default:
			f.BaseID = id
		}
	}
	if specialty != "" {
		_, known := snap.specByCode[specialty]
		switch {
		case !validCode(specialty):
			fe.Add("specialty", "培训专业参数无效")
		case !known:
			fe.Add("specialty", "所选培训专业不存在")
		default:
			f.Specialty = specialty
		}
	}
	return f, fe.Err()
}

func (snap *snapshot) hasBase(id int64) bool {
	_, ok := snap.baseByID[id]
	return ok
}

// parseID accepts a positive decimal int64 without sign or leading zeros.
func parseID(raw string) (int64, bool) {
	if raw == "" || len(raw) > 19 || raw[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil
}

// validCode accepts 1–16 ASCII letters and digits (national codes are four
// digits; the province may add its own).
func validCode(raw string) bool {
	if raw == "" || len(raw) > maxSpecialtyCode {
		return false
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if !(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z') {
			return false
		}
	}
	return true
}

// totals sums the counters of a set of programs.
type totals struct {
	Plan       int `json:"plan"`
	Registered int `json:"registered"`
	Admitted   int `json:"admitted"`
	Final      int `json:"final"`
}

// Provisional is the number of seats held by provisional admissions.
func (t totals) Provisional() int { return t.Admitted - t.Final }

// anyFinal reports whether a program of the year has a final admission.
func (snap *snapshot) anyFinal() bool {
	for _, p := range snap.Programs {
		if p.Final > 0 {
			return true
		}
	}
	return false
}

// programs returns the programs matching f and their totals.
func (snap *snapshot) programs(f programFilter) ([]recruit.Program, totals) {
	out := make([]recruit.Program, 0, len(snap.Programs))
	var t totals
	for _, p := range snap.Programs {
		if f.BaseID != 0 && p.BaseID != f.BaseID || f.Specialty != "" && p.SpecialtyCode != f.Specialty {
			continue
		}
		out = append(out, p)
		t.Plan += p.Plan
		t.Registered += p.Registered
		t.Admitted += p.Admitted
		t.Final += p.Final
	}
	return out, t
}

// programsJSON returns the encoded /api/v1/programs body for f; the year
// must be set. The bytes are shared and must not be modified.
func (snap *snapshot) programsJSON(f programFilter) ([]byte, error) {
	return snap.memo(encodedKey{"programs.json", f}, func() ([]byte, error) {
		r := programsResponse{Year: snap.Year.Year, UpdatedAt: snap.At}
		r.Programs, r.Totals = snap.programs(f)
		b, err := json.Marshal(r)
		if err != nil {
			return nil, recruit.Internal(err)
		}
		return b, nil
	})
}

// snapshotCache keeps the latest snapshot for ttl and lets one load run at a
// time: a burst of requests on an expired cache makes one set of store calls.
type snapshotCache struct {
	load  func(context.Context) (*snapshot, error)
	ttl   time.Duration
	clock func() time.Time // freshness clock (wall time, not the domain clock)

	mu       sync.Mutex
	cur      *snapshot
	curAt    time.Time
	inflight *snapshotCall
}

type snapshotCall struct {
	done chan struct{}
	snap *snapshot
	err  error
}

// errLoadAborted is seen by waiters when the load panicked.
var errLoadAborted = errors.New("snapshot load aborted")

func newSnapshotCache(load func(context.Context) (*snapshot, error), ttl time.Duration) *snapshotCache {
	return &snapshotCache{load: load, ttl: ttl, clock: time.Now}
}

// get returns a snapshot at most ttl old, loading one when needed.
func (sc *snapshotCache) get(ctx context.Context) (*snapshot, error) {
	sc.mu.Lock()
	if sc.cur != nil && sc.clock().Sub(sc.curAt) < sc.ttl {
		snap := sc.cur
		sc.mu.Unlock()
		return snap, nil
	}
	call := sc.inflight
	leader := call == nil
	if leader {
		call = &snapshotCall{done: make(chan struct{}), err: errLoadAborted}
		sc.inflight = call
	}
	sc.mu.Unlock()

	if leader {
		sc.lead(ctx, call)
		return call.snap, call.err
	}
	select {
	case <-call.done:
		return call.snap, call.err
	case <-ctx.Done():
		return nil, recruit.Internal(ctx.Err())
	}
}

// expire drops the cached snapshot, so that the next get loads one: a
// change made through this instance shows at once (other instances within
// ttl).
func (sc *snapshotCache) expire() {
	sc.mu.Lock()
	sc.cur = nil
	sc.mu.Unlock()
}

func (sc *snapshotCache) lead(ctx context.Context, call *snapshotCall) {
	defer func() {
		sc.mu.Lock()
		if call.err == nil {
			sc.cur, sc.curAt = call.snap, sc.clock()
		}
		sc.inflight = nil
		sc.mu.Unlock()
		close(call.done)
	}()
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	call.snap, call.err = sc.load(lctx)
}
