package apply_test

import (
	"context"
	"reflect"
	"testing"

	"zhupei/recruit"
)

func TestRankVacancies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	_, a := f.filled(t, 1)
	f.setPhase(t, recruit.PhaseAdjustment) // the choice below is new in adjustment
	a = f.load(t, a.Identity)
	if _, err := f.svc.RankVacancies(ctx, a, []int64{f.progA1}); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
		t.Errorf("before a choice: %v, want EFORBIDDEN", err)
	}
	if _, err := f.svc.Choose(ctx, a, 0, recruit.Choice{ProgramID: f.progA1}); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Vacancies(ctx, a)
	if err != nil || v.Refusal != nil || len(v.Ranked) != 1 || v.Ranked[0].ID != f.progA1 || v.Ranked[0].BaseName != "甲医院" {
		t.Fatalf("Vacancies before ranking = %+v, %v; want the choice alone", v, err)
	}

	// 乙医院 内科 is full.
	if err := f.store.ImportPlan(ctx, testYear, []recruit.PlanRow{{Line: 1, BaseName: "乙医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 0}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ids  []int64
		code string
	}{
		{"the choice not first", []int64{f.progA2, f.progA1}, recruit.EINVALID},
		{"four", []int64{f.progA1, f.progA2, f.progB1, 999}, recruit.EINVALID},
		{"a repeated program", []int64{f.progA1, f.progA2, f.progA2}, recruit.EINVALID},
		{"no such program", []int64{f.progA1, 99999}, recruit.EINVALID},
		{"a full program", []int64{f.progA1, f.progB1}, recruit.ECONFLICT},
	} {
		if _, err := f.svc.RankVacancies(ctx, a, c.ids); recruit.ErrorCode(err) != c.code || recruit.ErrorMessage(err) == "" {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := f.store.GetVacancyPrefs(ctx, a.App.ID); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("a refused ranking was stored: %v", err)
	}
	p, err := f.svc.RankVacancies(ctx, a, []int64{f.progA1, f.progA2})
	if err != nil || !reflect.DeepEqual(p.ProgramIDs, []int64{f.progA1, f.progA2}) {
		t.Fatalf("RankVacancies = %+v, %v", p, err)
	}
	v, err = f.svc.Vacancies(ctx, a)
	if err != nil || len(v.Ranked) != 2 || v.Ranked[1].ID != f.progA2 {
		t.Errorf("Vacancies after ranking = %+v, %v", v, err)
	}

	f.setPhase(t, recruit.PhaseConfirmation)
	a = f.load(t, a.Identity)
	if _, err := f.svc.RankVacancies(ctx, a, []int64{f.progA1}); recruit.ErrorCode(err) != recruit.EFORBIDDEN {
		t.Errorf("in confirmation: %v, want EFORBIDDEN", err)
	}
	if v, err := f.svc.Vacancies(ctx, a); err != nil || v.Refusal == nil || len(v.Ranked) != 2 {
		t.Errorf("Vacancies in confirmation = %+v, %v; want the ranking, refused", v, err)
	}
}
