package main

import (
	"fmt"
	"net/http"
)

// clientAddr is applicant i's address, one of 10.0.0.0/8: the service
// limits binding attempts per client address, and the tool stands for the
// reverse proxy in front of many clients (bench/surge.sh trusts loopback
// as that proxy).
func clientAddr(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
}

// forwardedFor sends every request as from addr through the proxy
// (X-Forwarded-For).
type forwardedFor struct {
	next http.RoundTripper
	addr string
}

func (f forwardedFor) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", f.addr)
	return f.next.RoundTrip(req)
}
