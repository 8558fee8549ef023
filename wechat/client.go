package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/miniprogram"
	miniAuth "github.com/silenceper/wechat/v2/miniprogram/auth"
	miniConfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/oauth"
	"github.com/silenceper/wechat/v2/util"

	"zhupei/recruit"
)

// Client is the service's one handle on WeChat. Create it once at start-up
// with New; it is safe for concurrent use afterwards.
type Client struct {
	cfg    Config
	kv     KV
	now    func() time.Time
	http   *http.Client // the SDK's
	rw     *rewriter    // nil in live mode
	cipher *Cipher      // nil in plain mode

	// The SDK's lazy getters race, so each one is called once, here.
	oauth    *oauth.Oauth
	basic    *basic.Basic
	template *message.Template
	menu     *menu.Menu
	miniAuth *miniAuth.Auth // nil without a mini-program
	miniSub  *subscribe.Subscribe
	oaToken  *tokenSource
	miniTok  *tokenSource
}

// New checks cfg, installs the SDK's HTTP client (with the sandbox transport
// in sandbox mode) and builds the official-account and mini-program clients
// over the shared store kv. now is the clock.
func New(cfg Config, kv KV, now func() time.Time) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hc, rw, err := installHTTP(cfg)
	if err != nil {
		return nil, recruit.Internal(err)
	}
	c := &Client{cfg: cfg, kv: kv, now: now, http: hc, rw: rw}
	if cfg.AESKey != "" {
		if c.cipher, err = NewCipher(cfg.AESKey, cfg.AppID); err != nil {
			return nil, err
		}
	}
	kvCache := NewKVCache(kv, now)
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{
		AppID: cfg.AppID, AppSecret: cfg.Secret, Token: cfg.Token,
		EncodingAESKey: cfg.AESKey, Cache: kvCache,
	})
	c.oauth, c.basic, c.template, c.menu = oa.GetOauth(), oa.GetBasic(), oa.GetTemplate(), oa.GetMenu()
	c.oaToken = newTokenSource(cfg.AppID, cfg.Secret, credential.CacheKeyOfficialAccountPrefix, sdkTokenHandle(oa.GetContext().AccessTokenHandle), kv, now)
	if cfg.MiniAppID != "" {
		mp := miniprogram.NewMiniProgram(&miniConfig.Config{
			AppID: cfg.MiniAppID, AppSecret: cfg.MiniSecret, Cache: kvCache,
		})
		c.miniAuth = mp.GetAuth()
		c.miniSub = mp.GetSubscribe()
		c.miniTok = newTokenSource(cfg.MiniAppID, cfg.MiniSecret, credential.CacheKeyMiniProgramPrefix, mp.GetContext().AccessTokenContextHandle, kv, now)
	}
	return c, nil
}

// Sandboxed reports whether the client talks to the sandbox.
func (c *Client) Sandboxed() bool { return c.rw != nil }

// CloseIdleConnections closes the SDK's idle connections. Call it before
// the service shuts down: in sandbox mode they are connections to the
// service itself, which its shutdown would otherwise wait for.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// BaseURL is the public URL of the service, without a trailing slash.
func (c *Client) BaseURL() string { return strings.TrimRight(c.cfg.BaseURL, "/") }

// SandboxURL is where the sandbox is served, "" in live mode.
func (c *Client) SandboxURL() string {
	if c.rw == nil {
		return ""
	}
	return strings.TrimRight(c.cfg.SandboxURL, "/")
}

// Do runs an official-account call fn. When WeChat answers that the access
// token is invalid or expired (40001, 42001, 40014) the token is refreshed
// once — concurrent callers share that refresh, and instances share it
// through a lease in the store — and fn is retried once. The error returned
// is an EUPSTREAM *recruit.Error with every secret scrubbed.
func (c *Client) Do(ctx context.Context, fn func() error) error {
	return c.do(ctx, c.oaToken, fn)
}

func (c *Client) do(ctx context.Context, ts *tokenSource, fn func() error) error {
	// The token fn will use: fetched now if the store has none.
	stale, err := ts.ensure(ctx)
	if err != nil {
		return upstream(err)
	}
	err = fn()
	if tokenRejected(ErrCode(err)) {
		if rerr := ts.refresh(ctx, stale); rerr != nil {
			return upstream(rerr)
		}
		err = fn()
	}
	return upstream(err)
}

// sdkTokenHandle gives the context form of a handle made by the SDK's
// constructors (credential.DefaultAccessToken has it).
func sdkTokenHandle(h credential.AccessTokenHandle) credential.AccessTokenContextHandle {
	if ch, ok := h.(credential.AccessTokenContextHandle); ok {
		return ch
	}
	return credential.AccessTokenCompatibleHandle{AccessTokenHandle: h}
}

func tokenRejected(code int64) bool {
	return code == 40001 || code == 42001 || code == 40014
}

// APIError is the scrubbed cause of an EUPSTREAM error: the WeChat errcode
// (0 when the failure was not an answer from WeChat, such as a timeout) and
// the error text with secrets removed.
type APIError struct {
	Code int64
	Text string
}

func (e *APIError) Error() string { return e.Text }

// ErrCode returns the WeChat errcode carried by err, 0 if none.
func ErrCode(err error) int64 {
	if err == nil {
		return 0
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.Code
	}
	var common *util.CommonError
	if errors.As(err, &common) {
		return common.ErrCode
	}
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	return 0
}

var errcodeRe = regexp.MustCompile(`errcode=(-?\d+)`)

// upstream turns an SDK error into an EUPSTREAM *recruit.Error whose cause
// is scrubbed; nil and *recruit.Error pass through.
func upstream(err error) error {
	if err == nil {
		return nil
	}
	var re *recruit.Error
	if errors.As(err, &re) {
		return err
	}
	msg := "微信服务暂时不可用，请稍后重试"
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		msg = "微信服务响应超时，请稍后重试"
	}
	return &recruit.Error{Code: recruit.EUPSTREAM, Message: msg,
		Err: &APIError{Code: ErrCode(err), Text: Scrub(err).Error()}}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

var secretRe = regexp.MustCompile(`(?i)\b((?:app)?secret|access_token|refresh_token|js_code|code|session_key)(=|":\s*")[^&\s"]*`)

// Scrub returns err with the values of secret=, access_token= and similar
// parameters replaced by "***", so that it can be logged or returned. The
// result keeps the text only.
func Scrub(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(secretRe.ReplaceAllString(err.Error(), "$1$2***"))
}

// tokenSource refreshes one appid's access token in the shared store.
type tokenSource struct {
	appID, secret string
	key           string // the SDK's cache key, as stored by KVCache
	get           func(context.Context) (string, error)
	kv            KV
	now           func() time.Time

	mu     sync.Mutex
	flight *refreshFlight
}

type refreshFlight struct {
	done chan struct{}
	err  error
}

const (
	tokenURL     = "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s"
	refreshLease = 30 * time.Second
	refreshWait  = 5 * time.Second
)

// newTokenSource refreshes the token that the SDK's handle h caches.
func newTokenSource(appID, secret, sdkPrefix string, h credential.AccessTokenContextHandle, kv KV, now func() time.Time) *tokenSource {
	// The same key credential.DefaultAccessToken uses, behind KVCache's prefix.
	key := kvPrefix + fmt.Sprintf("%s_access_token_%s", sdkPrefix, appID)
	return &tokenSource{appID: appID, secret: secret, key: key, get: h.GetAccessTokenContext, kv: kv, now: now}
}

// current returns the cached token, "" if there is none.
func (t *tokenSource) current(ctx context.Context) string {
	v, err := t.kv.GetKV(ctx, t.key, t.now())
	if err != nil {
		return ""
	}
	return v
}

// ensure returns the stored token. When the store has none it is fetched
// the way a rejected one is replaced, so that instances starting together
// fetch one token rather than each its own, overwriting each other's.
func (t *tokenSource) ensure(ctx context.Context) (string, error) {
	if cur := t.current(ctx); cur != "" {
		return cur, nil
	}
	if err := t.refresh(ctx, ""); err != nil {
		return "", err
	}
	return t.get(ctx)
}

// refresh replaces the rejected token stale. Callers in this process that
// arrive while a refresh is running wait for it and share its result.
func (t *tokenSource) refresh(ctx context.Context, stale string) error {
	t.mu.Lock()
	if f := t.flight; f != nil {
		t.mu.Unlock()
		select {
		case <-f.done:
			return f.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f := &refreshFlight{done: make(chan struct{})}
	t.flight = f
	t.mu.Unlock()

	f.err = t.replace(ctx, stale)

	t.mu.Lock()
	t.flight = nil
	t.mu.Unlock()
	close(f.done)
	return f.err
}

// replace fetches a new token unless stale was already replaced. Across
// instances a lease keyed by the stale token lets exactly one of them fetch;
// the others wait for the new token to appear in the store.
func (t *tokenSource) replace(ctx context.Context, stale string) error {
	if cur := t.current(ctx); cur != "" && cur != stale {
		return nil
	}
	sum := sha256.Sum256([]byte(stale))
	lease := kvPrefix + "token-refresh:" + t.appID + ":" + hex.EncodeToString(sum[:8])
	won, err := t.kv.AddKV(ctx, lease, "1", refreshLease, t.now())
	if err != nil {
		return err
	}
	if !won {
		return t.awaitOther(ctx, stale)
	}
	res, err := credential.GetTokenFromServerContext(ctx, fmt.Sprintf(tokenURL, t.appID, t.secret))
	if err != nil {
		// Let the next rejected call try again instead of waiting for the lease.
		_ = t.kv.DeleteKV(context.WithoutCancel(ctx), lease)
		return err
	}
	ttl := time.Duration(res.ExpiresIn-1500) * time.Second // as the SDK does
	if ttl <= 0 {
		ttl = time.Duration(res.ExpiresIn) * time.Second / 2
	}
	return t.kv.SetKV(ctx, t.key, res.AccessToken, ttl, t.now())
}

// awaitOther waits until another instance has stored a token other than stale.
func (t *tokenSource) awaitOther(ctx context.Context, stale string) error {
	ctx, cancel := context.WithTimeout(ctx, refreshWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if cur := t.current(ctx); cur != "" && cur != stale {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wechat: waiting for another instance to refresh the access token: %w", ctx.Err())
		case <-tick.C:
		}
	}
}
