package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/wechat"
)

// originalID is the sandbox account's 原始ID, the ToUserName of its messages.
const originalID = "gh_sandbox00001"

// Scan is a test user scanning the QR code of ticket with WeChat: the
// service's callback receives SCAN with the scene, or, when the user does
// not follow the account yet, subscribe with "qrscene_" + scene (and the
// user now follows). It returns the callback's answer.
func (s *Sandbox) Scan(ctx context.Context, ticket, openID string) (string, error) {
	scene, err := s.scene(ctx, ticket)
	if err != nil {
		return "", err
	}
	u, found := s.user(openID)
	if !found || u.OpenID != openID {
		return "", recruit.Errorf(recruit.ENOTFOUND, "测试用户不存在")
	}
	event, key := "SCAN", scene
	if !u.Following {
		event, key = "subscribe", "qrscene_"+scene
	}
	reply, err := s.deliver(ctx, openID, event, [2]string{"EventKey", key}, [2]string{"Ticket", ticket})
	if err == nil && !u.Following {
		s.setFollowing(openID, true)
	}
	return reply, err
}

// Follow is a test user following the account from its follow QR code:
// the service's callback receives a plain subscribe (no scene) and the user
// now follows. A user who follows already changes nothing and gets "".
// It returns the callback's answer.
func (s *Sandbox) Follow(ctx context.Context, openID string) (string, error) {
	u, found := s.user(openID)
	if !found || u.OpenID != openID {
		return "", recruit.Errorf(recruit.ENOTFOUND, "测试用户不存在")
	}
	if u.Following {
		return "", nil
	}
	reply, err := s.deliver(ctx, openID, "subscribe")
	if err == nil {
		s.setFollowing(openID, true)
	}
	return reply, err
}

// FlushReports posts the TEMPLATESENDJOBFINISH failure reports that
// EventJobFinish faults made, in order, and returns how many it posted. A
// report the callback did not take stays for the next flush.
func (s *Sandbox) FlushReports(ctx context.Context) (int, error) {
	s.mu.Lock()
	todo := s.reports
	s.reports = nil
	s.mu.Unlock()
	for i, r := range todo {
		_, err := s.deliver(ctx, r.openID, EventJobFinish, [2]string{"MsgID", strconv.FormatInt(r.msgID, 10)}, [2]string{"Status", r.status})
		if err != nil {
			s.mu.Lock()
			s.reports = append(todo[i:], s.reports...)
			s.mu.Unlock()
			return i, err
		}
	}
	return len(todo), nil
}

// flushReports serves POST /api/reports: FlushReports.
func (s *Sandbox) flushReports(c *fiber.Ctx) error {
	n, err := s.FlushReports(c.UserContext())
	if err != nil {
		return c.Status(fiber.StatusBadGateway).JSON(fiber.Map{"posted": n, "error": recruit.ErrorMessage(err)})
	}
	return c.JSON(fiber.Map{"posted": n})
}

// deliver posts one event to the callback as WeChat does: signed, and in
// safe mode encrypted with msg_signature. fields are the event's further
// elements (name, value).
func (s *Sandbox) deliver(ctx context.Context, openID, event string, fields ...[2]string) (string, error) {
	now := s.now()
	var inner bytes.Buffer
	fmt.Fprintf(&inner, "<xml><ToUserName>%s</ToUserName><FromUserName>%s</FromUserName><CreateTime>%d</CreateTime>"+
		"<MsgType>%s</MsgType><Event>%s</Event>",
		wechat.CDATA(originalID), wechat.CDATA(openID), now.Unix(), wechat.CDATA("event"), wechat.CDATA(event))
	for _, f := range fields {
		fmt.Fprintf(&inner, "<%s>%s</%s>", f[0], wechat.CDATA(f[1]), f[0])
	}
	inner.WriteString("</xml>")

	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randomID(6)
	q := url.Values{
		"signature": {wechat.Signature(s.opts.Token, ts, nonce)},
		"timestamp": {ts}, "nonce": {nonce}, "openid": {openID},
	}
	body := inner.Bytes()
	if s.cipher != nil {
		enc, err := s.cipher.Encrypt(body)
		if err != nil {
			return "", recruit.Internal(err)
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wechat.Signature(s.opts.Token, ts, nonce, enc))
		body = []byte("<xml><ToUserName>" + wechat.CDATA(originalID) + "</ToUserName><Encrypt>" + wechat.CDATA(enc) + "</Encrypt></xml>")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.CallbackURL+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", recruit.Internal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return "", &recruit.Error{Code: recruit.EUPSTREAM, Message: "无法连接公众号服务器（回调地址）", Err: err}
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", &recruit.Error{Code: recruit.EUPSTREAM, Message: "读取公众号服务器应答失败", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return "", recruit.Errorf(recruit.EUPSTREAM, "公众号服务器应答 HTTP %d：%s", resp.StatusCode, reply)
	}
	return string(reply), nil
}
