package regform

import "strings"

// noLineStart holds closing punctuation that must not begin a line (kinsoku
// shori): full-width and ASCII closing marks, pauses and stops.
const noLineStart = "，。：；、）」』》〉】〕］｝！？…·％’”" + ",.:;!?)]}%"

// noLineEnd holds opening punctuation that must not end a line.
const noLineEnd = "（「『《〈【〔［｛‘“" + "([{"

// wrapText breaks text into lines no wider than width, measuring each rune
// with runeWidth. Newlines in text end a line. A line never starts with
// closing punctuation nor ends with opening punctuation: the break moves
// back, pulling the preceding characters down to the next line. A run of
// ASCII letters and digits is not split unless it is wider than a line by
// itself. Spaces at a break are dropped. Every other rune of text appears
// in the result exactly once and in order, so nothing is cut off; a rune
// wider than width gets a line of its own.
func wrapText(text string, width float64, runeWidth func(rune) float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapParagraph([]rune(para), width, runeWidth)...)
	}
	return lines
}

func wrapParagraph(rs []rune, width float64, runeWidth func(rune) float64) []string {
	var lines []string
	start := 0
	for {
		if len(lines) > 0 {
			for start < len(rs) && rs[start] == ' ' {
				start++ // spaces carried over a break
			}
			if start == len(rs) {
				return lines
			}
		}
		end, used := start, 0.0
		for end < len(rs) && (end == start || used+runeWidth(rs[end]) <= width) {
			used += runeWidth(rs[end])
			end++
		}
		if end < len(rs) {
			end = breakBefore(rs, start, end)
		}
		lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
		if end >= len(rs) {
			return lines
		}
		start = end
	}
}

// breakBefore returns where the line rs[start:end] that overflowed before
// rs[end] should end: the last position in (start, end] allowed by every
// rule, else the last allowed by the punctuation rules alone, else end.
func breakBefore(rs []rune, start, end int) int {
	for _, ok := range []func([]rune, int) bool{breakAllowed, punctuationAllows} {
		for i := end; i > start; i-- {
			if ok(rs, i) {
				return i
			}
		}
	}
	return end
}

// punctuationAllows reports whether a line may end before rs[i]: the next
// line, spaces dropped, must not start with closing punctuation and this
// one must not end with opening punctuation.
func punctuationAllows(rs []rune, i int) bool {
	next := i
	for next < len(rs)-1 && rs[next] == ' ' {
		next++
	}
	return !strings.ContainsRune(noLineStart, rs[next]) && !strings.ContainsRune(noLineEnd, rs[i-1])
}

// breakAllowed reports whether a line may end before rs[i] without breaking
// punctuation rules or an ASCII word.
func breakAllowed(rs []rune, i int) bool {
	return punctuationAllows(rs, i) && !(isWordRune(rs[i-1]) && isWordRune(rs[i]))
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
