package handlers

import (
	"time"

	"zhupei/recruit"
)

// publishedList is one list of a base as /results shows it: the current
// publication of a round (or of the final list) and the earlier ones it
// superseded, newest first.
type publishedList struct {
	Round   recruit.Phase     `json:"round"`
	Title   string            `json:"title"`
	Final   bool              `json:"final"`
	Current publicationView   `json:"current"`
	Earlier []publicationView `json:"earlier"`
}

// publicationView is one publication: when, and the masked names.
type publicationView struct {
	PublishedAt time.Time                `json:"published_at"`
	Entries     []recruit.PublishedEntry `json:"entries"`
}

// At is the publication time as the pages write it.
func (v publicationView) At() string { return formatTime(v.PublishedAt) }

// lists returns base's published lists in calendar order (round1, round2,
// adjustment, then the final list).
func (snap *snapshot) lists(base int64) []publishedList {
	var out []publishedList
	for _, round := range append(recruit.Rounds[:len(recruit.Rounds):len(recruit.Rounds)], recruit.PhaseConfirmation) {
		var l *publishedList
		for _, p := range snap.Publications { // newest first
			if p.BaseID != base || p.Round != round {
				continue
			}
			v := publicationView{PublishedAt: p.PublishedAt, Entries: p.Entries}
			if l == nil {
				l = &publishedList{Round: round, Title: p.Title(), Final: p.Final(), Current: v, Earlier: []publicationView{}}
				continue
			}
			l.Earlier = append(l.Earlier, v)
		}
		if l != nil {
			out = append(out, *l)
		}
	}
	return out
}

// Provisional is the number of seats held by provisional admissions.
func (r baseResult) Provisional() int { return r.Admitted - r.Final }

// LastPublished is the time of the base's newest publication as the pages
// write it, "" when it has none.
func (r baseResult) LastPublished() string {
	var t time.Time
	for _, l := range r.Lists {
		if l.Current.PublishedAt.After(t) {
			t = l.Current.PublishedAt
		}
	}
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}
