//go:build pprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // the profiling handlers on http.DefaultServeMux
	"os"
)

// A binary built with -tags pprof (bench/season -pprof does) serves the
// Go profiler on ZHUPEI_PPROF_ADDR, a loopback address of its own. The
// normal build has no profiler.
func init() {
	addr := os.Getenv("ZHUPEI_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() { log.Println(http.ListenAndServe(addr, nil)) }()
}
