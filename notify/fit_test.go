package notify_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"zhupei/notify"
	"zhupei/recruit"
)

// fits states the 2023 keyword rules independently of notify.Fit.
func fits(typ, v string) bool {
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n\u2028\u2029\u0085") {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	switch typ {
	case notify.TypeThing:
		return n <= 20
	case notify.TypeName:
		return n <= 10
	case notify.TypePhrase:
		for _, r := range v {
			if !unicode.Is(unicode.Han, r) {
				return false
			}
		}
		return n <= 5
	case notify.TypeString:
		for _, r := range v {
			if r <= ' ' || r > '~' {
				return false
			}
		}
		return n <= 32
	case notify.TypeNumber:
		return n <= 32 && strings.Trim(v, "0123456789.-") == ""
	case notify.TypeTime:
		_, err := time.ParseInLocation(notify.TimeLayout, v, recruit.Shanghai)
		return v == "" || err == nil
	}
	return false
}

// randomText mixes Chinese, Latin, digits, emoji, line breaks, tabs,
// separators and invalid bytes, up to 80 runes.
func randomText(r *rand.Rand) string {
	pools := []string{"内科外科审核未通过请补充材料齐鲁医院山东省立医院", "abcXYZ", "0123456789", "😀👍🏥", "\n\r\t\u2028\u2029\u0085 \u3000", "，。！？…—《》", "\xff\xfe"}
	var b strings.Builder
	for n := r.IntN(80); n > 0; n-- {
		p := []rune(pools[r.IntN(len(pools))])
		if r.IntN(20) == 0 {
			b.WriteString("\xff")
			continue
		}
		b.WriteRune(p[r.IntN(len(p))])
	}
	return b.String()
}

// Every keyword value the builders produce from random remarks, names and
// places fits its type and has no line break, for every kind and the
// sandbox's templates.
func TestTemplateValuesFitTheirTypes(t *testing.T) {
	r := rand.New(rand.NewPCG(2025, 7))
	templates := notify.SandboxTemplates()
	for i := 0; i < 3000; i++ {
		prog := recruit.Program{ID: 1, BaseName: randomText(r), SpecialtyName: randomText(r)}
		app := recruit.Application{ID: 1, IdentityID: 1, State: recruit.StatePending, UpdatedAt: start}
		at := start.Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
		staff := recruit.Staff{ID: 1, Name: randomText(r)}
		ns := []recruit.Notification{
			notify.Registered(app, prog, at),
			notify.ReviewResult(app, prog, r.IntN(2) == 0, randomText(r), at),
			notify.ExamNotice(app, prog, at, randomText(r), at),
			notify.InterviewNotice(app, prog, at, randomText(r), at),
			notify.Provisional(app, prog, at, at),
			notify.OfferVoid(app, prog, randomText(r), at),
			notify.Admitted(app, prog, at),
			notify.RoundOpened(1, 2025, recruit.PhaseAdjustment, at, at, at),
			notify.StaffReviewStarted(staff, randomText(r), 2025, r.IntN(100000), at),
			notify.StaffDeadline(staff, randomText(r), r.IntN(100000), at, at),
			notify.StaffConfirmation(staff, randomText(r), 2025, r.IntN(100000), at),
		}
		for _, n := range ns {
			if err := recruit.CheckNotification(n); err != nil {
				t.Fatalf("%s: %v", n.Kind, err)
			}
			tpl := templates[n.Kind]
			data := notify.Data(tpl, n.Values)
			for _, f := range tpl.Fields {
				if v := data[f.Keyword]; !fits(f.Type, v) {
					t.Fatalf("%s %s (%s) = %q from %q", n.Kind, f.Keyword, f.Type, v, n.Values[f.Source])
				}
			}
		}
		// Every type over raw random text, too.
		for typ := range notify.Types {
			src := randomText(r)
			if typ == notify.TypeTime {
				src = at.Format(time.RFC3339)
			}
			if v := notify.Fit(typ, src); !fits(typ, v) {
				t.Fatalf("Fit(%s, %q) = %q", typ, src, v)
			}
		}
	}
}

// Cutting keeps what fits and marks what it cut.
func TestFitExamples(t *testing.T) {
	cases := []struct{ typ, in, want string }{
		{notify.TypeThing, "您的报名材料中学历证书扫描件不清晰，请重新上传后再次提交", "您的报名材料中学历证书扫描件不清晰，请…"},
		{notify.TypeThing, "第一行\n第二行", "第一行 第二行"},
		{notify.TypePhrase, "审核不通过了", "审核不通过"},
		{notify.TypePhrase, "OK 通过", "通过"},
		{notify.TypeName, "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜…"},
		{notify.TypeString, "报名号 A-2025-0001", "A-2025-0001"},
		{notify.TypeNumber, "共 12 份", "12"},
		{notify.TypeTime, "2025-07-01T02:00:00Z", "2025年07月01日 10:00"},
		{notify.TypeTime, "not a time", ""},
	}
	for _, c := range cases {
		if got := notify.Fit(c.typ, c.in); got != c.want {
			t.Errorf("Fit(%s, %q) = %q, want %q", c.typ, c.in, got, c.want)
		}
	}
}
