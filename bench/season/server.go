package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"zhupei/internal/sim"
	"zhupei/internal/testlog"
	"zhupei/recruit"
	"zhupei/store"
)

// maxApplicants bounds -applicants: the generated ID numbers stay distinct.
const maxApplicants = sim.MaxApplicants

const (
	// startTimeout bounds the server's start-up, stopTimeout its shutdown.
	startTimeout = 5 * time.Minute // the FerretDB stand-in takes minutes to create the demo year
	stopTimeout  = 30 * time.Second
	// mongoDatabase is the server's database on a Mongo store (the
	// default of store.mongo_database).
	mongoDatabase = "zhupei"
)

// startupLine is what `zhupei serve` prints once it listens.
var startupLine = regexp.MustCompile(`(?m)^zhupei 已启动：(http://\S+)\n`)

// inviteLine is how `zhupei staff-invite` prints the code.
var inviteLine = regexp.MustCompile(`邀请码 (\S+)：`)

// server is the zhupei process of the season.
type server struct {
	bin, root string
	env       []string // the store's and the season's settings
	url       string
	cmd       *exec.Cmd
	exited    chan struct{}
	waitErr   error
	output    testlog.Buffer
}

// storeEnv is the environment that selects the store: the data directory
// and, when set, the Mongo URI.
func storeEnv(dataDir, mongoURI string) []string {
	env := []string{"ZHUPEI_DATA_DIR=" + dataDir}
	if mongoURI != "" {
		env = append(env, "ZHUPEI_STORE_MONGO_URI="+mongoURI)
	}
	return env
}

// startServer runs `zhupei serve` on a free loopback port with the sandbox
// WeChat, behind the season as the trusted proxy of its clients (their
// addresses in X-Forwarded-For), the timed jobs on cfg's periods (tick and
// boundary) and the notification sender's rate limit lifted to what the
// machine sends.
func startServer(bin, root string, storeEnv []string, cfg config, extra ...string) (*server, error) {
	s := &server{bin: bin, root: root, env: storeEnv, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Dir = root
	s.cmd.Env = append(os.Environ(),
		"ZHUPEI_HTTP_ADDR=127.0.0.1:0", "ZHUPEI_LOG_LEVEL=warn", "ZHUPEI_WECHAT_MODE=sandbox",
		"ZHUPEI_HTTP_PROXY_HEADER=X-Forwarded-For", "ZHUPEI_HTTP_TRUSTED_PROXIES=127.0.0.1",
		"ZHUPEI_JOBS_TICK="+cfg.tick.String(), "ZHUPEI_JOBS_BOUNDARY_TICK="+cfg.boundary().String(),
		"ZHUPEI_NOTIFY_INTERVAL=1s", "ZHUPEI_NOTIFY_RATE=1000", "ZHUPEI_NOTIFY_WORKERS=16")
	s.cmd.Env = append(append(s.cmd.Env, storeEnv...), extra...)
	s.cmd.Stdout, s.cmd.Stderr = &s.output, &s.output
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start zhupei: %w", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	deadline := time.After(startTimeout)
	for {
		if m := startupLine.FindStringSubmatch(s.output.String()); m != nil {
			s.url = strings.TrimSuffix(m[1], "/")
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("zhupei exited at start-up (%v):\n%s", s.waitErr, s.output.String())
		case <-deadline:
			_ = s.cmd.Process.Kill()
			<-s.exited
			return nil, fmt.Errorf("zhupei printed no start-up line within %s:\n%s", startTimeout, s.output.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends the server with SIGTERM and fails unless it exits cleanly in
// time.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return fmt.Errorf("zhupei exited during the season (%v)", s.waitErr)
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		if s.waitErr != nil {
			return fmt.Errorf("zhupei did not exit cleanly: %v", s.waitErr)
		}
		return nil
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("zhupei did not stop within %s of SIGTERM", stopTimeout)
	}
}

// kill ends a server that failed the season.
func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// invite runs `zhupei staff-invite` with args on the server's store and
// returns the code.
func (s *server) invite(args ...string) (string, error) {
	cmd := exec.Command(s.bin, append([]string{"staff-invite"}, args...)...)
	cmd.Dir = s.root
	cmd.Env = append(append(os.Environ(), "ZHUPEI_LOG_LEVEL=warn"), s.env...)
	out, err := cmd.CombinedOutput()
	m := inviteLine.FindSubmatch(out)
	if err != nil || m == nil {
		return "", fmt.Errorf("zhupei staff-invite %v: %v\n%s", args, err, out)
	}
	return string(m[1]), nil
}

// openStore opens the stopped server's store as the season's last check
// reads it. The key seals ID numbers and files, which the check does not
// read.
func openStore(ctx context.Context, dataDir, mongoURI string) (recruit.Store, error) {
	sealer, err := recruit.NewSealer("season-check-reads-no-sealed-data")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Config{DataDir: dataDir, MongoURI: mongoURI, MongoDatabase: mongoDatabase}, sealer)
	if err != nil {
		return nil, errors.Join(errors.New("open the store after the season"), err)
	}
	return st, nil
}
