package sandbox

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/wechat"
)

// pageRoutes adds the pages for people.
func (s *Sandbox) pageRoutes(r fiber.Router) {
	s.parsePages()
	r.Get("/", s.indexPage)
	r.Get("/connect/oauth2/authorize", s.authorizePage)
	r.Post("/connect/oauth2/authorize", s.authorizeSubmit)
	r.Get("/phone", s.phonePage)
	r.Post("/phone", s.phoneSubmit)
	r.Get(FollowPath, s.followPage)
	r.Post(FollowPath, s.followSubmit)
	r.Get("/messages", s.messagesPage)
	r.Get("/menu", s.menuPage)
	r.Get("/minicode", s.miniCodePage)
	r.Post("/minicode", s.miniCodeSubmit)
}

const pageText = `
{{define "head"}}<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.}} - 微信沙箱</title>
<style>body{font-family:sans-serif;max-width:640px;margin:1em auto;padding:0 1em;color:#222}
h1{font-size:1.3em}.note{color:#666;font-size:.9em}button{margin:.2em 0;padding:.5em 1em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;text-align:left;font-size:.9em}
.err{color:#b00}.bubble{background:#95ec69;border-radius:6px;padding:.7em 1em;display:inline-block;max-width:90%;white-space:pre-wrap}</style></head><body><p class="note">微信沙箱（本地模拟的微信平台，仅供测试）· <a href="{{root}}">首页</a></p>{{end}}

{{define "picker"}}
{{if .Users}}<h2>选择测试用户</h2>
{{range .Users}}<form method="post" action="{{$.Action}}">{{range $k, $v := $.Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<input type="hidden" name="openid" value="{{.OpenID}}"><button>{{.Nickname}}{{if not .Following}}（未关注）{{end}}：{{$.Verb}}</button></form>{{end}}
{{else}}<p>还没有测试用户，请先新建一个。</p>{{end}}
<h2>新建测试用户</h2>
<form method="post" action="{{.Action}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label>昵称 <input name="nickname" maxlength="20" required></label>
{{if not .Unfollowed}}<label><input type="checkbox" name="follow" value="1" checked> 已关注公众号</label>{{end}}
<button>新建并{{.Verb}}</button></form>
{{end}}

{{define "index"}}{{template "head" "首页"}}<h1>微信沙箱</h1>
<p>这是服务自带的本地“微信平台”，只在沙箱模式（wechat.mode: sandbox）下存在，正式环境（live）中没有这些页面。
服务通过它获取 access_token、网页授权、生成二维码、发送模板消息，走的都是正式环境的代码。</p>
<h2>试一试</h2>
<ol>
<li><b>电脑端扫码登录</b>：打开<a href="{{.Base}}/login?next=/apply">电脑端登录页</a>，页面显示登录二维码；
点二维码下方的“模拟手机扫码”链接，选择或新建一个测试用户“扫一扫”。手机页面会显示公众号回复的确认链接，
点开后（未实名认证的先完成实名认证）点“确认登录”，电脑页面随即自动登录并进入报名页面。</li>
<li><b>手机公众号菜单（网页授权）</b>：打开<a href="{{root}}menu">公众号菜单</a>，点“招录报名”或“实名认证”，
在授权页选择测试用户即可以该微信身份进入手机页面；也可以直接打开<a href="{{.Base}}/wechat/oauth/start?next=/bind">实名认证入口</a>。</li>
<li><b>关注公众号</b>：首页“扫码关注公众号”的二维码打开<a href="{{root}}follow">关注页</a>，选择或新建测试用户关注，公众号回复欢迎语。</li>
<li><b>模板消息</b>：报名成功、审核结果等通知发给测试用户后，在<a href="{{root}}messages">消息记录</a>中查看。</li>
<li><b>小程序登录</b>：在<a href="{{root}}minicode">小程序登录码</a>页面获取 wx.login 登录码，供培训基地小程序接口使用。</li>
</ol>
<p class="note">测试用户、消息和菜单保存在内存中，服务重启后清空。故障注入：POST faults，JSON 如 {"endpoint":"/cgi-bin/message/template/send","code":45009,"count":1}。</p>
<h2>测试用户</h2>{{if .Users}}<table><tr><th>昵称</th><th>openid</th><th>关注</th></tr>
{{range .Users}}<tr><td>{{.Nickname}}</td><td>{{.OpenID}}</td><td>{{if .Following}}已关注{{else}}未关注{{end}}</td></tr>{{end}}</table>
{{else}}<p>还没有测试用户：在授权页或扫码页可以新建。</p>{{end}}
</body></html>{{end}}

{{define "authorize"}}{{template "head" "微信授权"}}<h1>微信网页授权</h1>
<p>网页申请获取你的身份标识（snsapi_base，静默授权）。</p>{{template "picker" .}}</body></html>{{end}}

{{define "phone"}}{{template "head" "模拟手机扫码"}}<h1>模拟手机扫码</h1>
<p>二维码场景值：{{.Scene}}</p>{{template "picker" .}}</body></html>{{end}}

{{define "minicode"}}{{template "head" "小程序登录码"}}<h1>小程序登录码</h1>
{{if .Code}}<p>登录码（5 分钟内有效，只能使用一次）：</p><p><code>{{.Code}}</code></p>{{end}}
{{template "picker" .}}</body></html>{{end}}

{{define "follow"}}{{template "head" "关注公众号"}}<h1>关注公众号</h1>
<p>手机扫描首页的“扫码关注公众号”二维码后打开的是公众号主页：选择或新建一个测试用户关注，公众号服务器随即收到关注事件（subscribe）。</p>{{template "picker" .}}</body></html>{{end}}

{{define "scanned"}}{{template "head" .Title}}<h1>{{.Title}}</h1>
<p>“{{.Nickname}}”{{.Title}}。</p>
{{if .Reply}}<p class="note">公众号回复：</p><div class="bubble" id="reply">{{range .Reply}}{{if .Link}}<a href="{{.Link}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}</div>
{{else if .Answer}}<p>公众号服务器应答：{{.Answer}}。请回到电脑页面继续。</p>{{end}}
</body></html>{{end}}

{{define "result"}}{{template "head" .Title}}<h1>{{.Title}}</h1><p{{if .Error}} class="err"{{end}}>{{.Text}}</p></body></html>{{end}}

{{define "messages"}}{{template "head" "消息记录"}}<h1>消息记录</h1>
{{range .Users}}<a href="{{root}}messages?openid={{.OpenID}}">{{.Nickname}}</a> {{end}}
{{if .Messages}}<table><tr><th>时间</th><th>类型</th><th>接收人</th><th>模板</th><th>内容</th><th>链接</th></tr>
{{range .Messages}}<tr><td>{{.Time.Format "01-02 15:04:05"}}</td><td>{{.Kind}}</td><td>{{index $.Names .ToUser}}</td><td>{{.TemplateID}}</td>
<td>{{range $k, $v := .Data}}{{$k}}：{{$v}}<br>{{end}}</td><td>{{if .Link}}<a href="{{.Link}}">打开</a>{{end}}</td></tr>{{end}}</table>
{{else}}<p>没有消息。</p>{{end}}</body></html>{{end}}

{{define "menu"}}{{template "head" "公众号菜单"}}<h1>公众号菜单</h1>
{{if .}}<ul>{{range .}}<li>{{if .URL}}<a href="{{.URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}
<ul>{{range .Sub}}<li>{{if .URL}}<a href="{{.URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</li>{{end}}</ul></li>{{end}}</ul>
{{else}}<p>公众号尚未发布菜单。</p>{{end}}</body></html>{{end}}
`

// parsePages parses the page templates; root gives the sandbox's own URL.
func (s *Sandbox) parsePages() {
	root := s.opts.URL + "/"
	s.pages = template.Must(template.New("").Funcs(template.FuncMap{"root": func() string { return root }}).Parse(pageText))
}

// render writes a page.
func (s *Sandbox) render(c *fiber.Ctx, status int, name string, data any) error {
	var b bytes.Buffer
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	return c.Status(status).Type("html").Send(b.Bytes())
}

func (s *Sandbox) result(c *fiber.Ctx, status int, title, text string) error {
	return s.render(c, status, "result", map[string]any{"Title": title, "Text": text, "Error": status >= 400})
}

// failure shows err as a page with its status.
func (s *Sandbox) failure(c *fiber.Ctx, title string, err error) error {
	status := fiber.StatusBadRequest
	switch recruit.ErrorCode(err) {
	case recruit.ENOTFOUND:
		status = fiber.StatusNotFound
	case recruit.EUPSTREAM:
		status = fiber.StatusBadGateway
	case recruit.EINTERNAL:
		return err
	}
	return s.result(c, status, title, recruit.ErrorMessage(err))
}

type pickerData struct {
	Action string
	Verb   string
	Hidden map[string]string
	Users  []User
	Scene  string
	Code   string
	// Unfollowed creates new users not following the account.
	Unfollowed bool
}

// chosenUser returns the user picked (openid) or created (nickname, follow)
// on a picker form.
func (s *Sandbox) chosenUser(c *fiber.Ctx) (User, error) {
	if id := c.FormValue("openid"); id != "" {
		u, found := s.user(id)
		if !found || u.OpenID != id {
			return User{}, recruit.Errorf(recruit.ENOTFOUND, "测试用户不存在")
		}
		return u, nil
	}
	// The user outlives the request: copy the nickname out of Fiber's
	// reused buffer, whatever the app's Immutable setting.
	return s.AddUser(strings.Clone(c.FormValue("nickname")), c.FormValue("follow") == "1")
}

func (s *Sandbox) indexPage(c *fiber.Ctx) error {
	base := strings.TrimSuffix(s.opts.CallbackURL, wechat.CallbackPath)
	return s.render(c, fiber.StatusOK, "index", map[string]any{"Users": s.Users(), "Base": base})
}

// authRequest checks the parameters of an authorization request and returns
// them to carry through the form.
func (s *Sandbox) authRequest(get func(string) string) (map[string]string, error) {
	p := map[string]string{}
	for _, k := range []string{"appid", "redirect_uri", "response_type", "scope", "state"} {
		p[k] = get(k)
	}
	if p["appid"] != s.opts.AppID {
		return nil, recruit.Errorf(recruit.EINVALID, "appid 错误（10003）")
	}
	if p["response_type"] != "code" || (p["scope"] != "snsapi_base" && p["scope"] != "snsapi_userinfo") {
		return nil, recruit.Errorf(recruit.EINVALID, "授权参数错误：response_type 须为 code，scope 须为 snsapi_base 或 snsapi_userinfo")
	}
	back, err := url.Parse(p["redirect_uri"])
	cb, _ := url.Parse(s.opts.CallbackURL)
	if err != nil || back.Host == "" || back.Host != cb.Host {
		return nil, recruit.Errorf(recruit.EINVALID, "redirect_uri 域名与后台配置不一致（10003）")
	}
	return p, nil
}

func (s *Sandbox) authorizePage(c *fiber.Ctx) error {
	p, err := s.authRequest(func(k string) string { return c.Query(k) })
	if err != nil {
		return s.failure(c, "授权失败", err)
	}
	return s.render(c, fiber.StatusOK, "authorize", pickerData{Action: s.opts.URL + "/connect/oauth2/authorize", Verb: "确认登录", Hidden: p, Users: s.Users()})
}

// authorizeSubmit issues a code for the chosen user and sends the browser
// back to redirect_uri with code and state.
func (s *Sandbox) authorizeSubmit(c *fiber.Ctx) error {
	p, err := s.authRequest(func(k string) string { return c.FormValue(k) })
	if err != nil {
		return s.failure(c, "授权失败", err)
	}
	u, err := s.chosenUser(c)
	if err != nil {
		return s.failure(c, "授权失败", err)
	}
	code, err := s.newCode(c.UserContext(), keyCode, u.OpenID)
	if err != nil {
		return err
	}
	back, _ := url.Parse(p["redirect_uri"]) // checked by authRequest
	q := back.Query()
	q.Set("code", code)
	q.Set("state", p["state"])
	back.RawQuery = q.Encode()
	return c.Redirect(back.String(), fiber.StatusFound)
}

func (s *Sandbox) phonePage(c *fiber.Ctx) error {
	ticket := c.Query("ticket")
	scene, err := s.scene(c.UserContext(), ticket)
	if err != nil {
		return s.failure(c, "无法扫码", err)
	}
	return s.render(c, fiber.StatusOK, "phone", pickerData{Action: s.opts.URL + "/phone", Verb: "扫一扫",
		Hidden: map[string]string{"ticket": ticket}, Users: s.Users(), Scene: scene})
}

func (s *Sandbox) phoneSubmit(c *fiber.Ctx) error {
	u, err := s.chosenUser(c)
	if err != nil {
		return s.failure(c, "无法扫码", err)
	}
	answer, err := s.Scan(c.UserContext(), c.FormValue("ticket"), u.OpenID)
	if err != nil {
		return s.failure(c, "扫码失败", err)
	}
	return s.replied(c, "已扫码", u, answer)
}

// replied shows what the account answered user u's event (title: what u did).
func (s *Sandbox) replied(c *fiber.Ctx, title string, u User, answer string) error {
	text, err := s.ReplyText(answer)
	if err != nil {
		return s.failure(c, title, err)
	}
	return s.render(c, fiber.StatusOK, "scanned", map[string]any{"Title": title, "Nickname": u.Nickname, "Answer": answer, "Reply": messageParts(text)})
}

// FollowPath is the account's page a phone opens from its follow QR code.
const FollowPath = "/follow"

func (s *Sandbox) followPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "follow", pickerData{Action: s.opts.URL + FollowPath, Verb: "关注公众号", Users: s.Users(), Unfollowed: true})
}

// followSubmit makes the chosen user follow the account (a user following
// already is told so, as WeChat shows 已关注).
func (s *Sandbox) followSubmit(c *fiber.Ctx) error {
	u, err := s.chosenUser(c)
	if err != nil {
		return s.failure(c, "无法关注", err)
	}
	answer, err := s.Follow(c.UserContext(), u.OpenID)
	if err != nil {
		return s.failure(c, "关注失败", err)
	}
	return s.replied(c, "已关注公众号", u, answer)
}

func (s *Sandbox) messagesPage(c *fiber.Ctx) error {
	users := s.Users()
	names := map[string]string{}
	for _, u := range users {
		names[u.OpenID], names[u.MiniOpenID] = u.Nickname, u.Nickname+"（小程序）"
	}
	return s.render(c, fiber.StatusOK, "messages", map[string]any{
		"Users": users, "Names": names, "Messages": s.Messages(c.Query("openid")),
	})
}

func (s *Sandbox) menuPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "menu", s.Menu())
}

func (s *Sandbox) miniCodePage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "minicode", pickerData{Action: s.opts.URL + "/minicode", Verb: "获取登录码", Users: s.Users()})
}

func (s *Sandbox) miniCodeSubmit(c *fiber.Ctx) error {
	u, err := s.chosenUser(c)
	if err != nil {
		return s.failure(c, "无法获取登录码", err)
	}
	code, err := s.MiniCode(c.UserContext(), u.OpenID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "minicode", pickerData{Action: s.opts.URL + "/minicode", Verb: "获取登录码", Users: s.Users(), Code: code})
}
