package sandbox

import (
	crand "crypto/rand"
	"encoding/base64"
	"html/template"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/wechat"
)

// Options configure the sandbox. AppID, Secret, Token and AESKey must match
// the service's wechat configuration.
type Options struct {
	AppID, Secret string
	Token         string
	AESKey        string // empty: plain mode
	// MiniAppID and MiniSecret are the staff mini-program's credentials.
	MiniAppID, MiniSecret string
	// URL is the absolute URL the sandbox is served at (wechat SandboxURL).
	URL string
	// CallbackURL is the service's absolute /wechat/callback URL.
	CallbackURL string
	KV          wechat.KV
	Now         func() time.Time
	// HangFor is how long a "hang" fault holds a request; default 30 s.
	HangFor time.Duration
	// HTTPClient delivers events to CallbackURL; default: 10 s timeout.
	HTTPClient *http.Client
}

// User is a test WeChat user.
type User struct {
	OpenID     string // openid for the official account
	MiniOpenID string // openid for the mini-program
	Nickname   string
	Following  bool
}

// Message is a template or subscription message the sandbox received.
type Message struct {
	Kind        string // 模板消息 or 订阅消息
	MsgID       int64
	ToUser      string
	TemplateID  string
	Link        string // url of a template message, page of a subscription one
	ClientMsgID string
	Data        map[string]string
	Time        time.Time
}

// Sandbox is a running stand-in platform.
type Sandbox struct {
	opts   Options
	cipher *wechat.Cipher // nil in plain mode
	pages  *template.Template

	mu    sync.Mutex
	users []User
	// byOpenID finds a user's index in users by either of its openids
	// (a scan of 20,000 test users per message held mu for 190 µs).
	byOpenID map[string]int
	messages []Message
	menu     []button
	faults   map[string]*Fault
	calls    map[string]int
	lastMsg  int64
	rand     *rand.Rand // fault choices, seeded: runs are alike
	dups     int        // template sends with a client_msg_id seen before
	reports  []report   // TEMPLATESENDJOBFINISH events not yet posted
}

// report is a delivery report waiting for FlushReports.
type report struct {
	openID, status string
	msgID          int64
}

// Register serves the sandbox on r (normally a group at /sandbox) and
// returns it for tests and tools.
func Register(r fiber.Router, opts Options) (*Sandbox, error) {
	f := recruit.FieldErrors{}
	if opts.AppID == "" || opts.Secret == "" || opts.Token == "" {
		f.Add("app_id", "沙箱需要 AppID、AppSecret 和 Token")
	}
	if opts.URL == "" || opts.CallbackURL == "" || opts.KV == nil || opts.Now == nil {
		f.Add("url", "沙箱需要自身地址、回调地址、存储和时钟")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if opts.HangFor <= 0 {
		opts.HangFor = 30 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	opts.URL = strings.TrimRight(opts.URL, "/")
	s := &Sandbox{opts: opts, byOpenID: map[string]int{}, faults: map[string]*Fault{}, calls: map[string]int{}, rand: rand.New(rand.NewPCG(9, 9))}
	if opts.AESKey != "" {
		c, err := wechat.NewCipher(opts.AESKey, opts.AppID)
		if err != nil {
			return nil, err
		}
		s.cipher = c
	}
	s.routes(r)
	return s, nil
}

// Calls returns how many requests an API endpoint (e.g. "/cgi-bin/token")
// has received.
func (s *Sandbox) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// callsJSON serves GET /api/calls: how many requests each API endpoint has
// received, for tests and operators (e.g. that instances sharing a store
// fetched one access token).
func (s *Sandbox) callsJSON(c *fiber.Ctx) error {
	s.mu.Lock()
	out := maps.Clone(s.calls)
	s.mu.Unlock()
	return c.JSON(fiber.Map{"calls": out})
}

// AddUser creates a test user.
func (s *Sandbox) AddUser(nickname string, following bool) (User, error) {
	nickname = strings.TrimSpace(nickname)
	if n := len([]rune(nickname)); n == 0 || n > 20 {
		return User{}, recruit.Errorf(recruit.EINVALID, "昵称须为 1 到 20 个字")
	}
	u := User{OpenID: "o" + randomID(20), MiniOpenID: "m" + randomID(20), Nickname: nickname, Following: following}
	s.mu.Lock()
	s.byOpenID[u.OpenID] = len(s.users)
	s.byOpenID[u.MiniOpenID] = len(s.users)
	s.users = append(s.users, u)
	s.mu.Unlock()
	return u, nil
}

// Users returns the test users in creation order.
func (s *Sandbox) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]User(nil), s.users...)
}

// user finds a user by official-account or mini-program openid.
func (s *Sandbox) user(openID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.byOpenID[openID]; ok {
		return s.users[i], true
	}
	return User{}, false
}

func (s *Sandbox) setFollowing(openID string, following bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.byOpenID[openID]; ok && s.users[i].OpenID == openID {
		s.users[i].Following = following
	}
}

// Messages returns the recorded messages sent to openID ("" for all), oldest
// first.
func (s *Sandbox) Messages(openID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if openID == "" || m.ToUser == openID {
			out = append(out, m)
		}
	}
	return out
}

// Duplicates returns how many template messages came with a client_msg_id
// seen before (WeChat would drop them only within about 10 minutes).
func (s *Sandbox) Duplicates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dups
}

// randomID returns n random bytes, URL-safe base64 encoded.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// messageJSON is a message as /api/messages lists it.
type messageJSON struct {
	Kind        string            `json:"kind"`
	MsgID       int64             `json:"msgid"`
	OpenID      string            `json:"openid"`
	TemplateID  string            `json:"template_id"`
	URL         string            `json:"url"`
	ClientMsgID string            `json:"client_msg_id,omitempty"`
	Data        map[string]string `json:"data"`
	Time        time.Time         `json:"time"`
}

// messagesJSON serves GET /api/messages[?openid=]: the message log, oldest
// first, for tests and operators.
func (s *Sandbox) messagesJSON(c *fiber.Ctx) error {
	ms := s.Messages(c.Query("openid"))
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = messageJSON{Kind: m.Kind, MsgID: m.MsgID, OpenID: m.ToUser, TemplateID: m.TemplateID, URL: m.Link,
			ClientMsgID: m.ClientMsgID, Data: m.Data, Time: m.Time}
	}
	return c.JSON(fiber.Map{"messages": out})
}
