package recruit

import "context"

// requestIDKey is the context key of the request id.
type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request it serves, so
// that services can name it in the audit log without knowing the transport.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, "" when there is none
// (a scheduled job, a command).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// clientKey is the context key of the client's address.
type clientKey struct{}

// WithClient returns ctx carrying the client's address as the transport
// established it (behind trusted proxies, the right-most untrusted hop):
// the key of per-address rate limits.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// Client returns the client address carried by ctx, "" when there is none.
func Client(ctx context.Context) string {
	addr, _ := ctx.Value(clientKey{}).(string)
	return addr
}
