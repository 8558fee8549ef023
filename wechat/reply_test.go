package wechat_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/wechat"
)

// replier answers SCAN events whose scene starts with "reply-" and leaves
// the others to the queue.
type replier struct {
	*recorder
	calls atomic.Int32
}

func (r *replier) Reply(_ context.Context, ev wechat.Event) (string, error) {
	if ev.Type != "SCAN" || !strings.HasPrefix(ev.Key, "reply-") {
		return "", nil
	}
	r.calls.Add(1)
	return `请<a href="https://zp.example.cn/login/confirm?t=1">确认登录</a>`, nil
}

func TestCallbackPassiveReply(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	h := &replier{recorder: newRecorder()}
	cb := e.client.NewCallback(h, wechat.CallbackOptions{Workers: 1, Queue: 8})
	defer cb.Close()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	cb.Register(app)
	post := func(c callback) (int, string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, wechat.CallbackPath+"?"+c.query.Encode(), bytes.NewReader(c.body))
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// open decrypts a safe-mode reply with the reference implementation.
	open := func(body string) (to, from, content string) {
		t.Helper()
		var env struct{ Encrypt, MsgSignature, TimeStamp, Nonce string }
		if err := xml.Unmarshal([]byte(body), &env); err != nil || env.Encrypt == "" {
			t.Fatalf("reply %q is not an encrypted envelope: %v", body, err)
		}
		if refSign(testToken, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
			t.Fatal("reply signature does not verify")
		}
		plain, appID := refDecrypt(t, env.Encrypt)
		if appID != testAppID {
			t.Fatalf("reply sealed for %q", appID)
		}
		var msg struct{ ToUserName, FromUserName, MsgType, Content string }
		if err := xml.Unmarshal(plain, &msg); err != nil || msg.MsgType != "text" {
			t.Fatalf("reply %q: %v", plain, err)
		}
		return msg.ToUserName, msg.FromUserName, msg.Content
	}

	ev := scanEvent(t, true, "oReply1", "reply-7", time.Now())
	status, body := post(ev)
	if status != http.StatusOK {
		t.Fatalf("status %d %q", status, body)
	}
	// The envelope of WeChat's sample, byte for byte: a peer parsing
	// TimeStamp as a number must not meet a CDATA section.
	if !sampleEnvelope.MatchString(body) {
		t.Errorf("reply envelope %q is not shaped as WeChat's sample", body)
	}
	to, from, content := open(body)
	if to != "oReply1" || from != "gh_test" || !strings.Contains(content, `<a href="https://zp.example.cn/login/confirm?t=1">`) {
		t.Fatalf("reply to %q from %q: %q", to, from, content)
	}
	// WeChat's retry of the same event gets the same reply, without a
	// second call of the handler.
	status, body = post(ev)
	if _, _, again := open(body); status != http.StatusOK || again != content {
		t.Fatalf("retry: %d %q", status, again)
	}
	if n := h.calls.Load(); n != 1 {
		t.Fatalf("Reply called %d times, want 1", n)
	}
	// An event the handler does not answer goes to the queue as before.
	if status, body := post(scanEvent(t, true, "oReply2", "other", time.Now())); status != http.StatusOK || body != "success" {
		t.Fatalf("unanswered event: %d %q", status, body)
	}
	if got := h.next(t); got != (wechat.Event{Type: "SCAN", OpenID: "oReply2", Key: "other"}) {
		t.Fatalf("queued %+v", got)
	}
	if len(h.all()) != 1 {
		t.Fatalf("answered events reached the queue: %+v", h.all())
	}
}

func TestSandboxShowsReply(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	u := e.follower(t, "回复")
	reply := wechat.TextReply(u.OpenID, "gh_sandbox00001", time.Now(), `您好，<a href="https://zp.example.cn/x?a=1&amp;b=2">点此确认</a>。`)
	sealed, err := e.client.EncryptReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	text, err := e.sb.ReplyText(string(sealed))
	if err != nil || !strings.Contains(text, "点此确认") {
		t.Fatalf("ReplyText: %q %v", text, err)
	}
	if text, err := e.sb.ReplyText("success"); text != "" || err != nil {
		t.Fatalf("success: %q %v", text, err)
	}
	// A plain reply in safe mode is refused, as WeChat would.
	if _, err := e.sb.ReplyText(string(reply)); err == nil {
		t.Fatal("an unencrypted reply was accepted in safe mode")
	}
}

// sampleEnvelope is the encrypted reply of WeChat's published sample
// (<TimeStamp>1409304348</TimeStamp>, everything else in CDATA).
var sampleEnvelope = regexp.MustCompile(`^<xml><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]></Encrypt><MsgSignature><!\[CDATA\[[0-9a-f]{40}\]\]></MsgSignature><TimeStamp>[0-9]{10}</TimeStamp><Nonce><!\[CDATA\[[0-9a-f]+\]\]></Nonce></xml>$`)
