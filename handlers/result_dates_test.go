package handlers

import (
	"context"
	"net/http"
	"testing"
	"time"

	"zhupei/recruit"
)

// The result page shows the chosen base's dates of the applicant's round,
// and nothing of another base's.
func TestResultShowsBaseDates(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	m := f.newMember(t, 1)
	if _, err := f.store.SubmitChoice(ctx, m.id, testYear, 0, recruit.Choice{ProgramID: f.progA1}, testNow, nil); err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(testYear, time.July, d, h, 0, 0, 0, recruit.Shanghai) }
	wantMissing(t, "before any dates", f.page(t, m, "/result", http.StatusOK), `id="base-dates"`)
	for _, d := range []recruit.BaseDates{
		{Year: testYear, BaseID: f.baseA, Round: recruit.PhaseRound1, ReviewDeadline: at(20, 18), Interview: at(25, 9)},
		{Year: testYear, BaseID: f.baseB, Round: recruit.PhaseRound1, WrittenExam: at(22, 9)},
	} {
		if err := f.store.PutBaseDates(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	page := f.page(t, m, "/result", http.StatusOK)
	wantContains(t, "the base's dates", page, `id="base-dates"`, "一志愿审核、拟录取阶段", "审核截止", "2025年7月20日 18:00", "面试", "2025年7月25日 09:00")
	wantMissing(t, "another base's dates", page, "笔试", "2025年7月22日")
}
