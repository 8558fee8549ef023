package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhupei/recruit"
)

// addMessage queues a notification for identity id, created at testNow
// plus minutes.
func (f *fixture) addMessage(t testing.TB, id int64, key, title, body string, minutes int) recruit.Notification {
	t.Helper()
	n, err := f.store.AddNotification(context.Background(), recruit.Notification{
		IdentityID: id, Kind: recruit.KindReviewFailed, Key: key, Title: title, Body: body,
		CreatedAt: testNow.Add(time.Duration(minutes) * time.Minute),
	})
	if err != nil {
		t.Fatalf("AddNotification: %v", err)
	}
	return n
}

// The inbox lists the applicant's own notifications newest first with
// their read state; opening one shows its full text and marks it read,
// which the header badge counts down.
func TestMessagesListDetailAndBadge(t *testing.T) {
	f := newFixture(t, true)
	m, other := f.newMember(t, 1), f.newMember(t, 2)
	remark := strings.Repeat("材料不全请补充", 9) // 63 characters: the full remark
	older := f.addMessage(t, m.id, "a", "报名成功", "您已成功报名甲医院内科。", 0)
	newer := f.addMessage(t, m.id, "b", "审核未通过", "审核意见："+remark, 5)
	f.addMessage(t, other.id, "c", "别人的消息", "不应出现", 1)

	list := f.page(t, m, "/messages", http.StatusOK)
	wantContains(t, "inbox", list, "我的消息", `id="inbox-link"`, `<span class="badge" id="unread-badge">2</span>`,
		fmt.Sprintf(`href="/messages/%d"`, older.ID), fmt.Sprintf(`href="/messages/%d"`, newer.ID), "未读")
	wantMissing(t, "inbox", list, "别人的消息", "已读")
	if i, j := strings.Index(list, "审核未通过"), strings.Index(list, "报名成功"); i < 0 || j < 0 || i > j {
		t.Errorf("inbox not newest first: 审核未通过 at %d, 报名成功 at %d", i, j)
	}

	detail := f.page(t, m, newer.Link(), http.StatusOK)
	wantContains(t, "detail", detail, "审核未通过", "审核意见："+remark, `<span class="badge" id="unread-badge">1</span>`)
	n, err := f.store.GetNotification(context.Background(), m.id, newer.ID)
	if err != nil || !n.Read() {
		t.Fatalf("after opening: read=%v err=%v", n.Read(), err)
	}
	list = f.page(t, m, "/messages", http.StatusOK)
	wantContains(t, "inbox after opening", list, "已读", "未读", `id="unread-badge">1<`)

	f.page(t, m, older.Link(), http.StatusOK)
	home := f.page(t, m, "/", http.StatusOK)
	wantContains(t, "header once all are read", home, `id="inbox-link"`)
	wantMissing(t, "header once all are read", home, "unread-badge")
}

// Another applicant's notification, an unknown and a malformed id are
// refused without showing anything, and reading them marks nothing.
func TestMessageOfAnotherApplicant(t *testing.T) {
	f := newFixture(t, true)
	m, other := f.newMember(t, 1), f.newMember(t, 2)
	theirs := f.addMessage(t, other.id, "x", "别人的消息", "别人的审核意见", 0)
	for target, want := range map[string]int{
		theirs.Link():     http.StatusNotFound,
		"/messages/99999": http.StatusNotFound,
		"/messages/abc":   http.StatusBadRequest,
	} {
		body := f.page(t, m, target, want)
		wantMissing(t, target, body, "别人的审核意见")
	}
	n, err := f.store.GetNotification(context.Background(), other.id, theirs.ID)
	if err != nil || n.Read() {
		t.Errorf("another's notification after the attempt: read=%v err=%v", n.Read(), err)
	}
}

// Without a session the inbox leads to the login and comes back, as
// /result does.
func TestMessagesNeedLogin(t *testing.T) {
	f := newFixture(t, true)
	for _, target := range []string{"/messages", "/messages/1"} {
		resp, _ := f.do(t, http.MethodGet, target)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") ||
			!strings.Contains(loc, strings.ReplaceAll(target, "/", "%2F")) {
			t.Errorf("anonymous %s: %d %s", target, resp.StatusCode, loc)
		}
	}
}
