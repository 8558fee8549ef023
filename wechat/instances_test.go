package wechat_test

import (
	"sync"
	"testing"

	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// TestFirstTokenFetchedOnceByInstances starts two instances on a store
// without a token, as a first deployment or a flushed store has, and sends
// from both at once: one of them fetches the token, the other uses it.
func TestFirstTokenFetchedOnceByInstances(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.follower(t, "王五")
	clients := []*wechat.Client{e.client, e.newClient(t, e.cfg)}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = sendTo(e, clients[i%2], u.OpenID, "") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.Calls(sandbox.EndpointToken); n != 1 {
		t.Errorf("token fetched %d times by two instances starting together, want 1", n)
	}
	if got := len(e.sb.Messages(u.OpenID)); got != len(errs) {
		t.Errorf("%d messages recorded, want %d", got, len(errs))
	}
}
