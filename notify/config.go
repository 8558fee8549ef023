package notify

import (
	"fmt"
	"regexp"
	"time"

	"zhupei/recruit"
)

// Field is one keyword of a template: its name in the template (thing1,
// time4, …), the source value it shows and its keyword type.
type Field struct {
	Keyword string `yaml:"keyword" json:"keyword"`
	Source  string `yaml:"source" json:"source"`
	Type    string `yaml:"type" json:"type"`
}

// Template is the WeChat template (official account, applicants) or
// subscribe template (mini-program, staff) of one kind.
type Template struct {
	ID     string  `yaml:"id" json:"id"`
	Fields []Field `yaml:"fields" json:"fields"`
}

// Config sets the sender up. Zero values take the defaults of Defaults;
// Validate refuses negative ones.
type Config struct {
	// Templates per kind; a staff kind without a template is inbox-only.
	Templates map[recruit.NoticeKind]Template `yaml:"templates"`
	// Rate is the most messages one instance sends per second.
	Rate float64 `yaml:"rate"`
	// Workers send in parallel within one instance (WeChat answers in
	// about 100 ms, so one worker alone could not reach Rate).
	Workers int `yaml:"workers"`
	// Batch is how many rows one tick claims at a time; by default
	// BatchPerWorker per worker, so that more workers are kept busy.
	Batch int `yaml:"batch"`
	// Lease is how long a claimed row stays with its sender; after it a
	// crashed sender's rows are due again.
	Lease time.Duration `yaml:"lease"`
	// MaxAttempts is the number of tries before a row is failed.
	MaxAttempts int `yaml:"max_attempts"`
	// Backoff is the wait after the first failed try, doubled after each
	// further one up to MaxBackoff.
	Backoff    time.Duration `yaml:"backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// Page is the mini-program page that staff subscribe messages open;
	// "?id=N" is appended.
	Page string `yaml:"page"`
}

// Defaults are the sender settings unless configured: 20 messages/s (WeChat
// allows far more calls, and a service account's daily template quota is
// what 45009 guards), 4 workers, retries after 30 s, 1 min, … up to 1 h, 8
// tries.
//
// A batch must end well inside its lease even when every send waits for
// the WeChat timeout (10 s): BatchPerWorker rows a worker take at most 50 s.
var Defaults = Config{Rate: 20, Workers: 4, Lease: 5 * time.Minute, MaxAttempts: 8,
	Backoff: 30 * time.Second, MaxBackoff: time.Hour, Page: "pages/messages/index"}

// BatchPerWorker is the default Batch per worker: with 16 workers a batch
// of 20 kept 12 of them idle while its last 4 rows were sent.
const BatchPerWorker = 5

// WithDefaults returns c with every zero setting taken from Defaults and,
// when sandbox is set, every kind without a template given SandboxTemplates'.
func (c Config) WithDefaults(sandbox bool) Config {
	d := Defaults
	orDefault(&c.Rate, d.Rate)
	orDefault(&c.Workers, d.Workers)
	orDefault(&c.Batch, BatchPerWorker*c.Workers)
	orDefault(&c.Lease, d.Lease)
	orDefault(&c.MaxAttempts, d.MaxAttempts)
	orDefault(&c.Backoff, d.Backoff)
	orDefault(&c.MaxBackoff, d.MaxBackoff)
	orDefault(&c.Page, d.Page)
	t := map[recruit.NoticeKind]Template{}
	if sandbox {
		for k, v := range SandboxTemplates() {
			t[k] = v
		}
	}
	for k, v := range c.Templates {
		t[k] = v
	}
	c.Templates = t
	return c
}

// orDefault sets *v to d when it is the zero value.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

var keywordRe = regexp.MustCompile(`^[a-z_]+[0-9]+$`)

// Validate refuses templates that cannot be sent: an unknown kind, a
// missing id, a field without a keyword name like thing1, an unknown type,
// a source the kind's builder does not set, a time keyword fed from a
// non-time source (or the reverse), a keyword used twice. Every applicant
// kind needs a template; staff kinds may go without (inbox only).
func (c Config) Validate() error {
	f := recruit.FieldErrors{}
	for kind, t := range c.Templates {
		name := "notify.templates." + string(kind)
		if !kind.Valid() {
			f.Add(name, "未知的通知类别："+string(kind))
			continue
		}
		if t.ID == "" || len(t.Fields) == 0 {
			f.Add(name, "缺少模板编号或字段")
		}
		seen := map[string]bool{}
		for i, fl := range t.Fields {
			at := fmt.Sprintf("%s.fields[%d]", name, i)
			_, typed := Types[fl.Type]
			switch {
			case !keywordRe.MatchString(fl.Keyword) || seen[fl.Keyword]:
				f.Add(at, "关键词名称无效或重复（例如 thing1）："+fl.Keyword)
			case !typed:
				f.Add(at, "未知的关键词类型："+fl.Type)
			case !hasSource(kind, fl.Source):
				f.Add(at, "该类别没有此取值来源："+fl.Source)
			case (fl.Type == TypeTime) != TimeSources[fl.Source]:
				f.Add(at, "时间类型的关键词必须取时间来源（time、deadline），其他类型不能取时间来源")
			}
			seen[fl.Keyword] = true
		}
	}
	for _, kind := range recruit.NoticeKinds {
		if _, ok := c.Templates[kind]; !ok && !kind.ToStaff() {
			f.Add("notify.templates."+string(kind), "缺少该类别的模板配置："+string(kind))
		}
	}
	if c.Rate <= 0 || c.Workers <= 0 || c.Batch <= 0 || c.MaxAttempts <= 0 || c.Lease <= 0 || c.Backoff <= 0 || c.MaxBackoff < c.Backoff {
		f.Add("notify.rate", "发送速率、并发数、批量、重试次数、租约和重试间隔必须为正数，最长间隔不小于首次间隔")
	}
	return f.Err()
}

func hasSource(kind recruit.NoticeKind, src string) bool {
	for _, s := range Sources[kind] {
		if s == src {
			return true
		}
	}
	return false
}

// SandboxTemplates are working templates for the sandbox: for every kind,
// one keyword per source value, typed as a real template would be.
func SandboxTemplates() map[recruit.NoticeKind]Template {
	types := map[string]string{SrcBase: TypeThing, SrcSpecialty: TypeThing, SrcState: TypePhrase, SrcRemark: TypeThing,
		SrcPlace: TypeThing, SrcTime: TypeTime, SrcDeadline: TypeTime, SrcRound: TypeThing, SrcName: TypeName, SrcCount: TypeNumber}
	out := map[recruit.NoticeKind]Template{}
	for kind, srcs := range Sources {
		t := Template{ID: "sandbox-" + string(kind)}
		for i, s := range srcs {
			typ := types[s]
			t.Fields = append(t.Fields, Field{Keyword: fmt.Sprintf("%s%d", typ, i+1), Source: s, Type: typ})
		}
		out[kind] = t
	}
	return out
}
