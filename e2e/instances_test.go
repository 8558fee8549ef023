package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zhupei/internal/sim"
	"zhupei/internal/testhttp"
	"zhupei/store/mongo/ferret"
	"zhupei/wechat/sandbox"
)

// balancer is a load balancer without sticky sessions: each request goes to
// the next instance in turn. The sandbox's paths stand for the one WeChat
// platform and all go to the first instance, whose sandbox thus sees every
// call the instances make.
type balancer struct {
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	next     int
}

// add puts the instance at rawURL behind the balancer.
func (b *balancer) add(t *testing.T, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = append(b.backends, httputil.NewSingleHostReverseProxy(u))
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	p := b.backends[0]
	if !strings.HasPrefix(r.URL.Path, "/sandbox/") {
		p = b.backends[b.next%len(b.backends)]
		b.next++
	}
	b.mu.Unlock()
	p.ServeHTTP(w, r)
}

// TestTwoInstancesOneStore runs two zhupei processes on one Mongo-protocol
// store behind a balancer that alternates between them, request by request:
// logins, binding, profiles with photos and choices work across them; a
// session of one works on the other and an upload made through either is
// readable from both; the WeChat access token is fetched once; each timed
// job runs once per tick (start-up runs included); each 报名成功 message is
// sent once; and the counters equal the applicants' choices and the recount.
func TestTwoInstancesOneStore(t *testing.T) {
	t.Parallel()
	const applicants = 6
	// One connection to the stand-in for both processes: see ferret.Funnel.
	uri := ferret.Funnel(t, demoFerret(t).URI())
	lb := &balancer{}
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)
	env := append(mongoEnv(uri), "ZHUPEI_WECHAT_BASE_URL="+front.URL, "ZHUPEI_NOTIFY_INTERVAL=1s")

	start := time.Now()
	a := startServer(t, env...)
	lb.add(t, a.URL)
	b := startServer(t, env...)
	lb.add(t, b.URL)

	people := registerApplicants(t, front.URL, applicants)
	programs := programIDs(readBoard(t, front.URL))
	photo, err := sim.PhotoJPEG()
	if err != nil {
		t.Fatal(err)
	}
	// All at once, on one program and then on another, through both
	// instances: their counter updates race on the same documents.
	for _, program := range programs[:2] {
		var wg sync.WaitGroup
		for i, p := range people {
			wg.Go(func() {
				if status, code := p.Choose(program, true); status != http.StatusOK {
					t.Errorf("applicant %d: choice %d %s", i, status, code)
				}
			})
		}
		wg.Wait()
	}
	const sent = 2 * applicants // 报名成功 for each submission and change
	for i, p := range people {
		// The session and the photo from each instance directly.
		for _, srv := range []*server{a, b} {
			resp, err := p.Client.Get(srv.URL + "/api/v1/me/profile")
			raw, err := sim.Expect("profile", resp, err, http.StatusOK)
			if err != nil {
				t.Fatalf("applicant %d on %s: %v", i, srv.URL, err)
			}
			var m struct {
				Profile struct {
					Basic struct {
						PhotoID string `json:"photo_id"`
					} `json:"basic"`
				} `json:"profile"`
			}
			if err := json.Unmarshal(raw, &m); err != nil || m.Profile.Basic.PhotoID == "" {
				t.Fatalf("applicant %d on %s: no photo in %.300s (%v)", i, srv.URL, raw, err)
			}
			resp, err = p.Client.Get(srv.URL + "/apply/files/" + m.Profile.Basic.PhotoID)
			got, err := sim.Expect("photo", resp, err, http.StatusOK)
			if err != nil || !bytes.Equal(got, photo) {
				t.Errorf("applicant %d: the photo from %s: %d bytes, %v", i, srv.URL, len(got), err)
			}
		}
	}

	// Each 报名成功 once: no notification twice in the log, nor sent again
	// (the template calls are the messages and the token check of Do).
	var got struct {
		Messages []struct {
			OpenID      string `json:"openid"`
			ClientMsgID string `json:"client_msg_id"`
		} `json:"messages"`
	}
	deadline := time.Now().Add(faultTimeout)
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for ; len(got.Messages) < sent && time.Now().Before(deadline); <-poll.C {
		_, _, raw := testhttp.Call(t, http.MethodGet, front.URL+"/sandbox/api/messages", "", nil)
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, m := range got.Messages {
		ids[m.ClientMsgID] = true
	}
	if len(got.Messages) != sent || len(ids) != sent {
		t.Errorf("%d messages, %d distinct notifications within %s; want %d of each", len(got.Messages), len(ids), faultTimeout, sent)
	}

	// One access token for both instances.
	_, _, raw := testhttp.Call(t, http.MethodGet, front.URL+"/sandbox/api/calls", "", nil)
	var calls struct {
		Calls map[string]int `json:"calls"`
	}
	if err := json.Unmarshal(raw, &calls); err != nil {
		t.Fatal(err)
	}
	if n := calls.Calls[sandbox.EndpointToken] + calls.Calls[sandbox.EndpointStableToken]; n != 1 {
		t.Errorf("%d access tokens fetched, want 1 (calls %v)", n, calls.Calls)
	}
	if n := calls.Calls[sandbox.EndpointTemplate]; n != sent {
		t.Errorf("%d template messages sent for %d notifications", n, sent)
	}

	// Each job once per tick: the start-up runs of both instances are one
	// run, each minute (the clean-up: hour) boundary since adds one; the
	// boundary jobs, every 5 s from each instance's start, hold their lease
	// until the next whole second 5 s on, so their runs are more than 4 s
	// apart. A failed run (the stand-in timing out on a loaded machine)
	// releases its lease at once, by design, so that the other instance
	// retries: what is bounded is the runs that succeeded.
	runs, failures := map[string]int{}, map[string]int{}
	for _, srv := range []*server{a, b} {
		for job, n := range jobMetric(t, srv.URL, "zhupei_job_runs_total") {
			runs[job] += n
		}
		for job, n := range jobMetric(t, srv.URL, "zhupei_job_failures_total") {
			failures[job] += n
		}
	}
	end := time.Now()
	minutes := int(end.Truncate(time.Minute).Sub(start.Truncate(time.Minute)) / time.Minute)
	hours := int(end.Add(-17*time.Minute).Truncate(time.Hour).Sub(start.Add(-17*time.Minute).Truncate(time.Hour)) / time.Hour)
	boundaries := int(end.Sub(start) / (4 * time.Second))
	for job, most := range map[string]int{"relay": 1 + minutes, "reconcile-counters": 1 + minutes, "clean-up": 1 + hours,
		"phase-transitions": 1 + boundaries, "expire-offers": 1 + boundaries} {
		if runs[job] < 1 || runs[job]-failures[job] > most {
			t.Errorf("job %s ran %d times on the two instances (%d failed), want 1 to %d that did not fail (%s to %s)", job, runs[job], failures[job], most, start.Format(time.TimeOnly), end.Format(time.TimeOnly))
		}
	}

	t.Logf("job runs %v, of which failed %v; WeChat calls %v", runs, failures, calls.Calls)
	b.stop(t)
	checkCounts(t, a, people, env...)
}

// jobMetric reads the counter name (zhupei_job_runs_total,
// zhupei_job_failures_total) by job from the instance's /metrics.
func jobMetric(t *testing.T, server, name string) map[string]int {
	t.Helper()
	status, _, raw := testhttp.Call(t, http.MethodGet, server+"/metrics", "", nil)
	if status != http.StatusOK {
		t.Fatalf("metrics of %s: %d", server, status)
	}
	runs := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+`{job="`)
		if !ok {
			continue
		}
		job, value, _ := strings.Cut(rest, `"} `)
		n, err := strconv.Atoi(value)
		if err != nil {
			t.Fatalf("metrics line %q", sc.Text())
		}
		runs[job] = n
	}
	return runs
}
