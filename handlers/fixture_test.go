package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"zhupei/apply"
	"zhupei/forms"
	"zhupei/internal/testlog"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// testYear and testNow put the fixture inside the registration phase.
const testYear = 2025

var testNow = time.Date(testYear, time.July, 5, 10, 0, 0, 0, recruit.Shanghai)

const testNotice = "请拟报名人员仔细阅读以下事项。\n" +
	"1. 拟报名人员可在各培训基地官网查看本年度招收通知。\n" +
	"2. 报名端口开放时间为：2025年7月1日--7月10日。\n" +
	"3. 已被拟录取人员请根据培训基地要求进行后续体检、报到等事宜。"

// fixture is an app over a real SQLite store.
type fixture struct {
	store *sqlite.DB
	app   *fiber.App
	reg   *prometheus.Registry
	logs  *testlog.Buffer
	// ids of the seeded data (zero when the store is empty)
	baseA, baseB           int64
	progA1, progA2, progB1 int64
}

// newFixture opens a fresh store; with seed it holds year 2025 with two bases:
// 甲医院 (内科 plan 10: 3 registered, 1 admitted; 儿科 plan 3) and 乙医院
// (内科 plan 5: 1 registered).
func newFixture(t testing.TB, seed bool) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), storetest.Sealer())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{store: db, reg: prometheus.NewRegistry(), logs: &testlog.Buffer{}}
	if seed {
		f.seed(t)
	}
	now := func() time.Time { return testNow }
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	f.app = New(Config{
		Store:    db,
		Apply:    apply.New(apply.Deps{Store: db, Now: now, Logger: log, Sealer: storetest.Sealer()}),
		Now:      now,
		Logger:   log,
		Registry: f.reg,
		Version:  "test",
		Forms:    newForms(db, nil, log),
	})
	return f
}

// newForms is the form service of the fixtures over db, rendering with r
// (nil: no font, as without pdf.font_path). Requests of app.Test go to
// example.com, the printed public URL.
func newForms(db recruit.Store, r forms.Renderer, log *slog.Logger) *forms.Service {
	return forms.New(forms.Deps{Store: db, Renderer: r, Now: func() time.Time { return testNow },
		PublicURL: "http://example.com", Logger: log})
}

func (f *fixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("PutYear", f.store.PutYear(ctx, recruit.Year{
		Year: testYear, Title: "2025年度山东省住院医师规范化培训招录报名系统",
		Notice: testNotice, Calendar: recruit.DefaultCalendar(testYear),
	}))
	must("ImportPlan", f.store.ImportPlan(ctx, testYear, []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 10},
		{Line: 2, BaseName: "甲医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 3},
		{Line: 3, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}))
	programs, err := f.store.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	must("ListPrograms", err)
	for _, p := range programs {
		switch {
		case p.BaseName == "甲医院" && p.SpecialtyCode == "0100":
			f.baseA, f.progA1 = p.BaseID, p.ID
		case p.BaseName == "甲医院":
			f.progA2 = p.ID
		default:
			f.baseB, f.progB1 = p.BaseID, p.ID
		}
	}
	choose := func(i int, program int64) recruit.Application {
		t.Helper()
		id, err := f.store.CreateIdentity(ctx, recruit.Identity{
			OpenID: fmt.Sprintf("openid-%d", i), Name: "测试", IDType: recruit.IDTypePassport,
			IDNumber: fmt.Sprintf("E%08d", i), BoundAt: testNow,
		})
		must("CreateIdentity", err)
		app, err := f.store.SubmitChoice(ctx, id.ID, testYear, 0, recruit.Choice{ProgramID: program}, testNow, nil)
		must("SubmitChoice", err)
		return app
	}
	admitted := choose(1, f.progA1)
	choose(2, f.progA1)
	choose(3, f.progA1)
	choose(4, f.progB1)
	_, err = f.store.Review(ctx, admitted.ID, recruit.StateApproved, "", testNow, nil)
	must("Review", err)
	_, err = f.store.ProvisionallyAdmit(ctx, admitted.ID, testNow, nil)
	must("ProvisionallyAdmit", err)
}

// do sends a request through app.Test and returns the response and body.
func (f *fixture) do(t testing.TB, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, string(body)
}

// get requests target and fails unless the status is want.
func (f *fixture) get(t testing.TB, target string, want int) string {
	t.Helper()
	resp, body := f.do(t, http.MethodGet, target)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d; body: %.300s", target, resp.StatusCode, want, body)
	}
	return body
}

// getJSON requests target, checks the status and decodes the body into v.
func (f *fixture) getJSON(t testing.TB, target string, want int, v any) {
	t.Helper()
	body := f.get(t, target, want)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: decode %q: %v", target, body, err)
	}
}

// wantContains fails unless body contains every one of subs.
func wantContains(t testing.TB, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: missing %q", what, s)
		}
	}
}

// wantMissing fails if body contains any of subs.
func wantMissing(t testing.TB, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s: unexpected %q", what, s)
		}
	}
}
