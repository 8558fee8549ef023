package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestLapsedOffersUseTheIndex checks the plan of the expiry job's query,
// as the read pool prepares it with its arguments bound: a search of the
// partial index of open offers, neither a scan of the applications nor a
// sort.
func TestLapsedOffersUseTheIndex(t *testing.T) {
	db := openTemp(t)
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+lapsedQuery, lapsedArgs(t0, 100)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(plan) != 1 || !strings.HasPrefix(plan[0], "SEARCH applications USING INDEX applications_open_offers ") {
		t.Errorf("plan %q, want one search of applications_open_offers", plan)
	}
}
