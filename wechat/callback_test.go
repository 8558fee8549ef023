package wechat_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/wechat"
)

// The reference implementation below follows WeChat's published message
// encryption scheme and shares no code with package wechat.

func refSign(parts ...string) string {
	sorted := slices.Clone(parts)
	slices.Sort(sorted)
	return fmt.Sprintf("%x", sha1.Sum([]byte(strings.Join(sorted, ""))))
}

func refKey(t testing.TB) []byte {
	key, err := base64.StdEncoding.DecodeString(testAESKey + "=")
	if err != nil || len(key) != 32 {
		t.Fatalf("reference key: %v", err)
	}
	return key
}

func refEncrypt(t testing.TB, msg []byte) string {
	key := refKey(t)
	var buf bytes.Buffer
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	buf.Write(random)
	_ = binary.Write(&buf, binary.BigEndian, int32(len(msg)))
	buf.Write(msg)
	buf.WriteString(testAppID)
	n := 32 - buf.Len()%32
	for range n {
		buf.WriteByte(byte(n))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}

func refDecrypt(t testing.TB, enc string) (msg []byte, appID string) {
	key := refKey(t)
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw)%16 != 0 {
		t.Fatalf("reference decrypt: bad base64 or length: %v", err)
	}
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	plain = plain[:len(plain)-int(plain[len(plain)-1])]
	size := int(binary.BigEndian.Uint32(plain[16:20]))
	return plain[20 : 20+size], string(plain[20+size:])
}

// callback is one POST to /wechat/callback.
type callback struct {
	query url.Values
	body  []byte
}

// scanEvent builds a SCAN event as WeChat would send it; in safe mode the
// reference implementation encrypts and signs it.
func scanEvent(t testing.TB, safe bool, openID, scene string, at time.Time) callback {
	inner := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>"+
		"<EventKey><![CDATA[%s]]></EventKey><Ticket><![CDATA[tk]]></Ticket></xml>", openID, at.Unix(), scene)
	ts, nonce := strconv.FormatInt(at.Unix(), 10), strconv.FormatInt(at.UnixNano()%1e9, 10)
	q := url.Values{"signature": {refSign(testToken, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "openid": {openID}}
	if !safe {
		return callback{q, []byte(inner)}
	}
	enc := refEncrypt(t, []byte(inner))
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", refSign(testToken, ts, nonce, enc))
	return callback{q, []byte("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")}
}

func (e *env) post(t testing.TB, cb callback) (int, string) {
	t.Helper()
	resp, err := http.Post(e.cfg.BaseURL+wechat.CallbackPath+"?"+cb.query.Encode(), "text/xml", bytes.NewReader(cb.body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallbackAcceptsIndependentlyEncryptedEvent(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	status, body := e.post(t, scanEvent(t, true, "oUser1", "login-abc", time.Now()))
	if status != http.StatusOK || body != "success" {
		t.Fatalf("got %d %q, want 200 success", status, body)
	}
	if ev := e.events.next(t); ev != (wechat.Event{Type: "SCAN", OpenID: "oUser1", Key: "login-abc"}) {
		t.Fatalf("event %+v", ev)
	}
}

func TestEncryptReplyOpensWithReference(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	reply := []byte("<xml><ToUserName><![CDATA[oUser1]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>")
	out, err := e.client.EncryptReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	if err := xml.Unmarshal(out, &env); err != nil {
		t.Fatalf("reply envelope %s: %v", out, err)
	}
	if env.MsgSignature != refSign(testToken, env.TimeStamp, env.Nonce, env.Encrypt) {
		t.Fatal("reply msg_signature does not verify")
	}
	msg, appID := refDecrypt(t, env.Encrypt)
	if !bytes.Equal(msg, reply) || appID != testAppID {
		t.Fatalf("reply decrypts to %q for %q", msg, appID)
	}
	plain := newEnv(t, envOptions{})
	if out, err := plain.client.EncryptReply(reply); err != nil || !bytes.Equal(out, reply) {
		t.Fatalf("plain mode reply changed: %q, %v", out, err)
	}
}

func TestCallbackRefusesBadRequests(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	now := time.Now()
	good := func() callback { return scanEvent(t, true, "oUser2", "s", now) }
	with := func(k, v string) callback {
		c := good()
		c.query.Set(k, v)
		return c
	}
	without := func(k string) callback {
		c := good()
		c.query.Del(k)
		return c
	}
	garbage := func() callback {
		c := good()
		enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64))
		c.query.Set("msg_signature", refSign(testToken, c.query.Get("timestamp"), c.query.Get("nonce"), enc))
		c.body = []byte("<xml><Encrypt>" + enc + "</Encrypt></xml>")
		return c
	}
	for name, tc := range map[string]struct {
		req    callback
		status int
	}{
		"bad signature":     {with("signature", refSign("other", "1", "2")), http.StatusForbidden},
		"bad msg_signature": {with("msg_signature", refSign("x")), http.StatusForbidden},
		"no signature":      {without("signature"), http.StatusBadRequest},
		"not encrypted":     {without("encrypt_type"), http.StatusBadRequest},
		"malformed XML":     {callback{good().query, []byte("<xml><Encrypt>abc")}, http.StatusBadRequest},
		"not decryptable":   {garbage(), http.StatusBadRequest},
		"oversized":         {callback{good().query, bytes.Repeat([]byte("a"), 65<<10)}, http.StatusRequestEntityTooLarge},
		"stale":             {scanEvent(t, true, "oUser2", "s", now.Add(-time.Hour)), http.StatusForbidden},
	} {
		status, body := e.post(t, tc.req)
		if status != tc.status || body == "success" || body == "" {
			t.Errorf("%s: got %d %q, want %d with a message", name, status, body, tc.status)
		}
	}
	// A good event afterwards is the only one handled.
	if status, _ := e.post(t, scanEvent(t, true, "oUser3", "ok", now)); status != http.StatusOK {
		t.Fatalf("good event refused: %d", status)
	}
	e.events.next(t)
	time.Sleep(100 * time.Millisecond)
	if got := e.events.all(); len(got) != 1 || got[0].OpenID != "oUser3" {
		t.Fatalf("handler saw %+v, want only oUser3's event", got)
	}
}

func TestCallbackRetryProcessedOnce(t *testing.T) {
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprint("safe=", safe), func(t *testing.T) {
			e := newEnv(t, envOptions{safe: safe})
			ev := scanEvent(t, safe, "oUser4", "scene-4", time.Now())
			for range 3 { // WeChat retries up to three times
				if status, body := e.post(t, ev); status != http.StatusOK || body != "success" {
					t.Fatalf("got %d %q", status, body)
				}
			}
			e.events.next(t)
			time.Sleep(100 * time.Millisecond)
			if got := e.events.all(); len(got) != 1 {
				t.Fatalf("handled %d times, want once", len(got))
			}
		})
	}
}

func TestCallbackPlainModeRefusesMalformedXML(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := scanEvent(t, false, "oUser5", "s", time.Now())
	c.body = []byte("<xml><FromUserName>oUser5</From")
	if status, _ := e.post(t, c); status != http.StatusBadRequest {
		t.Fatalf("malformed XML: got %d, want 400", status)
	}
	time.Sleep(50 * time.Millisecond)
	if got := e.events.all(); len(got) != 0 {
		t.Fatalf("handler called with %+v", got)
	}
}

func TestCallbackVerifyEchostr(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"signature": {refSign(testToken, ts, "n1")}, "timestamp": {ts}, "nonce": {"n1"}, "echostr": {"7291654"}}
	get := func(q url.Values) (int, string) {
		resp, err := http.Get(e.cfg.BaseURL + wechat.CallbackPath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get(q); status != http.StatusOK || body != "7291654" {
		t.Fatalf("verification: got %d %q", status, body)
	}
	q.Set("nonce", "n2")
	if status, _ := get(q); status != http.StatusForbidden {
		t.Fatalf("wrong signature: got %d, want 403", status)
	}
}

func TestPhonePageScanDeliversScene(t *testing.T) {
	e := newEnv(t, envOptions{safe: true})
	qr, err := e.client.TempQR(t.Context(), "login-9c1d", 5*time.Minute)
	ticket := qr.Ticket
	if err != nil {
		t.Fatal(err)
	}
	page, err := http.Get(e.cfg.SandboxURL + "/phone?ticket=" + url.QueryEscape(ticket))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(html), "login-9c1d") || !strings.Contains(string(html), "扫一扫") {
		t.Fatalf("phone page %d: %s", page.StatusCode, html)
	}
	scan := func(form url.Values) {
		t.Helper()
		form.Set("ticket", ticket)
		resp, err := http.PostForm(e.cfg.SandboxURL+"/phone", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "success") {
			t.Fatalf("scan page %d: %s", resp.StatusCode, b)
		}
	}
	// A new user who does not follow yet: subscribe with the scene.
	scan(url.Values{"nickname": {"吴九"}})
	u := e.sb.Users()[0]
	if ev := e.events.next(t); ev != (wechat.Event{Type: "subscribe", OpenID: u.OpenID, Key: "login-9c1d"}) {
		t.Fatalf("first scan: %+v", ev)
	}
	// Now a follower: SCAN.
	scan(url.Values{"openid": {u.OpenID}})
	if ev := e.events.next(t); ev != (wechat.Event{Type: "SCAN", OpenID: u.OpenID, Key: "login-9c1d"}) {
		t.Fatalf("second scan: %+v", ev)
	}
}

// blockingHandler holds every SCAN until release is closed.
type blockingHandler struct {
	*recorder
	started chan struct{}
	release chan struct{}
}

func (b *blockingHandler) Scan(ctx context.Context, openID, scene string) error {
	b.started <- struct{}{}
	<-b.release
	return b.recorder.Scan(ctx, openID, scene)
}

func TestCallbackQueueFullAsksForRetry(t *testing.T) {
	e := newEnv(t, envOptions{})
	h := &blockingHandler{recorder: newRecorder(), started: make(chan struct{}, 8), release: make(chan struct{})}
	cb := e.client.NewCallback(h, wechat.CallbackOptions{Workers: 1, Queue: 1})
	app := fiber.New()
	cb.Register(app)
	post := func(c callback) int {
		resp, err := app.Test(httptest.NewRequest("POST", wechat.CallbackPath+"?"+c.query.Encode(), bytes.NewReader(c.body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()
	if post(scanEvent(t, false, "oQ1", "a", now)) != http.StatusOK {
		t.Fatal("first event refused")
	}
	<-h.started // the worker is busy with it
	if post(scanEvent(t, false, "oQ2", "b", now)) != http.StatusOK {
		t.Fatal("second event refused: the queue has room for one")
	}
	third := scanEvent(t, false, "oQ3", "c", now)
	if status := post(third); status != http.StatusServiceUnavailable {
		t.Fatalf("full queue: got %d, want 503 so that WeChat retries", status)
	}
	close(h.release)
	for range 2 {
		h.next(t)
	}
	// WeChat's retry of the refused event is taken, not dropped as a duplicate.
	if status := post(third); status != http.StatusOK {
		t.Fatalf("retry after a full queue: got %d", status)
	}
	if ev := h.next(t); ev.OpenID != "oQ3" {
		t.Fatalf("retried event %+v", ev)
	}
	cb.Close()
	if status := post(scanEvent(t, false, "oQ4", "d", now)); status != http.StatusServiceUnavailable {
		t.Fatalf("closed callback: got %d, want 503", status)
	}
}
