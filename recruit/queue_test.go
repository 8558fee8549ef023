package recruit

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEducationDateIssues(t *testing.T) {
	for _, c := range []struct {
		name  string
		birth string
		rec   Education
		n     int
		parts []string // of the issues, joined
	}{
		{"believable", "1996-05-01", Education{Level: EduBachelor, StartDate: "2014-09-01", GraduationDate: "2019-07-01"}, 0, nil},
		{"before birth", "1996-05-01", Education{Level: EduBachelor, School: "山东大学", StartDate: "1996-04-30"}, 1, []string{"本科，山东大学", "入学时间 1996-04-30早于出生日期"}},
		{"on the birth day", "1996-05-01", Education{Level: EduJunior, GraduationDate: "1996-05-01"}, 1, []string{"毕业时间 1996-05-01早于出生日期"}},
		{"too young", "1996-05-01", Education{Level: EduBachelor, StartDate: "2010-04-30", DegreeDate: "2010-05-01"}, 1, []string{"入学时间 2010-04-30时不满14周岁"}},
		{"no birth date", "", Education{StartDate: "1900-01-01"}, 0, nil},
		{"a blank date", "1996-05-01", Education{StartDate: ""}, 0, nil},
	} {
		got := EducationDateIssues(c.birth, []Education{c.rec})
		all := strings.Join(got, "|")
		if len(got) != c.n {
			t.Errorf("%s: %q, want %d issues", c.name, got, c.n)
		}
		for _, part := range c.parts {
			if !strings.Contains(all, part) {
				t.Errorf("%s: issues %q lack %q", c.name, all, part)
			}
		}
	}
}

func TestIDSearchKeys(t *testing.T) {
	s, err := NewSealer("queue test key, not a secret")
	if err != nil {
		t.Fatal(err)
	}
	keys := IDSearchKeys(s, "11010519491231002x")
	for _, kw := range []string{"002X", "1002x", "231002X", "1231002X", "11010519491231002X"} {
		if !slices.Contains(keys, IDSearchKey(s, kw)) {
			t.Errorf("keyword %q does not find the number", kw)
		}
	}
	for _, kw := range []string{"002", "0519", "123456789", "张三", "1002"} {
		if k := IDSearchKey(s, kw); k != "" && slices.Contains(keys, k) {
			t.Errorf("keyword %q finds the number", kw)
		}
	}
	if IDSearchKey(s, "张三") != "" || IDSearchKey(s, "123") != "" {
		t.Error("a name or three digits got an ID key")
	}
	for _, k := range keys {
		if strings.Contains(k, "002") {
			t.Errorf("key %q shows the number", k)
		}
	}
}

func TestNewSearchAndFlags(t *testing.T) {
	s, err := NewSealer("queue test key, not a secret")
	if err != nil {
		t.Fatal(err)
	}
	p := Profile{Basic: &Basic{Name: " 张三 ", Phone: "13800000000", Email: " A@X.cn", PhotoID: "p1"},
		Education: []Education{{Level: EduJunior, School: "卫校", DiplomaNo: " d1 "}, {Level: EduBachelor, School: "山东大学", DiplomaNo: "D1", StartDate: "1949-01-01"}}}
	got := NewSearch(s, p, "张三丰", IDTypeResident, "11010519491231002X", "hash")
	if got.Name != "张三" || got.Email != "a@x.cn" || got.School != "山东大学" || !slices.Equal(got.Schools, []string{"卫校", "山东大学"}) ||
		got.PhotoHash != "hash" || len(got.DateIssues) != 1 {
		t.Errorf("NewSearch = %+v", got)
	}
	if keys := got.DupKeys(); !slices.Equal(keys, []string{"phone:13800000000", "email:a@x.cn", "diploma:D1", "photo:hash"}) {
		t.Errorf("DupKeys = %q", keys)
	}
	flags := Flags([]string{DupPhoto, DupPhone, DupPhone}, got.DateIssues)
	if len(flags) != 3 || flags[0].Kind != DupPhone || flags[1].Kind != DupPhoto || flags[2].Kind != FlagDates {
		t.Errorf("Flags = %+v", flags)
	}
}

func TestCheckBulkIDs(t *testing.T) {
	for _, c := range []struct {
		ids  []int64
		want string
	}{
		{[]int64{1, 2}, ""}, {nil, "请选择"}, {[]int64{1, 0}, "编号无效"}, {[]int64{3, 3}, "重复"},
		{make([]int64, MaxBulkReview+1), "最多审核 500 份"},
	} {
		err := CheckBulkIDs(c.ids)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(ErrorMessage(err), c.want)) {
			t.Errorf("CheckBulkIDs(%d ids) = %v, want %q", len(c.ids), err, c.want)
		}
	}
	err := BulkRefusal(map[int64]string{9: "b", 3: "a"})
	if ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "报名 3：a；报名 9：b") {
		t.Errorf("BulkRefusal = %v", err)
	}
}

func TestRoundWindow(t *testing.T) {
	cal := DefaultCalendar(2025)
	at := func(round Phase, t0 time.Time) bool {
		from, to := RoundWindow(cal, round)
		return !t0.Before(from) && (to.IsZero() || t0.Before(to))
	}
	for _, c := range []struct {
		when time.Time
		want Phase
	}{{cal.Registration, PhaseRound1}, {cal.Round2.Add(-time.Second), PhaseRound1}, {cal.Round2, PhaseRound2}, {cal.Adjustment, PhaseAdjustment}, {cal.Closed, PhaseAdjustment}} {
		for _, r := range Rounds {
			if at(r, c.when) != (r == c.want) {
				t.Errorf("%v in %s: %v, want only in %s", c.when, r, at(r, c.when), c.want)
			}
		}
	}
}
