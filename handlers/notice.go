package handlers

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"zhupei/recruit"
)

// notice is the year's 温馨提示 split for display: free text before the first
// numbered item, then the items "1." "2." … without their numbers.
type notice struct {
	Intro []string
	Items []string
}

// parseNotice splits plain notice text into intro lines and numbered items.
// Items are found in sequence (1, 2, 3, …) as "k." "k．" or "k、" at the start
// of the text or after white space or a sentence end, whether they sit on
// their own lines or run on in one line as in the seed's notice.
func parseNotice(text string) notice {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var n notice
	starts := []int{} // byte offset where each item's marker begins
	ends := []int{}   // byte offset just after each marker
	from := 0
	for k := 1; ; k++ {
		at, end := findMarker(text, from, k)
		if at < 0 {
			break
		}
		starts = append(starts, at)
		ends = append(ends, end)
		from = end
	}
	head := text
	if len(starts) > 0 {
		head = text[:starts[0]]
	}
	for _, line := range strings.Split(head, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			n.Intro = append(n.Intro, line)
		}
	}
	for i := range starts {
		stop := len(text)
		if i+1 < len(starts) {
			stop = starts[i+1]
		}
		if item := strings.TrimSpace(text[ends[i]:stop]); item != "" {
			n.Items = append(n.Items, item)
		}
	}
	return n
}

// findMarker returns where the marker of item k starts and ends at or after
// from, or -1.
func findMarker(text string, from, k int) (int, int) {
	num := strconv.Itoa(k)
	for i := from; i < len(text); {
		j := strings.Index(text[i:], num)
		if j < 0 {
			return -1, -1
		}
		at := i + j
		end := at + len(num)
		if markerBoundary(text, at) {
			for _, sep := range []string{".", "．", "、"} {
				if strings.HasPrefix(text[end:], sep) {
					rest := text[end+len(sep):]
					if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsDigit(r) {
						return at, end + len(sep)
					}
				}
			}
		}
		i = end
	}
	return -1, -1
}

// markerBoundary reports whether an item number may start at byte at: at the
// start of the text or after white space or 。；：.
func markerBoundary(text string, at int) bool {
	if at == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:at])
	return unicode.IsSpace(r) || strings.ContainsRune("。；：;:", r)
}

// phaseRow is one line of the calendar shown on the home page.
type phaseRow struct {
	Label   string
	From    string
	To      string // empty for the open-ended last phase
	Current bool
}

// calendarRows lists the phases from registration on with their dates in
// Asia/Shanghai; a phase ends the day before the next one starts.
func calendarRows(c recruit.Calendar, now time.Time) []phaseRow {
	current := c.PhaseAt(now)
	phases := []struct {
		phase      recruit.Phase
		start, end time.Time
	}{
		{recruit.PhaseRegistration, c.Registration, c.Round1},
		{recruit.PhaseRound1, c.Round1, c.Round2},
		{recruit.PhaseRound2, c.Round2, c.Adjustment},
		{recruit.PhaseAdjustment, c.Adjustment, c.Confirmation},
		{recruit.PhaseConfirmation, c.Confirmation, c.Closed},
		{recruit.PhaseClosed, c.Closed, time.Time{}},
	}
	rows := make([]phaseRow, 0, len(phases))
	for _, p := range phases {
		row := phaseRow{Label: p.phase.Label(), From: recruit.ChineseDate(p.start), Current: p.phase == current}
		if !p.end.IsZero() {
			row.To = recruit.ChineseDate(p.end.Add(-time.Nanosecond))
		}
		rows = append(rows, row)
	}
	return rows
}
