package store

import (
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"zhupei/recruit"
)

// demoData holds the reference lists the demo year is built from: the
// national specialty catalogue and large Shandong training bases.
//
//go:embed demodata/specialties.csv demodata/bases-shandong.csv
var demoData embed.FS

// Title returns the title of recruitment year y.
func Title(y int) string {
	return fmt.Sprintf("%d年度山东省住院医师规范化培训招录报名系统", y)
}

// NewYear returns recruitment year y with calendar cal, the standard title
// and the seed manual's notice (温馨提示) with its dates taken from cal.
func NewYear(y int, cal recruit.Calendar) recruit.Year {
	return recruit.Year{Year: y, Title: Title(y), Notice: Notice(cal), Calendar: cal}
}

// Notice renders the seed manual's 温馨提示 (section 二, items 1–9) with the
// dates of cal.
func Notice(cal recruit.Calendar) string {
	first := cal.Registration.In(recruit.Shanghai).Year()
	day := func(t time.Time) string {
		t = t.In(recruit.Shanghai)
		if t.Year() != first {
			return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
		}
		return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
	}
	// last is the last day of a phase that lasts until next starts.
	last := func(next time.Time) string { return day(next.In(recruit.Shanghai).AddDate(0, 0, -1)) }
	items := []string{
		"拟报名人员可在各培训基地官网查看本年度招收通知。",
		fmt.Sprintf("报名端口开放时间为：%d年%s--%s。", first, day(cal.Registration), last(cal.Round1)),
		"拟报名人员点击本页面左侧的“立即报名”按钮进行PC端的信息填报或手机关注“住院医师数字化轮转平台”微信公众号，实名认证后，进入“住培山东”板块的“招录报名”栏目进行报名，报名时请逐项认真填写相关信息。关注公众号后，请在公众号设置中，取消“消息免打扰”，如不取消，则无法接收报名成功、培训基地审核等通知。",
		"信息提交后，可导出PDF版报名表。拟报名人员也可在报名端口开放时间内，随时登录招收报名系统查看或修改报名信息，每次信息修改后，请再次生成并导出PDF版报名表。",
		fmt.Sprintf("培训基地一志愿资格审核、拟录取时间：%s-%s。此时间段内，各培训基地可自行设定审核截止日期、笔试日期、面试日期、拟录取日期。审核通过后，信息和志愿将不可再修改；审核不通过的，仅能修改个人信息和报考专业，无法修改志愿为其他培训基地。培训基地对外公示的同时，需在平台点击拟录取人员名单，未按时间进行拟录取将影响后续招收工作进展，后果自负。", day(cal.Round1), last(cal.Round2)),
		fmt.Sprintf("培训基地二志愿审核、拟录取时间为：%s--%s。此时间段内，未被拟录取人员信息为可修改状态，可根据各培训基地二次招收简章重新修改志愿或个人信息；未参加第一批次招收人员可根据各培训基地二次招收简章进行注册报名；各培训基地可自行设定审核截止日期、笔试日期、面试日期、拟录取日期。审核通过后，信息和志愿将不可再修改；审核不通过的，仅能修改个人信息和报考专业，无法修改志愿为其他培训基地。培训基地对外公示的同时，需在平台点击拟录取人员名单，未按时间进行拟录取将影响后续招收工作进展，后果自负。", day(cal.Round2), last(cal.Adjustment)),
		fmt.Sprintf("调剂时间为：%s--%s。此时间段内，未被拟录取人员信息为可修改状态，可根据各培训基地招收情况重新修改志愿或个人信息；未参加第一、二批次招收人员可进行注册报名；培训基地需要对外公示并在平台点击调剂录取人员名单。", day(cal.Adjustment), last(cal.Confirmation)),
		"已被拟录取人员请根据培训基地要求进行后续体检、报到等事宜。各培训基地拟录取人员名单可在“结果查询”栏或各培训基地医院官网进行查看。",
		fmt.Sprintf("%s前，各基地医院核实招录数据，并将所有拟录取人员逐一点击录取。", last(cal.Closed)),
	}
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d. %s", i+1, it)
	}
	return b.String()
}

// DemoCalendar returns the seed's calendar for year y shifted so that
// registration opened at midnight (Asia/Shanghai) the day before now; every
// phase keeps its default length, so now falls in the registration phase.
func DemoCalendar(y int, now time.Time) recruit.Calendar {
	def := recruit.DefaultCalendar(y)
	n := now.In(recruit.Shanghai)
	start := time.Date(n.Year(), n.Month(), n.Day()-1, 0, 0, 0, 0, recruit.Shanghai)
	shift := func(t time.Time) time.Time {
		days := int(t.Sub(def.Registration).Hours()) / 24
		return start.AddDate(0, 0, days)
	}
	return recruit.Calendar{
		Registration: start,
		Round1:       shift(def.Round1),
		Round2:       shift(def.Round2),
		Adjustment:   shift(def.Adjustment),
		Confirmation: shift(def.Confirmation),
		Closed:       shift(def.Closed),
	}
}

// Demo fills year y with a demo: the calendar of DemoCalendar (registration
// open at now), the notice, plausible plans for the embedded bases and
// specialties, and offers that applicants must accept
// (offers.require_acceptance). It does nothing when year y already exists.
func Demo(ctx context.Context, st recruit.Store, y int, now time.Time) error {
	_, err := st.GetYear(ctx, y)
	if err == nil {
		return nil
	}
	if recruit.ErrorCode(err) != recruit.ENOTFOUND {
		return err
	}
	rows, err := DemoPlan()
	if err != nil {
		return err
	}
	// The plan goes in first: a year that exists is a complete demo.
	if err := st.ImportPlan(ctx, y, rows); err != nil {
		return err
	}
	year := NewYear(y, DemoCalendar(y, now))
	year.Offers.RequireAcceptance = true
	return st.PutYear(ctx, year)
}

// Demo plan shape: which bases are large, which offer TCM or dental
// training. Names are those of demodata/bases-shandong.csv.
var (
	demoLargeBases = setOf("山东大学齐鲁医院", "山东省立医院", "山东第一医科大学第一附属医院（山东省千佛山医院）",
		"山东大学第二医院", "青岛大学附属医院", "烟台毓璜顶医院", "潍坊市人民医院", "济宁医学院附属医院", "临沂市人民医院")
	demoTCMHospital = "山东省中医院"
	demoTCMBases    = setOf(demoTCMHospital, "青岛市市立医院", "潍坊医学院附属医院", "临沂市人民医院")
	demoDentalBases = setOf("山东大学齐鲁医院", "山东省立医院", "青岛大学附属医院", "滨州医学院烟台附属医院", "潍坊医学院附属医院")
	// demoTCMHospitalClinical are the clinical specialties the TCM hospital
	// also trains.
	demoTCMHospitalClinical = setOf("0100", "0300", "0700", "0800")
)

// Specialty codes with their own plan ranges in the demo.
const (
	codeInternal = "0100" // 内科
	codeGeneral  = "0700" // 全科
	codeSurgery  = "0900" // 外科
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// DemoPlan returns the demo plan: deterministic pseudo-random plan numbers
// (fixed seed) for the embedded bases and specialties. Large bases train
// 30–70 in 内科 and 20–50 in 外科, small specialties get 1–15 seats, not every
// base offers every specialty, TCM is trained at 山东省中医院 and a few others
// and dentistry at a few.
func DemoPlan() ([]recruit.PlanRow, error) {
	bases, err := readDemoCSV("demodata/bases-shandong.csv", "name", "city")
	if err != nil {
		return nil, err
	}
	specs, err := readDemoCSV("demodata/specialties.csv", "code", "name", "group")
	if err != nil {
		return nil, err
	}
	rnd := rand.New(rand.NewPCG(2023, 711))
	between := func(lo, hi int) int { return lo + rnd.IntN(hi-lo+1) }
	var rows []recruit.PlanRow
	for _, b := range bases {
		name, large := b[0], demoLargeBases[b[0]]
		for _, s := range specs {
			code := s[0]
			plan := 0 // 0: not offered
			switch {
			case s[2] == "tcm":
				if demoTCMBases[name] {
					plan = between(3, 15)
					if name == demoTCMHospital {
						plan = between(20, 40)
					}
				}
			case s[2] == "dental":
				if demoDentalBases[name] && rnd.IntN(4) > 0 {
					plan = between(1, 15)
				}
			case name == demoTCMHospital:
				if demoTCMHospitalClinical[code] {
					plan = between(1, 15)
				}
			case code == codeInternal && large:
				plan = between(30, 70)
			case code == codeInternal:
				plan = between(10, 30)
			case code == codeSurgery && large:
				plan = between(20, 50)
			case code == codeSurgery:
				plan = between(8, 20)
			case code == codeGeneral:
				plan = between(5, 20)
			default:
				chance := 4 // in 10
				if large {
					chance = 8
				}
				if rnd.IntN(10) < chance {
					plan = between(1, 15)
				}
			}
			if plan > 0 {
				rows = append(rows, recruit.PlanRow{
					Line: len(rows) + 1, BaseName: name, City: b[1],
					SpecialtyCode: code, SpecialtyName: s[1], SpecialtyGroup: s[2], Plan: plan,
				})
			}
		}
	}
	return rows, nil
}

// readDemoCSV reads an embedded CSV file whose header must be exactly
// header and returns its data records.
func readDemoCSV(name string, header ...string) ([][]string, error) {
	f, err := demoData.Open(name)
	if err != nil {
		return nil, recruit.Internal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = len(header)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, recruit.Internal(fmt.Errorf("%s: %w", name, err))
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		return nil, recruit.Internal(fmt.Errorf("%s: header is not %v", name, header))
	}
	return recs[1:], nil
}
