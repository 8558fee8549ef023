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
	// and the refused claim leaves that account free.
	_, err = f.svc.Bind(ctx, "acct-b", bindReq("丁一", number))
	wantError(t, "number window", err, recruit.EFORBIDDEN, "该证件号码30天内只能认证一次，下次可认证时间：2025年8月5日")
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
// refused by the number's window or the store's uniqueness.
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
		case recruit.EFORBIDDEN, recruit.ECONFLICT:
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
