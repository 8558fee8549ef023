package handlers

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"zhupei/recruit"
)

func TestAPIYear(t *testing.T) {
	f := newFixture(t, true)
	var y yearResponse
	f.getJSON(t, "/api/v1/year", http.StatusOK, &y)
	if y.Year != testYear || y.Phase != recruit.PhaseRegistration || y.PhaseLabel != "报名阶段" ||
		y.Notice != testNotice || !y.Calendar.Round1.Equal(recruit.DefaultCalendar(testYear).Round1) ||
		y.Title != "2025年度山东省住院医师规范化培训招录报名系统" {
		t.Errorf("year = %+v", y)
	}
}

func TestAPICatalogue(t *testing.T) {
	f := newFixture(t, true)
	var b struct{ Bases []recruit.Base }
	f.getJSON(t, "/api/v1/bases", http.StatusOK, &b)
	if len(b.Bases) != 2 || b.Bases[0].ID != f.baseA || b.Bases[0].Name != "甲医院" || b.Bases[1].City != "青岛" {
		t.Errorf("bases = %+v", b.Bases)
	}
	var s struct{ Specialties []recruit.Specialty }
	f.getJSON(t, "/api/v1/specialties", http.StatusOK, &s)
	if len(s.Specialties) != 2 || s.Specialties[0].Code != "0100" || s.Specialties[1].Name != "儿科" {
		t.Errorf("specialties = %+v", s.Specialties)
	}
}

func TestAPIPrograms(t *testing.T) {
	f := newFixture(t, true)
	var all programsResponse
	f.getJSON(t, "/api/v1/programs", http.StatusOK, &all)
	if all.Year != testYear || len(all.Programs) != 3 || all.Totals != (totals{18, 4, 1, 0}) || !all.UpdatedAt.Equal(testNow) {
		t.Fatalf("programs = %+v", all)
	}
	p := all.Programs[0]
	if p.ID != f.progA1 || p.Plan != 10 || p.Registered != 3 || p.Admitted != 1 || p.SpecialtyName != "内科" {
		t.Errorf("first program = %+v", p)
	}

	var one programsResponse
	f.getJSON(t, fmt.Sprintf("/api/v1/programs?base=%d&specialty=0100", f.baseB), http.StatusOK, &one)
	if len(one.Programs) != 1 || one.Programs[0].ID != f.progB1 || one.Totals != (totals{5, 1, 0, 0}) {
		t.Errorf("filtered = %+v", one)
	}
}

func TestAPIChart(t *testing.T) {
	f := newFixture(t, true)
	var bySpec chartResponse
	f.getJSON(t, "/api/v1/chart", http.StatusOK, &bySpec)
	want := []chartItem{{Key: "0100", Label: "内科", Plan: 15, Registered: 4}, {Key: "0200", Label: "儿科", Plan: 3}}
	if bySpec.By != "specialty" || fmt.Sprint(bySpec.Series) != fmt.Sprint(want) {
		t.Errorf("by specialty = %+v, want %+v", bySpec, want)
	}
	var byBase chartResponse
	f.getJSON(t, "/api/v1/chart?by=base", http.StatusOK, &byBase)
	want = []chartItem{
		{Key: fmt.Sprint(f.baseA), Label: "甲医院", Plan: 13, Registered: 3},
		{Key: fmt.Sprint(f.baseB), Label: "乙医院", Plan: 5, Registered: 1},
	}
	if fmt.Sprint(byBase.Series) != fmt.Sprint(want) {
		t.Errorf("by base = %+v, want %+v", byBase.Series, want)
	}
	var e apiError
	f.getJSON(t, "/api/v1/chart?by=%3Cscript%3E", http.StatusBadRequest, &e)
	if e.Error.Code != "invalid" || e.Error.Fields["by"] == "" {
		t.Errorf("bad by = %+v", e.Error)
	}
}

func TestAPIResult(t *testing.T) {
	f := newFixture(t, true)
	var r baseResult
	f.getJSON(t, fmt.Sprintf("/api/v1/results/%d", f.baseA), http.StatusOK, &r)
	if r.Base.Name != "甲医院" || r.Plan != 13 || r.Admitted != 1 || r.Published {
		t.Errorf("result = %+v", r)
	}
	var e apiError
	f.getJSON(t, "/api/v1/results/99999999999999999999", http.StatusBadRequest, &e)
	if e.Error.Code != "invalid" || e.Error.Message != "培训基地参数无效" {
		t.Errorf("overflow id = %+v", e.Error)
	}
	f.getJSON(t, "/api/v1/results/424242", http.StatusNotFound, &e)
	if e.Error.Code != "not_found" {
		t.Errorf("unknown id = %+v", e.Error)
	}
}

func TestAPISpec(t *testing.T) {
	f := newFixture(t, false)
	resp, body := f.do(t, http.MethodGet, "/api/v1/openapi.yaml")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "openapi: 3") {
		t.Fatalf("spec: %d %.50s", resp.StatusCode, body)
	}
	for _, path := range []string{"/year:", "/bases:", "/specialties:", "/programs:", "/chart:", "/results/{baseID}:"} {
		if !strings.Contains(body, "  "+path+"\n") {
			t.Errorf("spec does not document %s", path)
		}
	}
}

// BenchmarkBoardAPI measures the hot path of the registration surge: every
// open board polls /api/v1/programs. The plan has the province's size: 24
// bases × 30 specialties.
func BenchmarkBoardAPI(b *testing.B) {
	f := newFixture(b, true)
	var rows []recruit.PlanRow
	for base := range 24 {
		for spec := range 30 {
			rows = append(rows, recruit.PlanRow{
				Line: len(rows) + 1, BaseName: fmt.Sprintf("基地%02d", base), City: "济南",
				SpecialtyCode: fmt.Sprintf("%04d", (spec+1)*100), SpecialtyName: fmt.Sprintf("专业%02d", spec), Plan: 10,
			})
		}
	}
	if err := f.store.ImportPlan(context.Background(), testYear, rows); err != nil {
		b.Fatal(err)
	}
	for name, target := range map[string]string{"all": "/api/v1/programs", "specialty": "/api/v1/programs?specialty=0100"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if resp, _ := f.do(b, http.MethodGet, target); resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}

func TestAPIProgramsGzip(t *testing.T) {
	f := newFixture(t, true)
	_, plain := f.do(t, http.MethodGet, "/api/v1/programs")
	resp, zipped := f.do(t, http.MethodGet, "/api/v1/programs", "Accept-Encoding", "br, gzip;q=0.8")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers: %v", resp.Header)
	}
	r, err := gzip.NewReader(strings.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != plain {
		t.Fatalf("gunzipped body differs from the plain one (%v)", err)
	}
	if len(zipped) >= len(plain) {
		t.Errorf("gzip body %d bytes, plain %d", len(zipped), len(plain))
	}
	resp, body := f.do(t, http.MethodGet, "/api/v1/programs", "Accept-Encoding", "gzip;q=0, identity")
	if resp.Header.Get("Content-Encoding") != "" || body != plain {
		t.Errorf("gzip;q=0 got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0.5": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "br": false, "x-gzip2": false,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
