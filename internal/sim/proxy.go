package sim

import (
	"fmt"
	"net/http"
)

// ClientAddr is applicant i's address, one of 10.0.0.0/8: the service
// limits binding attempts per client address, and a load tool stands for
// the reverse proxy in front of many clients (the server it drives trusts
// loopback as that proxy).
func ClientAddr(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
}

// ForwardedFor sends every request as from Addr through the proxy
// (X-Forwarded-For).
type ForwardedFor struct {
	Next http.RoundTripper
	Addr string
}

func (f ForwardedFor) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", f.Addr)
	return f.Next.RoundTrip(req)
}
