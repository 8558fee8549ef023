package notify

import (
	"strings"
	"time"
	"unicode"

	"zhupei/recruit"
)

// Keyword types of template and subscribe messages since 2023: each value
// must fit its type or WeChat refuses the message.
const (
	TypeThing  = "thing"            // ≤ 20 characters
	TypePhrase = "phrase"           // ≤ 5 Chinese characters only
	TypeName   = "name"             // ≤ 10 characters
	TypeString = "character_string" // ≤ 32 letters, digits and symbols
	TypeNumber = "number"           // ≤ 32 digits
	TypeTime   = "time"             // TimeLayout
)

// Types lists every keyword type with its length limit (0: fixed format).
var Types = map[string]int{TypeThing: 20, TypePhrase: 5, TypeName: 10, TypeString: 32, TypeNumber: 32, TypeTime: 0}

// TimeLayout is the format of a time keyword.
const TimeLayout = "2006年01月02日 15:04"

const ellipsis = "…"

// Fit returns v as a value of keyword type typ: line breaks and other
// control characters become spaces, runs of spaces one space, characters the
// type does not allow are dropped, and a value that is too long is cut, with
// … where the type allows it. A time source (RFC 3339) is formatted as
// TimeLayout in Asia/Shanghai.
func Fit(typ, v string) string {
	v = oneLine(v)
	switch typ {
	case TypeTime:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return ""
		}
		return t.In(recruit.Shanghai).Format(TimeLayout)
	case TypePhrase:
		v = keep(v, func(r rune) bool { return unicode.Is(unicode.Han, r) })
		return cut(v, Types[typ], "")
	case TypeString:
		v = keep(v, func(r rune) bool { return r > ' ' && r <= '~' })
		return cut(v, Types[typ], "...")
	case TypeNumber:
		v = keep(v, func(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == '-' })
		return cut(v, Types[typ], "")
	}
	return cut(v, Types[typ], ellipsis)
}

// oneLine replaces control and separator characters by spaces, collapses
// runs of spaces and trims the ends.
func oneLine(v string) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.In(r, unicode.Zl, unicode.Zp) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, v)
	return strings.Join(strings.Fields(v), " ")
}

func keep(v string, ok func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if ok(r) {
			return r
		}
		return -1
	}, v)
}

// cut shortens v to at most max runes, ending with mark when it was cut.
func cut(v string, max int, mark string) string {
	r := []rune(v)
	if len(r) <= max {
		return v
	}
	return strings.TrimSpace(string(r[:max-len([]rune(mark))])) + mark
}
