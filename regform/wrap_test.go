package regform

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// unitWidth measures every rune as 1.
func unitWidth(rune) float64 { return 1 }

func TestWrapText(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"fits", "abc", 10, []string{"abc"}},
		{"empty", "", 5, []string{""}},
		{"plain CJK", "一二三四五六", 4, []string{"一二三四", "五六"}},
		{"comma pulls previous char", "一二三四，五六", 4, []string{"一二三", "四，五六"}},
		{"full stop pulls previous char", "甲乙丙丁。", 4, []string{"甲乙丙", "丁。"}},
		{"closing run pulls previous char", "一二三）。五", 3, []string{"一二", "三）。", "五"}},
		{"enumeration comma and colon", "内科、外科：儿科", 2, []string{"内", "科、", "外", "科：", "儿科"}},
		{"ASCII closing punctuation", "abc de, fg", 6, []string{"abc", "de, fg"}},
		{"opening bracket not at line end", "一二（三）", 3, []string{"一二", "（三）"}},
		{"ASCII word kept whole", "报名 abc123 def", 8, []string{"报名", "abc123", "def"}},
		{"long word split", "1234567890", 4, []string{"1234", "5678", "90"}},
		{"newline", "一\n二", 5, []string{"一", "二"}},
		{"rune wider than line", "一二", 0.5, []string{"一", "二"}},
		{"only punctuation", "，，，，，", 2, []string{"，，", "，，", "，"}},
		{"trailing spaces dropped at break", "ab   ", 2, []string{"ab"}},
		{"space before closing punctuation", "一二 ，三", 3, []string{"一", "二 ，", "三"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapText(tc.text, tc.width, unitWidth)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("wrapText(%q, %v) = %q, want %q", tc.text, tc.width, got, tc.want)
			}
		})
	}
}

func TestWrapTextHalfWidthASCII(t *testing.T) {
	half := func(r rune) float64 {
		if r < 0x80 {
			return 0.5
		}
		return 1
	}
	got := wrapText("手机13800138000，邮箱", 4, half)
	want := []string{"手机", "13800138", "000，邮", "箱"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestWrapTextProperties checks on random text that wrapping keeps every
// rune in order, respects the width, and starts a line with closing
// punctuation only when the previous line offered no other break.
func TestWrapTextProperties(t *testing.T) {
	alphabet := []rune("一二三四五六七八九十ab12，。、：；）（」「》《！？")
	rng := rand.New(rand.NewSource(1))
	for n := 0; n < 2000; n++ {
		rs := make([]rune, rng.Intn(40))
		for i := range rs {
			rs[i] = alphabet[rng.Intn(len(alphabet))]
		}
		text := string(rs)
		width := float64(2 + rng.Intn(8))
		lines := wrapText(text, width, unitWidth)
		if got := strings.Join(lines, ""); got != text {
			t.Fatalf("wrapText(%q, %v) = %q: runes lost or reordered", text, width, lines)
		}
		for i, l := range lines {
			lr := []rune(l)
			if float64(len(lr)) > width {
				t.Fatalf("wrapText(%q, %v): line %q too wide", text, width, l)
			}
			if i == 0 || !strings.ContainsRune(noLineStart, lr[0]) {
				continue
			}
			prev := []rune(lines[i-1])
			joined := append(append([]rune{}, prev...), lr...)
			for j := 1; j < len(prev); j++ {
				if !strings.ContainsRune(noLineStart, joined[j]) && !strings.ContainsRune(noLineEnd, joined[j-1]) {
					t.Fatalf("wrapText(%q, %v) = %q: line %q starts with closing punctuation though %q could break at %d",
						text, width, lines, l, lines[i-1], j)
				}
			}
		}
	}
}
