package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
)

// apiChoice is the body of POST /api/v1/me/choice choosing program without
// adjustment on version.
func apiChoice(program int64, version int) map[string]any {
	return map[string]any{"program_id": program, "accepts_adjustment": false, "app_version": version}
}

// Eight parallel choices posted from one page (one app_version) give one
// 200 and seven 409s, for a first choice and for a change.
func TestChoiceVersionRace(t *testing.T) {
	const racers = 8
	f := newFixture(t, true)
	m := f.newMember(t, 31)
	f.completeProfile(t, m.id)
	for _, version := range []int{0, 1} {
		statuses := make([]int, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				resp, _ := f.api(t, m, http.MethodPost, "/api/v1/me/choice", apiChoice([]int64{f.progA1, f.progA2}[i%2], version))
				statuses[i] = resp.StatusCode
			})
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
			default:
				t.Errorf("a racing choice on version %d answered %d, want 200 or 409", version, s)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d choices on version %d answered 200 (%v), want exactly 1", ok, racers, version, statuses)
		}
	}
	app, err := f.store.GetApplication(context.Background(), testYear, m.id)
	if err != nil || app.Version != 2 {
		t.Errorf("application after the races: version %d, %v; want version 2", app.Version, err)
	}
}

// A choice without accepts_adjustment (absent or null) is refused with a
// field message, and nothing is registered.
func TestChoiceNeedsAdjustmentAnswer(t *testing.T) {
	f := newFixture(t, true)
	m := f.newMember(t, 32)
	f.completeProfile(t, m.id)
	before := f.program(t, f.progA1).Registered
	for _, in := range []map[string]any{
		{"program_id": f.progA1, "app_version": 0},
		{"program_id": f.progA1, "app_version": 0, "accepts_adjustment": nil},
	} {
		resp, body := f.api(t, m, http.MethodPost, "/api/v1/me/choice", in)
		var e apiError
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error.Fields["accepts_adjustment"] != "请选择是否接受调剂" {
			t.Errorf("choice %v: %d %s, want 400 with a message for accepts_adjustment", in, resp.StatusCode, body)
		}
	}
	if got := f.program(t, f.progA1).Registered; got != before {
		t.Errorf("registered = %d after refused choices, want %d", got, before)
	}
}
