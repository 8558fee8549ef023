package sandbox

import (
	"encoding/xml"
	"html"
	"net/url"
	"regexp"
	"strings"

	"zhupei/recruit"
	"zhupei/wechat"
)

// ReplyText decodes the callback's answer to an event: "" for "success" (or
// an empty answer), else the Content of the passive text reply, checked and
// decrypted in safe mode as the WeChat client does.
func (s *Sandbox) ReplyText(answer string) (string, error) {
	answer = strings.TrimSpace(answer)
	if answer == "" || answer == "success" {
		return "", nil
	}
	bad := recruit.Errorf(recruit.EUPSTREAM, "公众号服务器的被动回复格式错误")
	var msg struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
		MsgType      string `xml:"MsgType"`
		Content      string `xml:"Content"`
	}
	if xml.Unmarshal([]byte(answer), &msg) != nil {
		return "", bad
	}
	if s.cipher != nil {
		if msg.Encrypt == "" || msg.MsgSignature != wechat.Signature(s.opts.Token, msg.TimeStamp, msg.Nonce, msg.Encrypt) {
			return "", recruit.Errorf(recruit.EUPSTREAM, "公众号服务器的被动回复未加密或签名错误")
		}
		plain, err := s.cipher.Decrypt(msg.Encrypt)
		if err != nil || xml.Unmarshal(plain, &msg) != nil {
			return "", bad
		}
	}
	if msg.MsgType != "text" {
		return "", bad
	}
	return msg.Content, nil
}

// part is a piece of a text message as WeChat shows it: text, or a link.
type part struct {
	Text string
	Link string
}

var anchorRe = regexp.MustCompile(`<a\s+href="([^"]*)"\s*>([^<]*)</a>`)

// messageParts splits a text message into text and the <a href> links that
// WeChat makes clickable; links other than http(s) stay text.
func messageParts(text string) []part {
	var out []part
	for {
		m := anchorRe.FindStringSubmatchIndex(text)
		if m == nil {
			break
		}
		if m[0] > 0 {
			out = append(out, part{Text: text[:m[0]]})
		}
		href, label := html.UnescapeString(text[m[2]:m[3]]), html.UnescapeString(text[m[4]:m[5]])
		if u, err := url.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			out = append(out, part{Text: label, Link: href})
		} else {
			out = append(out, part{Text: label})
		}
		text = text[m[1]:]
	}
	if text != "" {
		out = append(out, part{Text: text})
	}
	return out
}
