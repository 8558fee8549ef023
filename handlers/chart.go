package handlers

import (
	"sort"
	"strconv"

	"zhupei/recruit"
)

// Chart groupings.
const (
	chartBySpecialty = "specialty"
	chartByBase      = "base"
)

// chartItem is one category of a two-bar chart: of the public
// 招收计划/报名人数对比图 (Plan, Registered), or of a console chart, whose
// chartSpec names the two bars otherwise.
type chartItem struct {
	Key        string `json:"key"` // specialty code or base id
	Label      string `json:"label"`
	Plan       int    `json:"plan"`
	Registered int    `json:"registered"`
}

// chartSeries sums plan and registered numbers per specialty (over every
// base, ordered by code) or per base (ordered by id).
func chartSeries(programs []recruit.Program, by string) []chartItem {
	items := []chartItem{}
	at := map[string]int{}
	for _, p := range programs {
		key, label := p.SpecialtyCode, p.SpecialtyName
		if by == chartByBase {
			key, label = strconv.FormatInt(p.BaseID, 10), p.BaseName
		}
		i, ok := at[key]
		if !ok {
			i = len(items)
			at[key] = i
			items = append(items, chartItem{Key: key, Label: label})
		}
		items[i].Plan += p.Plan
		items[i].Registered += p.Registered
	}
	if by != chartByBase { // programs come ordered by base, then code
		sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	}
	return items
}

// Geometry of the SVG chart in viewBox units; CSS scales it to any width.
const (
	chartWidth    = 640
	chartPlotX    = 150 // bars start here; labels end left of it
	chartPlotW    = 430 // leaves room for the value printed after a bar
	chartTop      = 56  // below the legend
	chartRowH     = 30
	chartBarH     = 11
	chartFooter   = 46 // tick labels and axis title
	chartLabelMax = 9  // runes of a label before it is shortened
)

// chartSpec names a chart: its id (unique on the page), title, the labels
// of its two bars and what it says without data.
type chartSpec struct {
	ID, Title, A, B, NoData string
}

// publicChart is the home page's 招收计划/报名人数对比图.
var publicChart = chartSpec{ID: "chart", Title: "招收计划/报名人数对比图", A: "招收计划", B: "报名人数", NoData: "暂无招收计划数据"}

// chartView is an SVG chart laid out for the template.
type chartView struct {
	chartSpec
	Width, Height  int
	PlotX, PlotW   int
	Top, Bottom    int
	AxisTitleX     int
	AxisTitleY     int
	TickY          int
	Ticks          []chartTick
	Rows           []chartRow
	Empty          bool
	EmptyX, EmptyY int
	LegendPlanX    int
	LegendRegX     int
	LegendY        int
}

type chartTick struct {
	X     int
	Value int
}

type chartRow struct {
	Label, FullLabel    string
	LabelY              int
	PlanY, RegY         int
	PlanW, RegW         int
	PlanText, RegText   int // x of the printed value
	PlanTextY, RegTextY int
	Plan, Registered    int
}

// layoutChart places the bars, ticks and labels of items in a chart named
// by spec; with no data it yields a small chart that says so.
func layoutChart(spec chartSpec, items []chartItem) chartView {
	v := chartView{
		chartSpec: spec, Width: chartWidth, PlotX: chartPlotX, PlotW: chartPlotW, Top: chartTop,
		LegendPlanX: chartPlotX, LegendRegX: chartPlotX + 110, LegendY: 18,
	}
	rows := len(items)
	if rows == 0 {
		rows = 2
		v.Empty = true
	}
	v.Bottom = v.Top + rows*chartRowH
	v.Height = v.Bottom + chartFooter
	v.TickY = v.Bottom + 18
	v.AxisTitleX = v.PlotX + v.PlotW/2
	v.AxisTitleY = v.Bottom + 38
	v.EmptyX, v.EmptyY = v.PlotX+v.PlotW/2, v.Top+rows*chartRowH/2

	maxV := 0
	for _, it := range items {
		maxV = max(maxV, it.Plan, it.Registered)
	}
	step := niceStep(maxV)
	n := max(1, (maxV+step-1)/step)
	axisMax := n * step
	for i := 0; i <= n; i++ {
		v.Ticks = append(v.Ticks, chartTick{X: v.PlotX + i*v.PlotW/n, Value: i * step})
	}
	scale := func(x int) int { return x * v.PlotW / axisMax }
	for i, it := range items {
		y := v.Top + i*chartRowH
		r := chartRow{
			Label: shorten(it.Label, chartLabelMax), FullLabel: it.Label,
			LabelY: y + chartRowH/2 + 4,
			PlanY:  y + 3, RegY: y + 4 + chartBarH,
			PlanW: scale(it.Plan), RegW: scale(it.Registered),
			Plan: it.Plan, Registered: it.Registered,
		}
		r.PlanText, r.RegText = v.PlotX+r.PlanW+4, v.PlotX+r.RegW+4
		r.PlanTextY, r.RegTextY = r.PlanY+chartBarH-1, r.RegY+chartBarH-1
		v.Rows = append(v.Rows, r)
	}
	return v
}

// niceStep returns a tick step of 1, 2 or 5 × 10^k giving at most five ticks.
func niceStep(maxV int) int {
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*mag*5 >= maxV {
				return m * mag
			}
		}
	}
}

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
