package wechat_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhupei/wechat"
	"zhupei/wechat/sandbox"
)

// The sandbox's follow page, which the home page's follow QR code opens: a
// new test user (created not following) follows, the callback gets a plain
// subscribe and the page shows the account's welcome reply; following
// again sends nothing.
func TestSandboxFollowPage(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	page, err := http.Get(e.cfg.SandboxURL + sandbox.FollowPath)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(html), "关注公众号") || strings.Contains(string(html), `name="follow"`) {
		t.Fatalf("follow page %d: %s", page.StatusCode, html)
	}
	follow := func(form url.Values) string {
		t.Helper()
		resp, err := http.PostForm(e.cfg.SandboxURL+sandbox.FollowPath, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "已关注公众号") {
			t.Fatalf("follow %v: %d %s", form, resp.StatusCode, b)
		}
		return string(b)
	}
	follow(url.Values{"nickname": {"郑十"}})
	u := e.sb.Users()[0]
	if ev := e.events.next(t); ev != (wechat.Event{Type: "subscribe", OpenID: u.OpenID}) {
		t.Fatalf("follow: %+v, want a plain subscribe of %s", ev, u.OpenID)
	}
	if !e.sb.Users()[0].Following {
		t.Error("the user does not follow after following")
	}
	if body := follow(url.Values{"openid": {u.OpenID}}); strings.Contains(body, "公众号回复") {
		t.Errorf("following again got a reply: %s", body)
	}
	follow(url.Values{"nickname": {"王一"}})
	if ev := e.events.next(t); ev.OpenID != e.sb.Users()[1].OpenID {
		t.Errorf("after following again the next event is %+v, want the second user's", ev)
	}
}
