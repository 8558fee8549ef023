package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"

	"zhupei/recruit"
)

// What happens to an applicant after the choice: the PDF form, the answer
// to an offer and the inbox (我的消息), as the browser gets them.

// DownloadForm downloads the PDF form of the current application
// (/form/download, generated on the first request) and returns its size.
func (a *Applicant) DownloadForm() (int, error) {
	resp, err := a.Client.Get(a.Base + "/form/download")
	pdf, err := Expect("form", resp, err, http.StatusOK)
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return 0, errors.New("form: the answer is not a PDF")
	}
	return len(pdf), nil
}

// AnswerOffer accepts or declines the open offer (answerOffer) and returns
// the application as the server has it after the answer.
func (a *Applicant) AnswerOffer(accept bool) (recruit.Application, error) {
	body, _ := json.Marshal(map[string]bool{"accept": accept}) // a map of bools always encodes
	var out struct {
		Application recruit.Application `json:"application"`
	}
	err := a.send("offer", http.MethodPost, "/api/v1/me/offer", "application/json", body, &out)
	if err == nil {
		a.AppVersion = out.Application.Version
	}
	return out.Application, err
}

// inboxLinkRe finds the notifications listed on the inbox page.
var inboxLinkRe = regexp.MustCompile(`href="/messages/([0-9]+)"`)

// Inbox returns the ids of the notifications on the applicant's inbox page
// (/messages), newest first.
func (a *Applicant) Inbox() ([]int64, error) {
	resp, err := a.Client.Get(a.Base + "/messages")
	page, err := Expect("inbox", resp, err, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, m := range inboxLinkRe.FindAllSubmatch(page, -1) {
		id, err := strconv.ParseInt(string(m[1]), 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
