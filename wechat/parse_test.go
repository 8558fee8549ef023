package wechat

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

const fuzzKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// parseClients are a safe-mode and a plain-mode client built without New,
// which would touch the SDK's global HTTP client.
func parseClients(tb testing.TB, now time.Time) (safe, plain *Client) {
	c, err := NewCipher(fuzzKey, "wxfuzz")
	if err != nil {
		tb.Fatal(err)
	}
	cfg := Config{AppID: "wxfuzz", Token: "tok", AESKey: fuzzKey}
	clock := func() time.Time { return now }
	safe = &Client{cfg: cfg, cipher: c, now: clock}
	cfg.AESKey = ""
	plain = &Client{cfg: cfg, now: clock}
	return safe, plain
}

// signed returns the query of a request at now, with msg_signature over enc.
func signed(now time.Time, enc string) func(string) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"signature": {Signature("tok", ts, "n")}, "timestamp": {ts}, "nonce": {"n"},
		"encrypt_type": {"aes"}, "msg_signature": {Signature("tok", ts, "n", enc)}}
	return q.Get
}

func FuzzCallbackParse(f *testing.F) {
	f.Add([]byte("<xml><MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_x</EventKey><FromUserName>o1</FromUserName></xml>"), "AAAA")
	f.Add([]byte("<xml><Encrypt><![CDATA[]]></Encrypt>"), "not base64!")
	f.Add([]byte{0xff, '<', 0}, "AAAAAAAAAAAAAAAAAAAAAA==")
	now := time.Unix(1751680000, 0)
	safe, plain := parseClients(f, now)
	f.Fuzz(func(t *testing.T, body []byte, enc string) {
		check := func(m *inbound) {
			if m != nil {
				m.event()
				m.dedupeKey()
			}
		}
		// Arbitrary body, plain mode.
		m, _ := plain.parseCallback(signed(now, ""), body)
		check(m)
		// Arbitrary Encrypt element with a valid msg_signature: the decrypt path.
		env := []byte("<xml><Encrypt>" + CDATA(enc) + "</Encrypt></xml>")
		m, _ = safe.parseCallback(signed(now, enc), env)
		check(m)
		// Arbitrary plaintext, properly encrypted: the inner XML path.
		sealed, err := safe.cipher.Encrypt(body)
		if err != nil {
			t.Fatal(err)
		}
		env = []byte("<xml><Encrypt>" + CDATA(sealed) + "</Encrypt></xml>")
		m, _ = safe.parseCallback(signed(now, sealed), env)
		check(m)
		if got, err := safe.cipher.Decrypt(sealed); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("round trip: %q, %v", got, err)
		}
	})
}

func TestCipherRejectsOtherAppAndTampering(t *testing.T) {
	a, _ := NewCipher(fuzzKey, "wxA")
	b, _ := NewCipher(fuzzKey, "wxB")
	enc, err := a.Encrypt([]byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decrypt(enc); err == nil {
		t.Fatal("a message for wxA opened as wxB")
	}
	// CBC alone does not authenticate (msg_signature does); a garbled last
	// block breaks the padding or the appid.
	raw, _ := base64.StdEncoding.DecodeString(enc)
	raw[len(raw)-1] ^= 1
	if _, err := a.Decrypt(base64.StdEncoding.EncodeToString(raw)); err == nil {
		t.Fatal("tampered message opened")
	}
	if _, err := NewCipher("too-short", "wxA"); err == nil {
		t.Fatal("short EncodingAESKey accepted")
	}
}

func TestParseCallbackEvents(t *testing.T) {
	now := time.Unix(1751680000, 0)
	_, plain := parseClients(t, now)
	for body, want := range map[string]Event{
		"<xml><MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_abc</EventKey><FromUserName>o1</FromUserName></xml>": {Type: "subscribe", OpenID: "o1", Key: "abc"},
		"<xml><MsgType>event</MsgType><Event>subscribe</Event><FromUserName>o1</FromUserName></xml>":                                 {Type: "subscribe", OpenID: "o1"},
		"<xml><MsgType>event</MsgType><Event>unsubscribe</Event><FromUserName>o1</FromUserName></xml>":                               {Type: "unsubscribe", OpenID: "o1"},
		"<xml><MsgType>event</MsgType><Event>CLICK</Event><EventKey>K1</EventKey><FromUserName>o1</FromUserName></xml>":              {Type: "CLICK", OpenID: "o1", Key: "K1"},
		"<xml><MsgType>event</MsgType><Event>VIEW</Event><EventKey>https://x/y</EventKey><FromUserName>o1</FromUserName></xml>":      {Type: "VIEW", OpenID: "o1", Key: "https://x/y"},
		"<xml><MsgType>text</MsgType><Content>hi</Content><FromUserName>o1</FromUserName><MsgId>5</MsgId></xml>":                     {},
		"<xml><MsgType>event</MsgType><Event>LOCATION</Event><FromUserName>o1</FromUserName></xml>":                                  {},
	} {
		m, e := plain.parseCallback(signed(now, ""), []byte(body))
		if e != nil {
			t.Fatalf("%s: %v", body, e.msg)
		}
		if got, _ := m.event(); got != want {
			t.Errorf("%s: got %+v, want %+v", body, got, want)
		}
	}
	a := inbound{FromUserName: "o1", CreateTime: 1, Event: "SCAN", EventKey: "k"}
	b := a
	b.CreateTime = 2
	if a.dedupeKey() == b.dedupeKey() || (&inbound{MsgID: 9}).dedupeKey() == (&inbound{MsgID: 10}).dedupeKey() {
		t.Fatal("different messages share a de-duplication key")
	}
}

func TestKVCache(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kv.db"), storetest.Sealer())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Unix(1751680000, 0)
	c := NewKVCache(db, func() time.Time { return now })
	if c.Get("k") != nil || c.IsExist("k") {
		t.Fatal("empty cache has k")
	}
	if err := c.Set("k", "v", time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("k").(string); !ok || v != "v" || !c.IsExist("k") {
		t.Fatalf("Get = %#v", c.Get("k"))
	}
	if err := c.Set("n", 42, time.Minute); err == nil {
		t.Fatal("non-string value accepted")
	}
	now = now.Add(2 * time.Minute)
	if c.Get("k") != nil {
		t.Fatal("expired value returned")
	}
	_ = c.Set("k", "v2", 0)
	if err := c.Delete("k"); err != nil || c.IsExist("k") {
		t.Fatalf("Delete: %v", err)
	}
}
