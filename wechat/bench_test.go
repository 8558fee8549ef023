package wechat_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkCallbackSafeMode measures encrypted SCAN events through the fiber
// handler: signature and msg_signature checks, decryption, de-duplication in
// the SQLite store, queueing, and the handler receiving the event.
func BenchmarkCallbackSafeMode(b *testing.B) {
	e := newEnv(b, envOptions{safe: true})
	now := time.Now()
	reqs := make([]callback, b.N)
	for i := range reqs {
		reqs[i] = scanEvent(b, true, fmt.Sprintf("oBench%07d", i), "login-bench", now)
	}
	h := e.app.Handler()
	done := make(chan struct{})
	go func() { // the handler's side: every event must arrive
		defer close(done)
		for range b.N {
			select {
			case <-e.events.ch:
			case <-time.After(5 * time.Second):
				b.Error("an event did not reach the handler")
				return
			}
		}
	}()
	b.ResetTimer()
	for i := range b.N {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(fasthttp.MethodPost)
		ctx.Request.SetRequestURI("/wechat/callback?" + reqs[i].query.Encode())
		ctx.Request.SetBody(reqs[i].body)
		h(&ctx)
		if ctx.Response.StatusCode() != fasthttp.StatusOK || string(ctx.Response.Body()) != "success" {
			b.Fatalf("event %d: %d %s", i, ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
