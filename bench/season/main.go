// Command season runs a whole recruitment season against a fresh zhupei
// server and checks its outcome exactly (`make season`).
//
// It builds zhupei (or takes -zhupei), starts it on a fresh data directory,
// where it creates the demo year (offers.require_acceptance on) with the
// sandbox WeChat, and drives it only through HTTP, as browsers, the
// sandbox WeChat and the staff mini-program do:
//
//   - staff: a province admin (invited with `zhupei staff-invite`), then a
//     base admin per base invited by the province and a reviewer per base
//     invited by the base admin (createInvitation), each logged in through
//     the sandbox's code2session (/api/v1/mp/login) and bound (/api/v1/mp/bind);
//   - registration: -applicants applicants log in through the sandbox
//     OAuth, bind a real name, fill the four sections with a photo, choose
//     a program (weighted by plan; most accept adjustment) and download the
//     PDF form;
//   - round1: the province moves the calendar (updateCalendar); each base's
//     reviewer lists its pending applications (listApplications) and
//     reviews them in bulk (reviewApplications): most approved, some
//     rejected with a remark; the rejected change specialty within the base
//     and are reviewed again; the base admin admits provisionally up to the
//     plan (admitProvisionally; one more is refused with 409), publishes
//     (publishList); the applicants accept or decline their offers
//     (answerOffer);
//   - round2 and adjustment: the province moves the calendar, the phase job
//     reopens every application without a seat; some applicants move to
//     programs with vacancies (in adjustment only those who accept it),
//     bases review, admit up to the vacancies, publish; offers are accepted
//     and declined, and in adjustment some are left unanswered: the
//     province moves the start of confirmation to shortly after the
//     admissions, which caps the offers' deadlines (recruit.OfferDeadline),
//     and the expire-offers job expires them;
//   - confirmation: every accepted offer is admitted (admitApplication) and
//     each base publishes its final list.
//
// Then it waits for the notification sender and checks exactly: each
// applicant's own view (state, offer, program, profile version) is what
// the simulation says; every notification the simulation expects was sent
// once through the sandbox (its log, by client_msg_id and notification id)
// and is in the applicant's inbox (/messages), and no other; the staff's
// subscribe messages by kind; the board's counts; and, after stopping the
// server, the store: every counter equals its recount, no program holds
// more than its plan and every application's state is the simulated one.
//
// It prints the time, requests and server CPU time of each stage and ends
// with the line
// `season: N applicants, M s, OK` or `season: N applicants, M s, FAILED:
// reason`, exiting 1 on failure. With -pprof DIR the server is built with
// the pprof tag (cmd/zhupei/pprof.go) and its CPU profile saved in DIR.
//
//	go run ./bench/season -applicants 2000
//
// SEASON_APPLICANTS sets the default of -applicants (20,000) and
// SEASON_MONGO_URI that of -mongo-uri: the server then runs on that
// Mongo-protocol store (which must hold no zhupei data yet); the value
// "ferret" starts the in-process FerretDB stand-in (store/mongo/ferret's
// FerretDB on SQLite, behind its funnel) for the run. With -instances N
// (Mongo only) N server processes share the store behind a balancer that
// sends each request to the next (no sticky sessions), and the checks are
// the same.
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// config holds the command line.
type config struct {
	applicants int
	workers    int
	mongoURI   string
	zhupei     string
	tick       time.Duration
	seed       uint64
	keep       bool
	pprof      string
	instances  int
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "season:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout); err != nil {
		os.Exit(1)
	}
}

// parseFlags reads the command line, with defaults from the environment;
// the flags' usage (for -h, or a flag it does not know) goes to usage.
func parseFlags(args []string, getenv func(string) string, usage io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("season", flag.ContinueOnError)
	fs.SetOutput(usage)
	n, err := strconv.Atoi(cmp.Or(getenv("SEASON_APPLICANTS"), "20000"))
	if err != nil {
		return cfg, fmt.Errorf("SEASON_APPLICANTS: %w", err)
	}
	fs.IntVar(&cfg.applicants, "applicants", n, "applicants to simulate ($SEASON_APPLICANTS sets the default)")
	fs.IntVar(&cfg.workers, "workers", 16, "applicants (and bases) acting in parallel")
	fs.StringVar(&cfg.mongoURI, "mongo-uri", getenv("SEASON_MONGO_URI"), "Mongo-protocol store for the server; \"ferret\": the in-process FerretDB stand-in ($SEASON_MONGO_URI sets the default; empty: the embedded store)")
	fs.StringVar(&cfg.zhupei, "zhupei", "", "the zhupei binary (default: go build ./cmd/zhupei)")
	fs.DurationVar(&cfg.tick, "tick", time.Minute, "the server's jobs.tick: the period of the reconciliation and relay jobs; the phase and offer-expiry jobs run every 5 s, or every -tick when shorter")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the simulated decisions")
	fs.IntVar(&cfg.instances, "instances", 1, "server processes on the one store (more than 1 needs -mongo-uri), behind a balancer without sticky sessions")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the data directory (its path is printed)")
	fs.StringVar(&cfg.pprof, "pprof", "", "build the server with its profiler and save its CPU profile in this directory, in slices named after their stage (go tool pprof -top DIR/registration-*.pprof)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.applicants < 1 || cfg.applicants > maxApplicants:
		return cfg, fmt.Errorf("-applicants must be 1 to %d", maxApplicants)
	case cfg.workers < 1:
		return cfg, errors.New("-workers must be at least 1")
	case cfg.tick < time.Second || cfg.tick > time.Minute:
		return cfg, errors.New("-tick must be 1s to 1m")
	case cfg.instances < 1 || cfg.instances > 1 && cfg.mongoURI == "":
		return cfg, errors.New("-instances must be at least 1, and more than 1 only with -mongo-uri")
	case cfg.pprof != "" && cfg.zhupei != "":
		return cfg, errors.New("-pprof builds the server: leave out -zhupei")
	}
	return cfg, nil
}

// boundaryTick is the server's default jobs.boundary_tick, the period of
// the phase and offer-expiry jobs.
const boundaryTick = 5 * time.Second

// boundary is the server's jobs.boundary_tick: the default, or -tick when
// shorter (the server wants it no longer than jobs.tick).
func (c config) boundary() time.Duration { return min(boundaryTick, c.tick) }

// run runs the season and prints its report; the error is the failure the
// last line names.
func run(cfg config, out io.Writer) error {
	start := time.Now()
	err := season(cfg, out)
	secs := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintf(out, "season: %d applicants, %.0f s, FAILED: %v\n", cfg.applicants, secs, err)
		return err
	}
	fmt.Fprintf(out, "season: %d applicants, %.0f s, OK\n", cfg.applicants, secs)
	return nil
}
