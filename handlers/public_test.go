package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestHomeShowsNoticeChartAndLinks(t *testing.T) {
	f := newFixture(t, true)
	body := f.get(t, "/", http.StatusOK)
	wantContains(t, "home", body,
		"2025年度山东省住院医师规范化培训招录报名系统",
		"温馨提示",
		"<p>请拟报名人员仔细阅读以下事项。</p>",
		"<li>拟报名人员可在各培训基地官网查看本年度招收通知。</li>",
		"<li>报名端口开放时间为：2025年7月1日--7月10日。</li>",
		`href="/login?next=/apply">立即报名</a>`,
		`href="/login?next=/result">结果查询</a>`,
		"招收计划/报名人数对比图",
		`<svg class="chart"`,
		">内科</text>", ">儿科</text>",
		"内科：招收计划 15 人，报名人数 4 人", // summed over both bases
		"儿科：招收计划 3 人，报名人数 0 人",
		"<h3>关注公众号</h3>", // no follow setting: the account named, no empty box
		`<li class="current"><span>报名阶段</span><span class="dates">2025年7月1日 至 2025年7月10日</span></li>`,
	)
	if got := strings.Count(body, "<li>报名端口"); got != 1 {
		t.Errorf("notice item 2 rendered %d times", got)
	}
}

func TestPagesWithoutYear(t *testing.T) {
	f := newFixture(t, false)
	for _, path := range []string{"/", "/board", "/results"} {
		wantContains(t, path, f.get(t, path, http.StatusOK), "招录年度尚未设置")
	}
	var e apiError
	f.getJSON(t, "/api/v1/year", http.StatusNotFound, &e)
	if e.Error.Code != "not_found" || e.Error.Message != "招录年度尚未设置" {
		t.Errorf("year error = %+v", e.Error)
	}
}

// boardRow is the markup of one program row of the board.
func boardRow(id int64, base, specialty string, plan, registered, admitted int) string {
	return fmt.Sprintf(`<tr data-id="%d"><td>%s</td><td>%s</td><td class="num" data-field="plan">%d</td><td class="num" data-field="registered">%d</td><td class="num" data-field="provisional">%d</td></tr>`,
		id, base, specialty, plan, registered, admitted)
}

func boardTotals(plan, registered, admitted int) string {
	return fmt.Sprintf(`<td class="num" data-total="plan">%d</td><td class="num" data-total="registered">%d</td><td class="num" data-total="provisional">%d</td></tr>`,
		plan, registered, admitted)
}

func TestBoard(t *testing.T) {
	f := newFixture(t, true)
	a1 := boardRow(f.progA1, "甲医院", "内科", 10, 3, 1)
	a2 := boardRow(f.progA2, "甲医院", "儿科", 3, 0, 0)
	b1 := boardRow(f.progB1, "乙医院", "内科", 5, 1, 0)

	all := f.get(t, "/board", http.StatusOK)
	wantContains(t, "board", all, "招录情况一览表", a1, a2, b1, boardTotals(18, 4, 1),
		`data-poll="/api/v1/programs"`, `src="/static/board.js"`, "更新时间", "拟录取人数</th>")

	byBase := f.get(t, fmt.Sprintf("/board?base=%d", f.baseA), http.StatusOK)
	wantContains(t, "base filter", byBase, a1, a2, boardTotals(13, 3, 1),
		fmt.Sprintf(`<option value="%d" selected>甲医院</option>`, f.baseA),
		fmt.Sprintf(`data-poll="/api/v1/programs?base=%d"`, f.baseA))
	wantMissing(t, "base filter", byBase, b1)

	bySpec := f.get(t, "/board?specialty=0100", http.StatusOK)
	wantContains(t, "specialty filter", bySpec, a1, b1, boardTotals(15, 4, 1),
		`<option value="0100" selected>0100 内科</option>`)
	wantMissing(t, "specialty filter", bySpec, a2)

	both := f.get(t, fmt.Sprintf("/board?base=%d&specialty=0200", f.baseB), http.StatusOK)
	wantContains(t, "empty filter", both, "没有符合条件的招收计划", boardTotals(0, 0, 0))
}

func TestBoardRejectsGarbageFilters(t *testing.T) {
	f := newFixture(t, true)
	cases := map[string]string{
		"base=abc":                          "培训基地参数无效",
		"base=-1":                           "培训基地参数无效",
		"base=0":                            "培训基地参数无效",
		"base=1.5":                          "培训基地参数无效",
		"base=99999999999999999999":         "培训基地参数无效",
		"base=" + strings.Repeat("9", 3000): "培训基地参数无效",
		"base=424242":                       "所选培训基地不存在",
		"specialty=%3Cscript%3Ealert(1)%3C%2Fscript%3E": "培训专业参数无效",
		"specialty=" + strings.Repeat("a", 3000):        "培训专业参数无效",
		"specialty=9999":                                "所选培训专业不存在",
	}
	for query, msg := range cases {
		name := query
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run("page "+name, func(t *testing.T) {
			body := f.get(t, "/board?"+query, http.StatusBadRequest)
			wantContains(t, "error page", body, msg, "请求有误", "请求编号")
			wantMissing(t, "error page", body, "<script>alert")
		})
		t.Run("api "+name, func(t *testing.T) {
			var e apiError
			f.getJSON(t, "/api/v1/programs?"+query, http.StatusBadRequest, &e)
			if e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, msg) || e.Error.RequestID == "" {
				t.Errorf("error = %+v", e.Error)
			}
			if len(e.Error.Fields) != 1 {
				t.Errorf("fields = %v, want one field", e.Error.Fields)
			}
		})
	}
}

func TestResults(t *testing.T) {
	f := newFixture(t, true)
	list := f.get(t, "/results", http.StatusOK)
	wantContains(t, "results", list, "拟录取名单公示",
		fmt.Sprintf(`<a href="/results/%d">尚未公布</a>`, f.baseA),
		fmt.Sprintf(`<a href="/results/%d">尚未公布</a>`, f.baseB),
		`<td data-label="培训基地">甲医院</td><td class="num" data-label="计划数">13</td><td class="num" data-label="拟录取">1</td><td class="num" data-label="已录取">0</td><td data-label="最近公示">—</td>`)

	one := f.get(t, fmt.Sprintf("/results/%d", f.baseA), http.StatusOK)
	wantContains(t, "result", one, "甲医院 拟录取名单", "该基地尚未公布拟录取名单", "招收计划 13 人 · 当前拟录取 1 人 · 已录取 0 人")

	wantContains(t, "bad id", f.get(t, "/results/abc", http.StatusBadRequest), "培训基地参数无效")
	wantContains(t, "unknown id", f.get(t, "/results/424242", http.StatusNotFound), "该培训基地不存在", "页面不存在")
}

func TestUnknownRouteAndMethod(t *testing.T) {
	f := newFixture(t, true)
	wantContains(t, "404 page", f.get(t, "/no/such/page", http.StatusNotFound), "您访问的页面不存在", "返回首页")

	var e apiError
	f.getJSON(t, "/api/v1/nothing", http.StatusNotFound, &e)
	if e.Error.Code != "not_found" || e.Error.Message != "您访问的页面不存在" {
		t.Errorf("api 404 = %+v", e.Error)
	}

	resp, body := f.do(t, http.MethodPost, "/board")
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, "不支持该请求方法") {
		t.Errorf("POST /board: %d %.200s", resp.StatusCode, body)
	}
}

func TestStaticFiles(t *testing.T) {
	f := newFixture(t, false)
	resp, body := f.do(t, http.MethodGet, "/static/board.js")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "data-poll") {
		t.Fatalf("board.js: %d %.100s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("board.js content type %q", ct)
	}
	f.get(t, "/static/site.css", http.StatusOK)
	f.get(t, "/static/missing.css", http.StatusNotFound)
}
