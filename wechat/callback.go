package wechat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// CallbackPath is where WeChat delivers messages and events.
const CallbackPath = "/wechat/callback"

// Callback limits.
const (
	maxCallbackBody = 64 << 10         // larger bodies are refused
	maxClockSkew    = 5 * time.Minute  // older or future timestamps are refused
	dedupeTTL       = 10 * time.Minute // longer than maxClockSkew and WeChat's retries
	eventTimeout    = 30 * time.Second // per event, in the worker
)

// EventHandler receives callback events on a worker goroutine, after the
// callback has answered WeChat. scene is the QR code's scene string (the
// "qrscene_" prefix of subscribe events removed; "" for a plain follow).
type EventHandler interface {
	Subscribe(ctx context.Context, openID, scene string) error
	Unsubscribe(ctx context.Context, openID string) error
	Scan(ctx context.Context, openID, scene string) error
	Click(ctx context.Context, openID, key string) error
	View(ctx context.Context, openID, url string) error
}

// DeliveryReporter is an optional interface of an EventHandler for the
// TEMPLATESENDJOBFINISH event: WeChat's late report on the template message
// msgID, status "success", "failed:user block" or "failed: system failed".
// Without it these events are dropped.
type DeliveryReporter interface {
	TemplateFinished(ctx context.Context, msgID int64, status string) error
}

// Replier is an optional interface of an EventHandler for events that the
// user must see answered at once, such as a link to confirm a login after
// scanning a QR code. Reply runs inside the callback request (WeChat waits
// at most 5 seconds), so it must be quick; it must also be safe to run for
// an event once only, as the callback de-duplicates before calling it. A
// non-empty text is sent as a passive text reply (encrypted in safe mode),
// and the event is then not handed to the worker queue; "" leaves the event
// to the queue as usual.
type Replier interface {
	Reply(ctx context.Context, ev Event) (string, error)
}

// Event is one event taken from a callback.
type Event struct {
	Type   string // subscribe, unsubscribe, SCAN, CLICK, VIEW or TEMPLATESENDJOBFINISH
	OpenID string
	Key    string // scene for subscribe/SCAN, key for CLICK, URL for VIEW, status for TEMPLATESENDJOBFINISH
	MsgID  int64  // the template message reported on (TEMPLATESENDJOBFINISH)
}

// EventJobFinish is the type of WeChat's template delivery reports.
const EventJobFinish = "TEMPLATESENDJOBFINISH"

// CallbackOptions sizes the worker queue; zero values take the defaults.
type CallbackOptions struct {
	Workers int          // default 4
	Queue   int          // default 1024
	Log     *slog.Logger // default slog.Default()
}

// Callback serves CallbackPath: GET answers WeChat's URL verification, POST
// takes messages. Create it with Client.NewCallback and Close it on
// shutdown.
type Callback struct {
	c     *Client
	h     EventHandler
	log   *slog.Logger
	queue chan Event
	wg    sync.WaitGroup

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
}

// NewCallback starts the workers that hand events to h.
func (c *Client) NewCallback(h EventHandler, opts CallbackOptions) *Callback {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	cb := &Callback{c: c, h: h, log: opts.Log, queue: make(chan Event, opts.Queue)}
	cb.wg.Add(opts.Workers)
	for range opts.Workers {
		go cb.work()
	}
	return cb
}

// Register adds the GET and POST routes of CallbackPath to r.
func (cb *Callback) Register(r fiber.Router) {
	r.Get(CallbackPath, cb.Verify)
	r.Post(CallbackPath, cb.Receive)
}

// Close stops taking events, lets the workers finish the queued ones and
// waits for them.
func (cb *Callback) Close() {
	cb.mu.Lock()
	if !cb.closed {
		cb.closed = true
		close(cb.queue)
	}
	cb.mu.Unlock()
	cb.wg.Wait()
}

// Verify answers the server-address check: echostr back when the signature
// is right.
func (cb *Callback) Verify(c *fiber.Ctx) error {
	q := func(k string) string { return c.Query(k) }
	if e := cb.c.checkSignature(q); e != nil {
		return reject(c, e)
	}
	echo := c.Query("echostr")
	if echo == "" {
		return reject(c, &callbackError{http.StatusBadRequest, "缺少 echostr 参数"})
	}
	return c.Type("txt").SendString(echo)
}

// Receive takes one message: it verifies and decrypts it, drops WeChat's
// retries of a message already taken, queues the event and answers
// "success" without waiting for it to be handled — or, when the handler is
// a Replier with an answer, answers with that passive reply.
func (cb *Callback) Receive(c *fiber.Ctx) error {
	msg, e := cb.c.parseCallback(func(k string) string { return c.Query(k) }, c.Body())
	if e != nil {
		return reject(c, e)
	}
	ev, ok := msg.event()
	if !ok {
		return c.Type("txt").SendString("success")
	}
	ctx := c.UserContext()
	key := msg.dedupeKey()
	won, err := cb.c.kv.AddKV(ctx, key, "1", dedupeTTL, cb.c.now())
	if err != nil {
		cb.log.Error("wechat callback: de-duplication failed", "err", err)
		return reject(c, &callbackError{http.StatusServiceUnavailable, "服务暂时不可用，请稍后重试"})
	}
	if !won {
		// A retry: give the passive reply again if the first delivery got one.
		if v, err := cb.c.kv.GetKV(ctx, key, cb.c.now()); err == nil && strings.HasPrefix(v, replyMark) {
			return cb.sendReply(c, msg, strings.TrimPrefix(v, replyMark))
		}
		return c.Type("txt").SendString("success")
	}
	if r, ok := cb.h.(Replier); ok {
		text, err := r.Reply(ctx, ev)
		if err != nil {
			cb.log.Error("wechat callback: reply failed", "event", ev.Type, "err", err)
			_ = cb.c.kv.DeleteKV(context.WithoutCancel(ctx), key)
			return reject(c, &callbackError{http.StatusServiceUnavailable, "服务暂时不可用，请稍后重试"})
		}
		if text != "" {
			if err := cb.c.kv.SetKV(ctx, key, replyMark+text, dedupeTTL, cb.c.now()); err != nil {
				cb.log.Error("wechat callback: keeping the reply failed", "err", err)
			}
			return cb.sendReply(c, msg, text)
		}
	}
	if !cb.enqueue(ev) {
		// Forget the message so that WeChat's retry is taken.
		_ = cb.c.kv.DeleteKV(context.WithoutCancel(ctx), key)
		return reject(c, &callbackError{http.StatusServiceUnavailable, "服务繁忙，请稍后重试"})
	}
	return c.Type("txt").SendString("success")
}

// replyMark prefixes a de-duplication record that holds the passive reply
// given to the first delivery.
const replyMark = "reply:"

// sendReply answers msg with a passive text message, encrypted in safe mode.
func (cb *Callback) sendReply(c *fiber.Ctx, msg *inbound, text string) error {
	body, err := cb.c.EncryptReply(TextReply(msg.FromUserName, msg.ToUserName, cb.c.now(), text))
	if err != nil {
		cb.log.Error("wechat callback: encrypting the reply failed", "err", err)
		return c.Type("txt").SendString("success")
	}
	return c.Type("xml").Send(body)
}

// TextReply is the XML of a passive text reply from the account from to
// the user to.
func TextReply(to, from string, now time.Time, content string) []byte {
	var b strings.Builder
	b.WriteString("<xml><ToUserName>")
	b.WriteString(CDATA(to))
	b.WriteString("</ToUserName><FromUserName>")
	b.WriteString(CDATA(from))
	b.WriteString("</FromUserName><CreateTime>")
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString("</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>")
	b.WriteString(CDATA(content))
	b.WriteString("</Content></xml>")
	return []byte(b.String())
}

func (cb *Callback) enqueue(ev Event) bool {
	cb.mu.RLock()
	defer cb.mu.RUnlock()
	if cb.closed {
		return false
	}
	select {
	case cb.queue <- ev:
		return true
	default:
		return false
	}
}

func (cb *Callback) work() {
	defer cb.wg.Done()
	for ev := range cb.queue {
		ctx, cancel := context.WithTimeout(context.Background(), eventTimeout)
		if err := cb.dispatch(ctx, ev); err != nil {
			// The openid is not logged: it identifies a person.
			cb.log.Error("wechat callback: event handler failed", "event", ev.Type, "err", err)
		}
		cancel()
	}
}

func (cb *Callback) dispatch(ctx context.Context, ev Event) error {
	switch ev.Type {
	case "subscribe":
		return cb.h.Subscribe(ctx, ev.OpenID, ev.Key)
	case "unsubscribe":
		return cb.h.Unsubscribe(ctx, ev.OpenID)
	case "SCAN":
		return cb.h.Scan(ctx, ev.OpenID, ev.Key)
	case "CLICK":
		return cb.h.Click(ctx, ev.OpenID, ev.Key)
	case EventJobFinish:
		if r, ok := cb.h.(DeliveryReporter); ok {
			return r.TemplateFinished(ctx, ev.MsgID, ev.Key)
		}
		return nil
	default: // VIEW; event() lets nothing else through
		return cb.h.View(ctx, ev.OpenID, ev.Key)
	}
}

// callbackError is a refusal: an HTTP status and a Chinese message.
type callbackError struct {
	status int
	msg    string
}

func reject(c *fiber.Ctx, e *callbackError) error {
	return c.Status(e.status).Type("txt").SendString(e.msg)
}

// inbound is a message as WeChat posts it (plain mode) or as the Encrypt
// element decrypts (safe mode).
type inbound struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	MsgID        int64    `xml:"MsgId"`
	JobMsgID     int64    `xml:"MsgID"` // TEMPLATESENDJOBFINISH spells it so
	Status       string   `xml:"Status"`
	Encrypt      string   `xml:"Encrypt"`
}

// event returns the event to hand over, false for anything else (text
// messages, events this service does not use).
func (m *inbound) event() (Event, bool) {
	if !strings.EqualFold(m.MsgType, "event") || m.FromUserName == "" {
		return Event{}, false
	}
	ev := Event{OpenID: m.FromUserName, Key: m.EventKey}
	switch strings.ToLower(m.Event) {
	case "subscribe":
		ev.Type = "subscribe"
		ev.Key = strings.TrimPrefix(m.EventKey, "qrscene_")
	case "unsubscribe":
		ev.Type, ev.Key = "unsubscribe", ""
	case "scan":
		ev.Type = "SCAN"
	case "click":
		ev.Type = "CLICK"
	case "view":
		ev.Type = "VIEW"
	case "templatesendjobfinish":
		ev.Type, ev.Key, ev.MsgID = EventJobFinish, m.Status, m.JobMsgID
	default:
		return Event{}, false
	}
	return ev, true
}

// dedupeKey identifies a message across WeChat's retries: MsgId, or for
// events the sender, time, event and key. It is hashed to keep personal
// identifiers out of the store's keys.
func (m *inbound) dedupeKey() string {
	id := "msg\x00" + strconv.FormatInt(m.MsgID, 10)
	if m.MsgID == 0 {
		id = strings.Join([]string{"ev", m.FromUserName, strconv.FormatInt(m.CreateTime, 10), m.Event, m.EventKey, strconv.FormatInt(m.JobMsgID, 10)}, "\x00")
	}
	sum := sha256.Sum256([]byte(id))
	return kvPrefix + "callback:" + hex.EncodeToString(sum[:16])
}

// checkSignature verifies signature, timestamp and nonce of a request.
func (c *Client) checkSignature(q func(string) string) *callbackError {
	sig, ts, nonce := q("signature"), q("timestamp"), q("nonce")
	if sig == "" || ts == "" || nonce == "" {
		return &callbackError{http.StatusBadRequest, "缺少签名参数"}
	}
	if !validSignature(sig, c.cfg.Token, ts, nonce) {
		return &callbackError{http.StatusForbidden, "签名校验失败"}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return &callbackError{http.StatusBadRequest, "时间戳格式错误"}
	}
	if d := c.now().Sub(time.Unix(sec, 0)); d > maxClockSkew || d < -maxClockSkew {
		return &callbackError{http.StatusForbidden, "消息时间戳已过期"}
	}
	return nil
}

// parseCallback verifies and decodes a POSTed message: signature, then in
// safe mode msg_signature and decryption, then the XML.
func (c *Client) parseCallback(q func(string) string, body []byte) (*inbound, *callbackError) {
	if len(body) > maxCallbackBody {
		return nil, &callbackError{http.StatusRequestEntityTooLarge, "消息体过大"}
	}
	if e := c.checkSignature(q); e != nil {
		return nil, e
	}
	malformed := &callbackError{http.StatusBadRequest, "消息格式错误"}
	var msg inbound
	if xml.Unmarshal(body, &msg) != nil {
		return nil, malformed
	}
	if c.cipher == nil {
		return &msg, nil
	}
	msgSig := q("msg_signature")
	if q("encrypt_type") != "aes" || msgSig == "" || msg.Encrypt == "" {
		return nil, &callbackError{http.StatusBadRequest, "安全模式下消息必须加密"}
	}
	if !validSignature(msgSig, c.cfg.Token, q("timestamp"), q("nonce"), msg.Encrypt) {
		return nil, &callbackError{http.StatusForbidden, "消息签名校验失败"}
	}
	plain, err := c.cipher.Decrypt(msg.Encrypt)
	if err != nil {
		return nil, &callbackError{http.StatusBadRequest, "消息解密失败"}
	}
	var inner inbound
	if xml.Unmarshal(plain, &inner) != nil {
		return nil, malformed
	}
	return &inner, nil
}

// EncryptReply prepares a passive reply (reply XML) for sending: in safe
// mode it is encrypted and signed with a fresh timestamp and nonce, in plain
// mode it is returned as it is.
func (c *Client) EncryptReply(reply []byte) ([]byte, error) {
	if c.cipher == nil {
		return reply, nil
	}
	nonce := make([]byte, 8)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(c.now().Unix(), 10)
	return sealReply(c.cipher, c.cfg.Token, reply, ts, hex.EncodeToString(nonce))
}
