package review_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
	"zhupei/review"
)

// withProfile saves a basic section and one education record for the
// applicant of app.
func withProfile(t testing.TB, f *fixture, app recruit.Application, name, phone, school string) {
	t.Helper()
	_, err := f.Store.SaveProfile(context.Background(), recruit.Profile{IdentityID: app.IdentityID,
		Basic:     &recruit.Basic{Name: name, Phone: phone, PersonnelType: recruit.PersonnelSocial, BirthDate: "1996-05-01"},
		Education: []recruit.Education{{Level: recruit.EduBachelor, School: school, StartDate: "2014-09-01"}},
	}, recruit.Revision{Kind: "basic", Summary: "保存", By: "本人", At: app.SubmittedAt}, app.ID)
	if err != nil {
		t.Fatal(err)
	}
}

func ids(p review.Page) []int64 {
	out := make([]int64, len(p.Rows))
	for i, r := range p.Rows {
		out[i] = r.ID
	}
	return out
}

func TestListApplicationsRounds(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	early := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 5, 9))
	late := f.Apply(t, f.ProgA, false, testyear.Day(time.August, 2, 9)) // a round2 registration
	f.Apply(t, f.ProgB, false, testyear.Day(time.July, 6, 9))
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	for _, c := range []struct {
		round string
		want  []int64
	}{{"", []int64{early.ID, late.ID}}, {"round1", []int64{early.ID}}, {"round2", []int64{late.ID}}, {"adjustment", nil}} {
		p, err := f.svc.ListApplications(ctx, admin, review.Query{Round: c.round})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p); !slices.Equal(got, c.want) || p.Total != len(c.want) || p.Page != 1 || p.Size != recruit.DefaultQueuePage {
			t.Errorf("round %q: %v (total %d, page %d of %d), want %v", c.round, got, p.Total, p.Page, p.Size, c.want)
		}
	}
	disabled := admin
	disabled.Disabled = true
	_, err := f.svc.ListApplications(ctx, disabled, review.Query{})
	wantCode(t, "a disabled admin", err, recruit.EFORBIDDEN)
	_, err = f.svc.ListApplications(ctx, admin, review.Query{Keyword: string(make([]rune, review.MaxKeyword+1))})
	wantCode(t, "a keyword too long", err, recruit.EINVALID)
}

// benchApplicants is the size of the benchmarks' season.
const benchApplicants = 20_000

// BenchmarkQueue measures listApplications over 20,000 applications in the
// embedded store — the first page, a keyword search by name and one by the
// end of an ID number, as the province (all rows) — reporting p50 and p99
// of one call, and the export of all 20,000 rows with its peak heap.
//
//	go test -run '^$' -bench BenchmarkQueue -benchtime 200x ./review/
func BenchmarkQueue(b *testing.B) {
	ctx := context.Background()
	f := &fixture{Fixture: testyear.New(b, recruit.DefaultCalendar(testyear.Year))}
	f.svc = review.New(review.Deps{Store: f.Store, Now: func() time.Time { return testyear.Day(time.July, 12, 9) }})
	start := testyear.Day(time.July, 1, 8)
	for i := range benchApplicants {
		prog := f.ProgA
		if i%2 == 1 {
			prog = f.ProgB
		}
		app := f.Apply(b, prog, i%3 == 0, start.Add(time.Duration(i)*time.Second))
		withProfile(b, f, app, fmt.Sprintf("测试%05d", i), fmt.Sprintf("139%08d", 99_999_999-i), fmt.Sprintf("医学院%d", i%50))
	}
	prov := f.Staff(b, recruit.RoleProvince, 0)
	for _, c := range []struct {
		name string
		q    review.Query
		want int
	}{
		{"first-page", review.Query{}, benchApplicants},
		{"keyword-name", review.Query{Keyword: "测试1234"}, 10}, // 测试12340 … 测试12349
		{"keyword-id-suffix", review.Query{Keyword: "012345"}, 1},
		{"flagged", review.Query{Flagged: true}, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				p, err := f.svc.ListApplications(ctx, prov, c.q)
				times = append(times, time.Since(t0))
				if err != nil || p.Total != c.want {
					b.Fatalf("ListApplications %+v: total %d, %v; want %d", c.q, p.Total, err, c.want)
				}
			}
			reportPercentiles(b, times)
		})
	}
	b.Run("export", func(b *testing.B) {
		var peak uint64
		for b.Loop() {
			var w countingWriter
			p := trackHeap(func() {
				ex, err := f.svc.ExportApplications(ctx, prov, review.Query{}, &w)
				if err != nil || ex.Rows != benchApplicants {
					b.Fatalf("export: %d rows, %v", ex.Rows, err)
				}
			})
			peak = max(peak, p)
			b.ReportMetric(float64(w.n)/(1<<20), "file-MB")
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	})
}

// reportPercentiles reports the p50 and p99 of times in milliseconds.
func reportPercentiles(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	at := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// trackHeap runs fn and returns the peak of live heap objects above what
// was live before, sampled every millisecond.
func trackHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// countingWriter counts what it discards.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
