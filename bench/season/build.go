package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// moduleRoot is the zhupei module's directory, where the server runs (it
// reads config.yaml there, as with `make run`).
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(out))
	if err != nil || mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("cannot find the zhupei module (go env GOMOD: %q, %v): run from inside it", mod, err)
	}
	return filepath.Dir(mod), nil
}

// build builds ./cmd/zhupei of the module at root into dir, with the
// profiler (the pprof build tag) when profiled.
func build(root, dir string, profiled bool) (string, error) {
	bin := filepath.Join(dir, "zhupei")
	args := []string{"build", "-o", bin}
	if profiled {
		args = append(args, "-tags", "pprof")
	}
	cmd := exec.Command("go", append(args, "./cmd/zhupei")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/zhupei: %v\n%s", err, out)
	}
	return bin, nil
}
