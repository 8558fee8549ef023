package apply_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/apply"
	"zhupei/internal/testid"
	"zhupei/recruit"
	"zhupei/store/storetest"
)

func bindReq(name, number string) apply.BindRequest {
	return apply.BindRequest{Name: name, IDType: recruit.IDTypeResident, IDNumber: number}
}

func TestBindWindows(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	number := testid.Resident("37010219900307123")

	// Bound on day 0; the number is normalised.
	id, err := f.svc.Bind(ctx, "acct-a", bindReq(" 丁一 ", " "+strings.ToLower(number)+" "))
	if err != nil || id.Name != "丁一" || id.IDNumber != number {
		t.Fatalf("Bind: %+v %v", id, err)
	}
	st, err := f.svc.BindStatus(ctx, "acct-a")
	if err != nil || st.Identity == nil || st.Identity.ID != id.ID || !st.NextUnbind.IsZero() || !st.NextBind.IsZero() {
		t.Fatalf("BindStatus after binding: %+v %v", st, err)
	}
	_, err = f.svc.Bind(ctx, "acct-a", bindReq("丁一", number))
	wantError(t, "bind a bound account", err, recruit.ECONFLICT, "该微信账号已完成实名认证，如需更换请先解除认证")

	// Day 29: unbinding is allowed, binding again is not until day 30.
	f.clock.t = f.clock.t.Add(29 * 24 * time.Hour)
	if err := f.svc.Unbind(ctx, "acct-a"); err != nil {
		t.Fatalf("Unbind: %v", err)
	}
	_, err = f.svc.Bind(ctx, "acct-a", bindReq("丁一", number))
	wantError(t, "second bind", err, recruit.EFORBIDDEN, "30天内只能认证一次，下次可认证时间：2025年8月5日")
	st, _ = f.svc.BindStatus(ctx, "acct-a")
	if st.Identity != nil || recruit.ChineseDate(st.NextBind) != "2025年8月5日" {
		t.Errorf("BindStatus after unbinding: %+v", st)
	}
	// Another account cannot take the same number within 30 days either,
	// told so without a date, and the refused claim leaves that account
	// free.
	_, err = f.svc.Bind(ctx, "acct-b", bindReq("丁一", number))
	wantError(t, "number window", err, recruit.ECONFLICT, apply.MsgNumberTaken)
	if st, _ := f.svc.BindStatus(ctx, "acct-b"); !st.NextBind.IsZero() {
		t.Errorf("a refused bind locked the account until %v", st.NextBind)
	}

	// Day 30: binding again re-attaches the person; unbinding again within
	// 30 days of day 29 is refused.
	f.clock.t = f.clock.t.Add(24 * time.Hour)
	again, err := f.svc.Bind(ctx, "acct-a", bindReq("丁一", number))
	if err != nil || again.ID != id.ID {
		t.Fatalf("rebinding made identity %+v (%v), want id %d", again, err, id.ID)
	}
	err = f.svc.Unbind(ctx, "acct-a")
	wantError(t, "second unbind", err, recruit.EFORBIDDEN, "30天内只能解除认证一次，下次可解除认证时间：2025年9月3日")
	if st, _ := f.svc.BindStatus(ctx, "acct-a"); recruit.ChineseDate(st.NextUnbind) != "2025年9月3日" {
		t.Errorf("NextUnbind = %v", st.NextUnbind)
	}
	wantError(t, "unbind an unbound account", f.svc.Unbind(ctx, "acct-c"), recruit.EINVALID, "当前微信账号尚未实名认证")
}

func TestBindRefusals(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	number := testid.Resident("37010219900307123")
	cases := []struct {
		name  string
		req   apply.BindRequest
		field string
		msg   string
	}{
		{"no name", bindReq(" ", number), "name", "请填写姓名"},
		{"long name", bindReq(strings.Repeat("张", 51), number), "name", "姓名不能超过50个字"},
		{"digits in the name", bindReq("张3", number), "name", "姓名只能包含文字、空格和间隔号"},
		{"no ID type", apply.BindRequest{Name: "张三", IDNumber: number}, "id_type", "请选择证件类型"},
		{"bad check digit", bindReq("张三", number[:17]+"0"), "id_number", ""},
	}
	for _, tc := range cases {
		_, err := f.svc.Bind(ctx, "acct-"+tc.name, tc.req)
		wantError(t, tc.name, err, recruit.EINVALID, tc.msg)
		if re, ok := err.(*recruit.Error); !ok || re.Fields[tc.field] == "" {
			t.Errorf("%s: no message for %s in %v", tc.name, tc.field, err)
		}
	}
	// Transliterated names pass the name rule.
	for i, name := range []string{"买买提·艾力", "Anna-Lena O.", "张三"} {
		if _, err := f.svc.Bind(ctx, "acct-"+name, bindReq(name, testid.Resident(fmt.Sprintf("370102199003071%02d", i)))); err != nil {
			t.Errorf("name %q: %v", name, err)
		}
	}
}

// refusing is a verifier that refuses everyone and counts its calls.
type refusing struct {
	mu    sync.Mutex
	calls int
}

func (v *refusing) Confirms() bool { return true }

func (v *refusing) Verify(context.Context, string, string, string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	return recruit.Errorf(recruit.EINVALID, "实名核验未通过：姓名与证件号码不一致")
}

func TestBindAsksTheVerifierAndClaimsNothingOnRefusal(t *testing.T) {
	v := &refusing{}
	f := newFixture(t, v)
	ctx := context.Background()
	_, err := f.svc.Bind(ctx, "acct", bindReq("张3", testid.Resident("37010219900307123")))
	wantError(t, "bad name", err, recruit.EINVALID, "姓名只能包含文字、空格和间隔号")
	if v.calls != 0 {
		t.Errorf("the verifier was asked about a refused name")
	}
	_, err = f.svc.Bind(ctx, "acct", bindReq("张三", testid.Resident("37010219900307123")))
	wantError(t, "verifier", err, recruit.EINVALID, "实名核验未通过：姓名与证件号码不一致")
	if st, _ := f.svc.BindStatus(ctx, "acct"); st.Identity != nil || !st.NextBind.IsZero() {
		t.Errorf("a refused verification bound or locked the account: %+v", st)
	}
}

func TestBindAttemptLimit(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for range apply.BindTryLimit {
		_, err := f.svc.Bind(ctx, "acct", bindReq("己", "123"))
		wantError(t, "attempt", err, recruit.EINVALID, "")
	}
	number := testid.Resident("37010219900307123")
	_, err := f.svc.Bind(ctx, "acct", bindReq("己", number))
	wantError(t, "over the limit", err, recruit.ETOOMANY, "认证操作过于频繁，请1小时后再试")
	wantError(t, "unbind over the limit", f.svc.Unbind(ctx, "acct"), recruit.ETOOMANY, "")
	f.clock.t = f.clock.t.Add(time.Hour + time.Second)
	if _, err := f.svc.Bind(ctx, "acct", bindReq("己", number)); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

// Accounts racing to bind one number: exactly one wins, the others are
// refused by the number's window, the store's uniqueness or the number's
// attempt limit.
func TestBindSameNumberConcurrently(t *testing.T) {
	f := newFixture(t, nil)
	number := testid.Resident("37020219851111002")
	accounts := []string{"acct-1", "acct-2", "acct-3", "acct-4", "acct-5", "acct-6"}
	results := make(chan error, len(accounts))
	for _, acct := range accounts {
		go func() {
			_, err := f.svc.Bind(context.Background(), acct, bindReq("王五", number))
			results <- err
		}()
	}
	won := 0
	for range accounts {
		switch err := <-results; recruit.ErrorCode(err) {
		case "":
			won++
		case recruit.EFORBIDDEN, recruit.ECONFLICT, recruit.ETOOMANY:
		default:
			t.Errorf("bind: %v", err)
		}
	}
	bound := 0
	for _, acct := range accounts {
		if st, err := f.svc.BindStatus(context.Background(), acct); err == nil && st.Identity != nil {
			bound++
		}
	}
	if won != 1 || bound != 1 {
		t.Fatalf("%d binds won and %d accounts are bound, want exactly one", won, bound)
	}
}

func TestHTTPVerifier(t *testing.T) {
	var mu sync.Mutex
	var got map[string]string
	answer := `{"pass": true}`
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	v := apply.NewHTTPVerifier(srv.URL, time.Second, func() time.Time { return testNow })
	ctx := context.Background()
	number := testid.Resident("37010219900307123")
	set := func(s int, a string) {
		mu.Lock()
		defer mu.Unlock()
		status, answer = s, a
	}

	// The format check runs first: the provider is not asked.
	wantError(t, "bad format", v.Verify(ctx, "癸", recruit.IDTypeResident, "1234"), recruit.EINVALID, "")
	if got != nil {
		t.Fatal("the provider was asked about a malformed number")
	}
	set(http.StatusOK, `{"pass": false, "message": "姓名与身份证号码不匹配"}`)
	wantError(t, "provider refuses", v.Verify(ctx, "癸", recruit.IDTypeResident, number), recruit.EINVALID, "实名核验未通过：姓名与身份证号码不匹配")
	if got["name"] != "癸" || got["id_number"] != number || got["id_type"] != recruit.IDTypeResident {
		t.Fatalf("provider asked %v", got)
	}
	set(http.StatusOK, `{"pass": false, "message": "`+strings.Repeat("长", 300)+`"}`)
	err := v.Verify(ctx, "癸", recruit.IDTypeResident, number)
	if msg := recruit.ErrorMessage(err); msg != "实名核验未通过："+strings.Repeat("长", 100) {
		t.Errorf("a long refusal is shown as %d characters", len([]rune(msg)))
	}
	set(http.StatusOK, `{"pass": false}`)
	wantError(t, "refusal without a message", v.Verify(ctx, "癸", recruit.IDTypeResident, number), recruit.EINVALID, "实名核验未通过：姓名与证件号码不一致")
	for _, down := range []struct {
		status int
		answer string
	}{{http.StatusInternalServerError, "oops"}, {http.StatusOK, "not json"}, {http.StatusOK, `{"message": "no verdict"}`}} {
		set(down.status, down.answer)
		wantError(t, "provider down: "+down.answer, v.Verify(ctx, "癸", recruit.IDTypeResident, number), recruit.EUPSTREAM, "实名核验服务暂时不可用，请稍后重试")
	}
	set(http.StatusOK, `{"pass": true}`)
	if err := v.Verify(ctx, "癸", recruit.IDTypeResident, number); err != nil {
		t.Fatalf("provider passes: %v", err)
	}
}

// confirming is a provider's verifier that passes everyone.
type confirming struct{}

func (confirming) Verify(context.Context, string, string, string) error { return nil }
func (confirming) Confirms() bool                                       { return true }

// A number with a binding gets one answer whatever the name and whichever
// the reason, without a date; the refusals claim nothing, so the real
// owner can still re-attach the unbound identity.
func TestBindRegisteredNumberOneAnswer(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	number := testid.Resident("37010219900307123")
	owner, err := f.svc.Bind(ctx, "owner", bindReq("丁一", number))
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what, acct, name string) {
		t.Helper()
		_, err := f.svc.Bind(ctx, acct, apply.BindRequest{Name: name, IDType: recruit.IDTypeResident, IDNumber: number, Client: acct})
		wantError(t, what, err, recruit.ECONFLICT, apply.MsgNumberTaken)
		if st, _ := f.svc.BindStatus(ctx, acct); st.Identity != nil || !st.NextBind.IsZero() {
			t.Errorf("%s: the refusal bound or locked %s: %+v", what, acct, st)
		}
	}
	refused("bound, right name", "x1", "丁一")
	refused("bound, wrong name", "x2", "丁二")
	if strings.ContainsAny(apply.MsgNumberTaken, "年月日") {
		t.Errorf("the refusal gives a date: %s", apply.MsgNumberTaken)
	}
	for _, w := range []string{"其他微信账号", "省级管理员解除原绑定"} {
		if !strings.Contains(apply.MsgNumberTaken, w) {
			t.Errorf("the refusal does not say %q", w)
		}
	}

	// Unbound and past every window: a wrong name gets the same answer
	// (no name oracle); the owner then gets the old identity back.
	f.clock.t = f.clock.t.Add(24 * time.Hour)
	if err := f.svc.Unbind(ctx, "owner"); err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(31 * 24 * time.Hour)
	refused("unbound, wrong name", "x3", "丁二")
	again, err := f.svc.Bind(ctx, "owner-new", bindReq("丁一", number))
	if err != nil || again.ID != owner.ID {
		t.Fatalf("the owner re-attaching: %+v, %v; want identity %d", again, err, owner.ID)
	}
}

// With ConfirmReattach (live mode) an unbound identity comes back only when
// the verifier confirms the person: format and checksum are not enough.
func TestBindReattachNeedsConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verifier apply.Verifier
		reattach bool
	}{{"format only", nil, false}, {"provider", confirming{}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.verifier)
			f.svc = apply.New(apply.Deps{Store: f.store, Now: f.clock.now, Sealer: storetest.Sealer(),
				Verifier: tc.verifier, ConfirmReattach: true})
			ctx := context.Background()
			number := testid.Resident("37010219900307123")
			first, err := f.svc.Bind(ctx, "first", bindReq("丁一", number))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Unbind(ctx, "first"); err != nil {
				t.Fatal(err)
			}
			f.clock.t = f.clock.t.Add(31 * 24 * time.Hour)
			got, err := f.svc.Bind(ctx, "second", bindReq("丁一", number))
			if !tc.reattach {
				wantError(t, "re-attach", err, recruit.ECONFLICT, apply.MsgNumberTaken)
				return
			}
			if err != nil || got.ID != first.ID {
				t.Fatalf("re-attach: %+v, %v; want identity %d", got, err, first.ID)
			}
		})
	}
}

// Attempts are limited per ID number (from any account and address) and
// per client address (from any account).
func TestBindNumberAndAddressLimits(t *testing.T) {
	f := newFixture(t, &refusing{})
	ctx := context.Background()
	number := testid.Resident("37010219900307123")
	for i := range apply.BindNumberLimit {
		_, err := f.svc.Bind(ctx, fmt.Sprintf("n%d", i), apply.BindRequest{Name: "丁一", IDType: recruit.IDTypeResident, IDNumber: number, Client: fmt.Sprintf("10.0.0.%d", i)})
		wantError(t, "attempt on the number", err, recruit.EINVALID, "")
	}
	_, err := f.svc.Bind(ctx, "n-last", apply.BindRequest{Name: "丁一", IDType: recruit.IDTypeResident, IDNumber: number, Client: "10.0.1.1"})
	wantError(t, "over the number's limit", err, recruit.ETOOMANY, "该证件号码今日认证尝试次数过多，请24小时后再试")

	for i := range apply.BindAddrLimit {
		_, err := f.svc.Bind(ctx, fmt.Sprintf("a%d", i), apply.BindRequest{Name: "丁一", IDType: recruit.IDTypeResident,
			IDNumber: testid.Resident(fmt.Sprintf("37010219900307%03d", i)), Client: "192.0.2.1"})
		wantError(t, "attempt from the address", err, recruit.EINVALID, "")
	}
	_, err = f.svc.Bind(ctx, "a-last", apply.BindRequest{Name: "丁一", IDType: recruit.IDTypeResident,
		IDNumber: testid.Resident("37010219900307999"), Client: "192.0.2.1"})
	wantError(t, "over the address's limit", err, recruit.ETOOMANY, "当前网络的认证操作过于频繁，请1小时后再试")
	_, err = f.svc.Bind(ctx, "a-last", apply.BindRequest{Name: "丁一", IDType: recruit.IDTypeResident,
		IDNumber: testid.Resident("37010219900307999"), Client: "192.0.2.2"})
	wantError(t, "another address", err, recruit.EINVALID, "")
}

// TestBindStatusRebind checks what the confirmation of 解除认证 is told: the
// date of the next binding (30 days after the last one, for the account and
// the number) and whether it falls after the registration window.
func TestBindStatusRebind(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	number := testid.Resident("37010219900307123")
	if _, err := f.svc.Bind(ctx, "acct-a", bindReq("丁一", number)); err != nil {
		t.Fatal(err)
	}
	// The fixture's registration window ends the day after the clock.
	st, err := f.svc.BindStatus(ctx, "acct-a")
	r := st.Rebind
	if err != nil || !r.At.Equal(testNow.Add(30*24*time.Hour)) || !r.AfterWindow || r.WindowEnd.IsZero() ||
		!r.WindowLastDay.Before(r.WindowEnd) {
		t.Fatalf("Rebind in a short window: %+v %v", r, err)
	}

	// A window that ends in 40 days holds the next binding.
	long := recruit.Calendar{Registration: testNow.Add(-time.Hour), Round1: testNow.Add(40 * 24 * time.Hour)}
	long.Round2, long.Adjustment, long.Confirmation, long.Closed = long.Round1.Add(time.Hour), long.Round1.Add(2*time.Hour),
		long.Round1.Add(3*time.Hour), long.Round1.Add(4*time.Hour)
	if err := f.store.PutYear(ctx, recruit.Year{Year: testYear, Calendar: long}); err != nil {
		t.Fatal(err)
	}
	if st, err = f.svc.BindStatus(ctx, "acct-a"); err != nil || st.Rebind.AfterWindow || !st.Rebind.WindowEnd.Equal(long.Round1) {
		t.Fatalf("Rebind in a 40-day window: %+v %v", st.Rebind, err)
	}

	// Once the 30 days have passed, binding again is possible at once; when
	// no window is left, there is none to warn about.
	f.clock.t = f.clock.t.Add(31 * 24 * time.Hour)
	f.setPhase(t, recruit.PhaseClosed)
	if st, err = f.svc.BindStatus(ctx, "acct-a"); err != nil || !st.Rebind.At.Equal(f.clock.t) || st.Rebind.AfterWindow || !st.Rebind.WindowEnd.IsZero() {
		t.Fatalf("Rebind after 31 days, year closed: %+v %v", st.Rebind, err)
	}
	// Unbound, the account has nothing to rebind.
	if err := f.svc.Unbind(ctx, "acct-a"); err != nil {
		t.Fatal(err)
	}
	if st, _ = f.svc.BindStatus(ctx, "acct-a"); !st.Rebind.At.IsZero() {
		t.Errorf("Rebind of an unbound account: %+v", st.Rebind)
	}
}
