package wechat

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/silenceper/wechat/v2/util"
)

// sandboxHosts are the WeChat hosts the sandbox stands in for.
var sandboxHosts = map[string]bool{
	"api.weixin.qq.com":  true,
	"open.weixin.qq.com": true,
	"mp.weixin.qq.com":   true,
}

// rewriter sends requests for the WeChat hosts to the sandbox, keeping path
// and query; everything else passes through unchanged.
type rewriter struct {
	target *url.URL
	next   http.RoundTripper
}

func (rw rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sandboxHosts[req.URL.Hostname()] {
		return rw.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL = rw.rewrite(req.URL)
	out.Host = out.URL.Host
	return rw.next.RoundTrip(out)
}

// CloseIdleConnections closes the idle connections of the transport below.
func (rw rewriter) CloseIdleConnections() {
	if c, ok := rw.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// rewrite maps a WeChat URL onto the sandbox; other URLs are returned as is.
func (rw rewriter) rewrite(u *url.URL) *url.URL {
	if !sandboxHosts[u.Hostname()] {
		return u
	}
	out := *u
	out.Scheme = rw.target.Scheme
	out.Host = rw.target.Host
	out.Path = strings.TrimRight(rw.target.Path, "/") + u.Path
	out.RawPath = ""
	return &out
}

// installHTTP gives the SDK its HTTP client: one with a timeout, and in
// sandbox mode with the rewriting transport. The SDK keeps the client in a
// package variable (util.DefaultHTTPClient, the same pointer as
// http.DefaultClient until replaced), so this runs once per Client, at
// start-up, before any traffic; http.DefaultClient itself is never changed.
func installHTTP(cfg Config) (*http.Client, *rewriter, error) {
	client := &http.Client{Transport: http.DefaultTransport, Timeout: cfg.timeout()}
	var rw *rewriter
	if cfg.Mode == ModeSandbox {
		target, err := url.Parse(cfg.SandboxURL)
		if err != nil {
			return nil, nil, err
		}
		rw = &rewriter{target: target, next: http.DefaultTransport}
		client.Transport = *rw
	}
	util.DefaultHTTPClient = client
	return client, rw, nil
}
