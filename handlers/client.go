package handlers

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// proxies decides which hops of a request are believed. Only the direct
// peer's address is a fact; X-Forwarded-* headers are claims, believed only
// when the peer is a configured proxy (Fiber's trusted-proxy check, always
// on: an empty list believes nobody, so a client's own X-Forwarded-Host or
// X-Forwarded-Proto never changes the host, the scheme or the Secure flag
// of cookies).
type proxies struct {
	header  string // the header listing the hops (X-Forwarded-For), "" for none
	trusted []netip.Prefix
}

// newProxies parses the trusted proxies (IPs or CIDRs; invalid entries,
// which the configuration refuses, are ignored).
func newProxies(header string, trusted []string) proxies {
	p := proxies{header: header}
	for _, t := range trusted {
		if pre, err := netip.ParsePrefix(t); err == nil {
			p.trusted = append(p.trusted, pre.Masked())
		} else if a, err := netip.ParseAddr(t); err == nil {
			p.trusted = append(p.trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return p
}

func (p proxies) trusts(a netip.Addr) bool {
	for _, pre := range p.trusted {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the client's address: the peer, or, when the peer is a
// trusted proxy, the right-most hop of the header that is not a trusted
// proxy (what the left of it says is the client's own claim). A hop that is
// not an address ends the walk at the last trusted hop.
func (p proxies) client(peer netip.Addr, hops []string) netip.Addr {
	peer = peer.Unmap()
	if p.header == "" || !p.trusts(peer) {
		return peer
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !p.trusts(a) {
			return a
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, or an address with
// a port ("1.2.3.4:5", "[::1]:5").
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// rateKey is the rate-limit key of an address: an IPv6 client is counted by
// its /64, which one subscriber normally holds whole.
func rateKey(a netip.Addr) string {
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// localClientIP is the c.Locals key of the client's address.
const localClientIP = "client_ip"

// clientIP returns the client's address as clientAddr found it.
func clientIP(c *fiber.Ctx) string {
	ip, _ := c.Locals(localClientIP).(string)
	return ip
}

// clientAddr is middleware: it puts the client's rate-limit key into the
// request's context (recruit.Client), for this package's limits and the
// mini-program's, and its address into the locals (clientIP).
func (p proxies) clientAddr(c *fiber.Ctx) error {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	var hops []string
	if p.header != "" {
		for _, v := range c.Request().Header.PeekAll(p.header) {
			hops = append(hops, strings.Split(string(v), ",")...)
		}
	}
	client := p.client(peer, hops)
	c.Locals(localClientIP, client.String())
	c.SetUserContext(recruit.WithClient(c.UserContext(), rateKey(client)))
	return c.Next()
}
