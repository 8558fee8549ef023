package main

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"zhupei/store/mongo/ferret"
)

// ferretURI is the -mongo-uri that starts the in-process FerretDB stand-in.
const ferretURI = "ferret"

// startFerret runs the FerretDB stand-in on SQLite in dir behind its
// funnel (ferret.Serve: one command at a time, as MongoDB applies each
// single-document update atomically) and returns its stop function and
// the URI for zhupei, with a pool of one connection per process as the
// tests use it.
func startFerret(dir string) (stop func(), uri string, err error) {
	raw, stopDB, err := ferret.Run(dir)
	if err != nil {
		return nil, "", err
	}
	funneled, stopFunnel, err := ferret.Serve(raw)
	if err != nil {
		_ = stopDB()
		return nil, "", err
	}
	return func() { stopFunnel(); _ = stopDB() }, funneled + "?maxPoolSize=1", nil
}

// balancer spreads requests over the instances in turn, without sticky
// sessions; the sandbox's paths, the one WeChat platform, all go to the
// first instance, whose sandbox thus sees every call the instances make.
type balancer struct {
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	next     int
}

// add puts the instance at rawURL behind the balancer.
func (b *balancer) add(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = append(b.backends, httputil.NewSingleHostReverseProxy(u))
	return nil
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var p *httputil.ReverseProxy
	switch {
	case len(b.backends) == 0: // an instance starting calls WeChat before it is added
	case strings.HasPrefix(r.URL.Path, "/sandbox/"):
		p = b.backends[0]
	default:
		p = b.backends[b.next%len(b.backends)]
		b.next++
	}
	b.mu.Unlock()
	if p == nil {
		http.Error(w, "no instance yet", http.StatusServiceUnavailable)
		return
	}
	p.ServeHTTP(w, r)
}
