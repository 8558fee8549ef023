package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"zhupei/internal/testhttp"
)

// shanghai is the zone the calendar's times must be given in.
var shanghai = time.FixedZone("CST", 8*3600)

// noticeWait bounds the wait for the sender job to deliver a notification.
const noticeWait = 30 * time.Second

// sandboxMessage is one entry of GET /sandbox/api/messages.
type sandboxMessage struct {
	OpenID     string            `json:"openid"`
	TemplateID string            `json:"template_id"`
	URL        string            `json:"url"`
	Data       map[string]string `json:"data"`
}

// call sends a JSON request with an optional bearer token and decodes the
// answer into out (when not nil); it fails the test unless the status is 200.
func call(t *testing.T, method, u, token string, body, out any) {
	t.Helper()
	status, _, raw := testhttp.Call(t, method, u, token, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, u, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, raw)
		}
	}
}

// awaitMessage polls the sandbox's message log of openid until a message of
// template appears, and returns it.
func awaitMessage(t *testing.T, srv *server, openid, template string) sandboxMessage {
	t.Helper()
	deadline := time.Now().Add(noticeWait)
	for {
		var log struct{ Messages []sandboxMessage }
		call(t, http.MethodGet, srv.URL+"/sandbox/api/messages?openid="+url.QueryEscape(openid), "", nil, &log)
		for _, m := range log.Messages {
			if m.OpenID != openid {
				t.Fatalf("?openid=%s answered a message to %s", openid, m.OpenID)
			}
			if m.TemplateID == template {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s message to %s within %s: %+v", template, openid, noticeWait, log.Messages)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var (
	openIDRe = `name="openid" value="([^"]+)"><button>`
	codeRe   = regexp.MustCompile(`<code>([^<]+)</code>`)
	inviteRe = regexp.MustCompile(`邀请码 (\S+)：`)
)

// sandboxPage posts form to a sandbox page and returns the page.
func sandboxPage(t *testing.T, srv *server, path string, form url.Values) string {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/sandbox"+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// staffToken logs a new sandbox user into the mini-program and binds it
// with an invitation that `zhupei staff-invite` makes on the server's data
// directory; it returns the bearer token.
func staffToken(t *testing.T, srv *server, nickname string, invite ...string) string {
	t.Helper()
	page := sandboxPage(t, srv, "/minicode", url.Values{"nickname": {nickname}})
	m := codeRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("sandbox login-code page: %.300s", page)
	}
	var login struct{ Token string }
	call(t, http.MethodPost, srv.URL+"/api/v1/mp/login", "", map[string]string{"code": m[1]}, &login)
	call(t, http.MethodPost, srv.URL+"/api/v1/mp/bind", login.Token, map[string]string{"invite": staffInvite(t, srv, invite...)}, nil)
	return login.Token
}

// staffInvite returns a new invitation code that `zhupei staff-invite`
// with the arguments invite makes on the server's data directory.
func staffInvite(t *testing.T, srv *server, invite ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"staff-invite"}, invite...)...)
	cmd.Dir = moduleRoot
	cmd.Env = append(cmd.Environ(), "ZHUPEI_DATA_DIR="+srv.DataDir, "ZHUPEI_LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	inv := inviteRe.FindSubmatch(out)
	if err != nil || inv == nil {
		t.Fatalf("zhupei staff-invite %v: %v\n%s", invite, err, out)
	}
	return string(inv[1])
}

// TestNotificationsReachTheApplicant: an applicant submits and receives
// 报名成功 in WeChat; a reviewer rejects with a 60-character remark; the
// template message carries the remark cut to its keyword's limit, and
// 我的消息 shows it in full.
func TestNotificationsReachTheApplicant(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "ZHUPEI_NOTIFY_INTERVAL=1s")
	ctx, base := submittedApplicant(t, srv, "消息用户", 31)

	openid := sandboxOpenID(t, srv, "消息用户")
	registered := awaitMessage(t, srv, openid, "sandbox-registered")
	if registered.Data["phrase3"] != "待审核" || !strings.Contains(registered.URL, "/messages/") {
		t.Errorf("报名成功 message: %+v", registered)
	}

	// The reviewer needs the review phase: the province admin opens it now.
	openRound1(t, srv)
	appID := applicationID(t, srv, openid)
	reviewer := staffToken(t, srv, "审核员", "-role", "reviewer", "-base", base)
	remark := strings.Repeat("材料", 10) + strings.Repeat("执业证书扫描件不清晰", 4) // 60 characters
	if utf8.RuneCountInString(remark) != 60 {
		t.Fatalf("remark of %d characters", utf8.RuneCountInString(remark))
	}
	call(t, http.MethodPost, fmt.Sprintf("%s/api/v1/admin/applications/%d/review", srv.URL, appID), reviewer,
		map[string]string{"decision": "reject", "remark": remark}, nil)

	failed := awaitMessage(t, srv, openid, "sandbox-review_failed")
	short := failed.Data["thing4"]
	if n := utf8.RuneCountInString(short); n > 20 || !strings.HasSuffix(short, "…") || !strings.HasPrefix(remark, strings.TrimSuffix(short, "…")) {
		t.Errorf("审核未通过 remark keyword %q (%d characters), want the remark cut to 20 with …", short, n)
	}

	u, err := url.Parse(failed.URL)
	if err != nil {
		t.Fatal(err)
	}
	open(t, ctx, srv.URL+"/messages")
	if got := text(t, ctx, "#messages li:first-child strong"); got != "审核未通过" {
		t.Errorf("newest message %q, want 审核未通过", got)
	}
	open(t, ctx, srv.URL+u.Path)
	if body := text(t, ctx, "#message-body"); !strings.Contains(body, remark) {
		t.Errorf("the inbox entry %q lacks the full remark %q", body, remark)
	}
	fitsScreen(t, ctx, u.Path+" at 375 px")
}
