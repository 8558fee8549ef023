package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
)

// TestShortSeason runs a season of 300 applicants against a fresh server
// on the embedded store, with the minute jobs every 2 s so that it ends in
// well under a minute: every stage and every check passes, offers were
// declined and at least one expired, and the report ends with the OK line.
func TestShortSeason(t *testing.T) {
	var out bytes.Buffer
	err := run(config{applicants: 300, workers: 8, tick: 2 * time.Second, seed: 1, instances: 1}, &out)
	t.Logf("season report:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^season: 300 applicants, [0-9]+ s, OK\n\z`).Match(out.Bytes()) {
		t.Error("the report does not end with the OK line")
	}
	for what, re := range map[string]string{
		"expired offers":  `([0-9]+) offers expired by the job`,
		"declined offers": `round1 .* ([0-9]+) declined`,
		"moves":           `round2 .* ([0-9]+) moved to a vacancy`,
	} {
		m := regexp.MustCompile(re).FindSubmatch(out.Bytes())
		if m == nil {
			t.Errorf("the report does not say how many %s", what)
			continue
		}
		if n, _ := strconv.Atoi(string(m[1])); n < 1 {
			t.Errorf("%d %s: the season did not exercise them", n, what)
		}
	}
}

// TestParseFlags takes the defaults from the environment and refuses bad
// values.
func TestParseFlags(t *testing.T) {
	env := map[string]string{"SEASON_APPLICANTS": "1234", "SEASON_MONGO_URI": "ferret"}
	cfg, err := parseFlags(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || cfg.applicants != 1234 || cfg.mongoURI != ferretURI || cfg.tick != time.Minute {
		t.Errorf("from the environment: %+v, %v", cfg, err)
	}
	if cfg, err := parseFlags(nil, func(string) string { return "" }, io.Discard); err != nil || cfg.applicants != 20000 || cfg.mongoURI != "" || cfg.boundary() != 5*time.Second {
		t.Errorf("defaults: %+v (boundary %s), %v", cfg, cfg.boundary(), err)
	}
	if cfg, err := parseFlags([]string{"-tick", "2s"}, func(string) string { return "" }, io.Discard); err != nil || cfg.boundary() != 2*time.Second {
		t.Errorf("-tick 2s: boundary %s, %v", cfg.boundary(), err)
	}
	for _, args := range [][]string{{"-applicants", "0"}, {"-workers", "0"}, {"-tick", "500ms"}, {"-tick", "2m"}, {"-instances", "2"}, {"-instances", "0"}, {"extra"}} {
		if _, err := parseFlags(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if _, err := parseFlags(nil, func(string) string { return "many" }, io.Discard); err == nil {
		t.Error("SEASON_APPLICANTS=many accepted")
	}
	var usage strings.Builder
	if _, err := parseFlags([]string{"-h"}, func(string) string { return "" }, &usage); !errors.Is(err, flag.ErrHelp) || !strings.Contains(usage.String(), "-applicants") || !strings.Contains(usage.String(), "-tick") {
		t.Errorf("-h: %v, usage %q", err, usage.String())
	}
}

// TestScalePlans scales plans to exactly the wanted total, in proportion.
func TestScalePlans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var progs []*program
		total := 0
		for i := range 1 + rng.IntN(400) {
			p := &program{Program: recruit.Program{ID: int64(i + 1), Plan: rng.IntN(70)}}
			progs = append(progs, p)
			total += p.Plan
		}
		if total == 0 {
			continue
		}
		want := rng.IntN(total + 1)
		got := scalePlans(progs, total, want)
		sum := 0
		for _, p := range progs {
			exact := float64(p.Plan) * float64(want) / float64(total)
			if n := float64(got[p]); n < exact-1 || n > exact+1 {
				t.Fatalf("plan %d scaled by %d/%d to %d", p.Plan, want, total, got[p])
			}
			sum += got[p]
		}
		if sum != want {
			t.Fatalf("scaled plans sum to %d, want %d", sum, want)
		}
	}
}
