package storetest

import (
	"context"
	"slices"
	"testing"

	"zhupei/recruit"
)

// UnappliedIdentities pages, in id order, the bound identities without an
// application of the year: an application of another year does not count,
// an unbound identity is left out, and every page size gives the same ids.
func testUnappliedIdentities(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, planRows)["齐鲁医院/0100"].ID
	other := importRows(t, s, 2024, planRows)["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "unapplied", 9)
	for _, i := range []int{1, 2, 4, 5} { // applied in 2025
		_, err := s.SubmitChoice(ctx, ids[i], 2025, 0, recruit.Choice{ProgramID: p}, t0, nil)
		must(t, "SubmitChoice", err)
	}
	_, err := s.SubmitChoice(ctx, ids[3], 2024, 0, recruit.Choice{ProgramID: other}, t0, nil)
	must(t, "SubmitChoice of 2024", err)
	must(t, "UnbindIdentity", s.UnbindIdentity(ctx, ids[7]))
	want := []int64{ids[0], ids[3], ids[6], ids[8]}

	for _, limit := range []int{1, 2, 3, 4, 100} {
		var got []int64
		after := int64(0)
		for calls := 0; ; calls++ {
			if calls > len(ids) {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page, err := s.UnappliedIdentities(ctx, 2025, after, limit)
			must(t, "UnappliedIdentities", err)
			if len(page) > limit {
				t.Fatalf("limit %d: a page of %d ids", limit, len(page))
			}
			got = append(got, page...)
			if len(page) < limit {
				break
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: unapplied identities %v, want %v", limit, got, want)
		}
	}
	if got, err := s.UnappliedIdentities(ctx, 2026, ids[6], 10); err != nil || !slices.Equal(got, []int64{ids[8]}) {
		t.Errorf("a year nobody applied in, after %d: %v, %v; want [%d]", ids[6], got, err, ids[8])
	}
	for _, c := range []struct{ year, limit int }{{2025, 0}, {2025, -1}, {0, 10}} {
		_, err := s.UnappliedIdentities(ctx, c.year, 0, c.limit)
		wantErr(t, "UnappliedIdentities with a bad page", err, recruit.CheckPage(c.year, c.limit))
	}
}
