package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
	"zhupei/wechat"
)

// consoleAdmin logs a new base admin of base A into the console of a
// fixture serving the review screens and returns the browser and a form
// token.
func consoleAdmin(t *testing.T) (*wxFixture, *browser, string) {
	t.Helper()
	f := newWeChatFixture(t, wechat.ModeSandbox, nil, func(c *Config) {
		c.Province = province.New(province.Deps{Store: c.Store.(province.Store), Now: c.Now})
		c.Review = review.New(review.Deps{Store: c.Store.(review.Store), Now: c.Now})
		if c.Forms == nil {
			c.Forms = newForms(c.Store.(recruit.Store), nil, c.Logger)
		}
	})
	f.seed(t)
	f.clock.Add(time.Date(testYear, time.July, 12, 9, 0, 0, 0, recruit.Shanghai).Sub(f.clock.Now())) // round1
	pc := f.browser()
	f.consoleLogin(t, pc, f.user(t, "审核主任"))
	_, body := pc.get(t, "/admin/redeem")
	resp, body := pc.post(t, "/admin/redeem", url.Values{csrfField: {csrfOf(t, body)}, "code": {f.invite(t, recruit.RoleBaseAdmin, f.baseA, "审核主任")}})
	want(t, "redeem", resp, body, http.StatusSeeOther, "/admin")
	_, body = pc.get(t, "/admin")
	return f, pc, csrfOf(t, body)
}

// mustGet returns the body of a page that must answer 200.
func mustGet(t *testing.T, pc *browser, path string) string {
	t.Helper()
	resp, body := pc.get(t, path)
	want(t, path, resp, body, http.StatusOK, "")
	return body
}

func TestConsoleQueue(t *testing.T) {
	f, pc, token := consoleAdmin(t)
	ctx := context.Background()
	appsA, err := f.store.ListApplications(ctx, f.progA1)
	if err != nil || len(appsA) != 3 {
		t.Fatalf("seeded applications: %+v, %v", appsA, err)
	}
	appsB, err := f.store.ListApplications(ctx, f.progB1)
	if err != nil || len(appsB) != 1 {
		t.Fatalf("seeded applications of B: %+v, %v", appsB, err)
	}
	rowOf := func(id int64) string { return fmt.Sprintf(`id="row-%d"`, id) }

	resp, body := pc.get(t, "/admin/queue")
	want(t, "queue", resp, body, http.StatusOK, "")
	wantContains(t, "queue", body, rowOf(appsA[0].ID), rowOf(appsA[1].ID), rowOf(appsA[2].ID), "共 3 份报名", `id="bulk-form"`, "/admin/export/file?")
	wantMissing(t, "queue", body, rowOf(appsB[0].ID))
	_, body = pc.get(t, "/admin/queue?state=pending")
	wantContains(t, "pending queue", body, rowOf(appsA[1].ID), "共 2 份报名", `<option value="pending" selected>`)
	wantMissing(t, "pending queue", body, rowOf(appsA[0].ID))
	resp, body = pc.get(t, "/admin/queue?size=1000")
	want(t, "a bad page size", resp, body, http.StatusBadRequest, "")

	// A batch with another base's row is refused as a whole; the rows stay
	// checked and the remark is kept.
	ids := func(v ...int64) url.Values {
		form := url.Values{csrfField: {token}, "filter": {"state=pending"}, "decision": {"reject"}, "remark": {"照片背景不是白色"}}
		for _, id := range v {
			form.Add("ids", strconv.FormatInt(id, 10))
		}
		return form
	}
	resp, body = pc.post(t, "/admin/queue/review", ids(appsA[1].ID, appsB[0].ID))
	want(t, "a batch with another base's row", resp, body, http.StatusConflict, "")
	wantContains(t, "a batch with another base's row", body, fmt.Sprintf("报名 %d：%s", appsB[0].ID, recruit.MsgNoApplication),
		"照片背景不是白色", fmt.Sprintf(`value="%d" class="q-pick" aria-label="选择 " checked`, appsA[1].ID))
	if got, _ := f.store.GetApplicationByID(ctx, appsA[1].ID); got.State != recruit.StatePending {
		t.Errorf("the refused batch changed %d: %s", got.ID, got.State)
	}
	resp, body = pc.post(t, "/admin/queue/review", url.Values{"ids": {strconv.FormatInt(appsA[1].ID, 10)}, "decision": {"approve"}})
	want(t, "a batch without the token", resp, body, http.StatusForbidden, "")
	resp, body = pc.post(t, "/admin/queue/review", ids(appsA[1].ID, appsA[2].ID))
	want(t, "a batch", resp, body, http.StatusSeeOther, "/admin/queue?done=2&state=pending")
	for _, app := range appsA[1:] {
		if got, _ := f.store.GetApplicationByID(ctx, app.ID); got.State != recruit.StateRejected || got.ReviewRemark != "照片背景不是白色" {
			t.Errorf("after the batch %d: %s %q", got.ID, got.State, got.ReviewRemark)
		}
	}
	_, body = pc.get(t, "/admin/queue?done=2&state=pending")
	wantContains(t, "after the batch", body, "已审核 2 份报名", "没有符合条件的报名")

	// The detail: the own base's, with its form and files; not another's.
	resp, body = pc.get(t, fmt.Sprintf("/admin/queue/%d", appsA[1].ID))
	want(t, "detail", resp, body, http.StatusOK, "")
	wantContains(t, "detail", body, `id="app-state">审核不通过<`, "照片背景不是白色", fmt.Sprintf(`src="/admin/queue/%d/form"`, appsA[1].ID))
	wantMissing(t, "a reviewed application's detail", body, `id="review-form"`)
	resp, body = pc.get(t, fmt.Sprintf("/admin/queue/%d", appsB[0].ID))
	want(t, "another base's detail", resp, body, http.StatusNotFound, "")
	resp, body = pc.post(t, fmt.Sprintf("/admin/queue/%d/review", appsA[1].ID), url.Values{csrfField: {token}, "decision": {"approve"}, "remark": {"复核通过"}})
	want(t, "reviewing a reviewed application", resp, body, http.StatusForbidden, "")
	wantContains(t, "reviewing a reviewed application", body, `id="review-error"`, "该志愿当前为“审核不通过”")

	// The export page and its file.
	resp, body = pc.get(t, "/admin/export?state=rejected")
	want(t, "export page", resp, body, http.StatusOK, "")
	wantContains(t, "export page", body, "符合条件的报名：2 份", `href="/admin/export/file?state=rejected"`)
	wantContains(t, "the queue's links keep the filter", mustGet(t, pc, "/admin/queue?state=rejected"), `href="/admin/export/file?state=rejected"`,
		fmt.Sprintf(`href="/admin/queue/%d?filter=state%%3drejected"`, appsA[1].ID))
	resp, _ = pc.get(t, "/admin/export/file?state=rejected")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Export-Rows") != "2" || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("export file: %d %v", resp.StatusCode, resp.Header)
	}
}
