package recruit

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Publication is one 对外公示 of a base's list: in a review round
// (round1, round2, adjustment) its provisional list (拟录取名单), in the
// confirmation phase its final list (录取名单). Publications are never
// changed or removed: publishing again after changes adds a newer one and
// the earlier stay visible as superseded.
type Publication struct {
	ID          int64            `json:"id"`
	Year        int              `json:"year"`
	BaseID      int64            `json:"base_id"`
	Round       Phase            `json:"round"`
	StaffID     int64            `json:"-"`
	PublishedAt time.Time        `json:"published_at"`
	Entries     []PublishedEntry `json:"entries"`
}

// PublishedEntry is one line of a published list. Name is masked
// (MaskName) before it is stored: a publication holds no personal data in
// clear. ApplicationID is internal: it tells which applications were made
// public (an undo is refused after that).
type PublishedEntry struct {
	ApplicationID int64  `json:"-"`
	Name          string `json:"name"`
	SpecialtyCode string `json:"specialty_code"`
	SpecialtyName string `json:"specialty_name"`
}

// Final reports whether p is a final list (录取名单).
func (p Publication) Final() bool { return p.Round == PhaseConfirmation }

// Title is the list's Chinese name: 一志愿拟录取名单, 录取名单, ….
func (p Publication) Title() string { return ListTitle(p.Round) }

// ListTitle is the Chinese name of the list published in round.
func ListTitle(round Phase) string {
	switch round {
	case PhaseRound1:
		return "一志愿拟录取名单"
	case PhaseRound2:
		return "二志愿拟录取名单"
	case PhaseAdjustment:
		return "调剂拟录取名单"
	}
	return "录取名单"
}

// Lists returns whether the entries of p and q are the same lines.
func (p Publication) Lists(q Publication) bool {
	return slices.Equal(p.Entries, q.Entries)
}

// Includes reports whether application appID is on the list.
func (p Publication) Includes(appID int64) bool {
	return slices.ContainsFunc(p.Entries, func(e PublishedEntry) bool { return e.ApplicationID == appID })
}

// PublishAction is the base action that publishes the list of phase p:
// the final list from confirmation on, else the provisional list.
func PublishAction(p Phase) Action {
	if p == PhaseConfirmation || p == PhaseClosed {
		return ActionPublishFinal
	}
	return ActionPublish
}

// PublishableRound reports whether a list can be published for round: a
// review round or the confirmation phase.
func PublishableRound(round Phase) bool { return reviewPhase(round) || round == PhaseConfirmation }

const msgBadPublication = "公示名单缺少年度、培训基地、批次、公示时间或人员信息"

// CleanPublication trims p's entries and refuses a publication without a
// year, base, publishable round, time or entries, or with an entry without
// application, name or specialty.
func CleanPublication(p Publication) (Publication, error) {
	if p.Year <= 0 || p.BaseID <= 0 || !PublishableRound(p.Round) || p.PublishedAt.IsZero() || len(p.Entries) == 0 {
		return Publication{}, Errorf(EINVALID, msgBadPublication)
	}
	entries := make([]PublishedEntry, len(p.Entries))
	for i, e := range p.Entries {
		e.Name, e.SpecialtyCode, e.SpecialtyName = strings.TrimSpace(e.Name), strings.TrimSpace(e.SpecialtyCode), strings.TrimSpace(e.SpecialtyName)
		if e.ApplicationID <= 0 || e.Name == "" || e.SpecialtyName == "" {
			return Publication{}, Errorf(EINVALID, msgBadPublication)
		}
		entries[i] = e
	}
	p.Entries = entries
	return p, nil
}

// Publications keeps the published lists.
type Publications interface {
	// AddPublication appends p (CleanPublication; p.ID is ignored) and
	// returns it with its id; ids grow with every publication. ENOTFOUND
	// (BaseNotFound) for a missing base.
	AddPublication(ctx context.Context, p Publication) (Publication, error)
	// ListPublications returns the publications of the year, of one base
	// when baseID is not 0, newest (largest id) first.
	ListPublications(ctx context.Context, year int, baseID int64) ([]Publication, error)
}
