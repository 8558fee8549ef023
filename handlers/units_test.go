package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/internal/testclock"
	"zhupei/recruit"
)

func TestParseNotice(t *testing.T) {
	cases := []struct {
		name string
		text string
		want notice
	}{
		{"lines with intro", "请阅读：\r\n1. 甲。\r\n2、乙 7月1日--7月10日。\n3．丙\n  续行", notice{
			Intro: []string{"请阅读："},
			Items: []string{"甲。", "乙 7月1日--7月10日。", "丙\n  续行"},
		}},
		{"seed run-on line", "1. 拟报名人员可查看通知。 2. 报名时间为：2023年7月1日--7月10日。 3. 8月31日前，逐一点击录取。 10. 不连续", notice{
			Items: []string{"拟报名人员可查看通知。", "报名时间为：2023年7月1日--7月10日。", "8月31日前，逐一点击录取。 10. 不连续"},
		}},
		{"numbers inside text are not items", "共11.5万人报名。\n1.5倍\n第二段", notice{
			Intro: []string{"共11.5万人报名。", "1.5倍", "第二段"},
		}},
		{"empty", "", notice{}},
	}
	for _, c := range cases {
		if got := parseNotice(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestCalendarRows(t *testing.T) {
	cal := recruit.DefaultCalendar(2025)
	rows := calendarRows(cal, time.Date(2025, 8, 12, 9, 0, 0, 0, recruit.Shanghai))
	if len(rows) != 6 {
		t.Fatalf("%d rows", len(rows))
	}
	adj := rows[3]
	if adj.Label != "调剂阶段" || adj.From != "2025年8月11日" || adj.To != "2025年8月15日" || !adj.Current {
		t.Errorf("adjustment row = %+v", adj)
	}
	if last := rows[5]; last.To != "" || last.From != "2025年9月1日" || last.Current {
		t.Errorf("closed row = %+v", last)
	}
	if got := calendarRows(recruit.Calendar{}, time.Now())[0].From; got != "未设置" {
		t.Errorf("zero calendar shows %q", got)
	}
}

func TestNiceStep(t *testing.T) {
	for maxV, want := range map[int]int{0: 1, 5: 1, 6: 2, 10: 2, 11: 5, 25: 5, 26: 10, 99: 20, 1000: 200, 1001: 500} {
		if got := niceStep(maxV); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", maxV, got, want)
		}
	}
}

func TestLayoutChart(t *testing.T) {
	empty := layoutChart(publicChart, nil)
	if !empty.Empty || len(empty.Rows) != 0 || len(empty.Ticks) != 2 || empty.Height <= empty.Bottom {
		t.Errorf("empty chart = %+v", empty)
	}
	zeros := layoutChart(publicChart, []chartItem{{Label: "内科"}})
	if zeros.Empty || zeros.Rows[0].PlanW != 0 {
		t.Errorf("all-zero chart = %+v", zeros)
	}
	v := layoutChart(publicChart, []chartItem{{Label: "内科", Plan: 40, Registered: 10}, {Label: "山东第一医科大学第一附属医院", Plan: 5, Registered: 20}})
	// 40 → step 10, four ticks of 10: the axis ends at 40, the full plot width.
	if n := len(v.Ticks); n != 5 || v.Ticks[4].Value != 40 || v.Ticks[4].X != v.PlotX+v.PlotW {
		t.Errorf("ticks = %+v", v.Ticks)
	}
	if v.Rows[0].PlanW != v.PlotW || v.Rows[0].RegW != v.PlotW/4 {
		t.Errorf("bar widths = %d, %d", v.Rows[0].PlanW, v.Rows[0].RegW)
	}
	if v.Rows[1].Label != "山东第一医科大学…" || v.Rows[1].FullLabel != "山东第一医科大学第一附属医院" {
		t.Errorf("label = %q", v.Rows[1].Label)
	}
	if v.Rows[1].PlanY <= v.Rows[0].RegY {
		t.Errorf("rows overlap: %+v", v.Rows)
	}
}

func TestParseID(t *testing.T) {
	for raw, ok := range map[string]bool{
		"1": true, "9223372036854775807": true,
		"": false, "0": false, "01": false, "-1": false, "+1": false, "1e3": false, " 1": false,
		"9223372036854775808": false, "99999999999999999999": false,
	} {
		if _, got := parseID(raw); got != ok {
			t.Errorf("parseID(%q) ok = %v, want %v", raw, got, ok)
		}
	}
}

func TestSnapshotCacheSingleFlight(t *testing.T) {
	var loads atomic.Int32
	release := make(chan struct{})
	sc := newSnapshotCache(func(context.Context) (*snapshot, error) {
		loads.Add(1)
		<-release
		return &snapshot{}, nil
	}, time.Second)
	clock := testclock.New(time.Unix(1000, 0))
	sc.clock = clock.Now

	const n = 50
	var wg sync.WaitGroup
	results := make(chan *snapshot, n)
	for range n {
		wg.Go(func() {
			s, err := sc.get(context.Background())
			if err != nil {
				t.Error(err)
			}
			results <- s
		})
	}
	time.Sleep(50 * time.Millisecond) // let the burst pile up on the one load
	close(release)
	wg.Wait()
	close(results)
	first := <-results
	for s := range results {
		if s != first {
			t.Fatal("callers got different snapshots")
		}
	}
	if got := loads.Load(); got != 1 {
		t.Fatalf("%d loads for a burst, want 1", got)
	}

	clock.Add(999 * time.Millisecond)
	if s, _ := sc.get(context.Background()); s != first || loads.Load() != 1 {
		t.Error("fresh snapshot was reloaded")
	}
	clock.Add(time.Millisecond)
	if s, _ := sc.get(context.Background()); s == first || loads.Load() != 2 {
		t.Error("stale snapshot was not reloaded")
	}
}

func TestSnapshotCacheDoesNotKeepErrors(t *testing.T) {
	fail := errors.New("store down")
	var loads atomic.Int32
	sc := newSnapshotCache(func(context.Context) (*snapshot, error) {
		if loads.Add(1) == 1 {
			return nil, fail
		}
		return &snapshot{}, nil
	}, time.Minute)
	if _, err := sc.get(context.Background()); !errors.Is(err, fail) {
		t.Fatalf("first get: %v", err)
	}
	if s, err := sc.get(context.Background()); err != nil || s == nil {
		t.Fatalf("second get: %v", err)
	}
}

func TestSnapshotCacheSurvivesPanickingLoad(t *testing.T) {
	var loads atomic.Int32
	sc := newSnapshotCache(func(context.Context) (*snapshot, error) {
		if loads.Add(1) == 1 {
			panic("bug")
		}
		return &snapshot{}, nil
	}, time.Minute)
	func() {
		defer func() { _ = recover() }()
		_, _ = sc.get(context.Background())
	}()
	if s, err := sc.get(context.Background()); err != nil || s == nil {
		t.Fatalf("get after panic: %v", err)
	}
}

func TestProgramsJSONEncodedOncePerFilter(t *testing.T) {
	snap := &snapshot{Year: &recruit.Year{Year: 2025}, Programs: []recruit.Program{{ID: 7, BaseID: 1, SpecialtyCode: "0100", Plan: 2}}}
	a, err := snap.programsJSON(programFilter{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := snap.programsJSON(programFilter{})
	if &a[0] != &b[0] {
		t.Error("the same filter was encoded twice")
	}
	other, _ := snap.programsJSON(programFilter{BaseID: 2})
	var r programsResponse
	if err := json.Unmarshal(other, &r); err != nil || len(r.Programs) != 0 || r.Totals.Plan != 0 {
		t.Errorf("base 2 = %s (%v)", other, err)
	}
	if err := json.Unmarshal(a, &r); err != nil || len(r.Programs) != 1 || r.Totals.Plan != 2 {
		t.Errorf("all = %s (%v)", a, err)
	}
}
