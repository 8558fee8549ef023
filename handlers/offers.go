package handlers

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Offers (recruit.OfferState): the applicant answers on /result (a
// server-rendered confirmation dialog, no script) or through answerOffer;
// the province voids an accepted one through voidOffer.

// offerView is the offer as the result page shows it.
type offerView struct {
	State    string // offer_state
	Label    string // 待确认, 已接受, …
	Deadline string
	At       string // when it was answered, expired or voided
	Reason   string
	Open     bool
	// Confirm is the answer whose confirmation dialog is open: "accept",
	// "decline" or "".
	Confirm string
}

// newOfferView returns the offer of app, nil when it has none.
func newOfferView(app *recruit.Application, confirm string) *offerView {
	if app == nil || app.OfferState == recruit.OfferNone {
		return nil
	}
	v := &offerView{
		State: string(app.OfferState), Label: app.OfferState.Label(), Deadline: offerTime(app.OfferDeadline),
		At: offerTime(app.OfferAt), Reason: app.OfferReason,
		Open: app.State == recruit.StateProvisional && app.OfferState == recruit.OfferOpen,
	}
	if v.Open && (confirm == "accept" || confirm == "decline") {
		v.Confirm = confirm
	}
	return v
}

// offerTime is t as the result page writes an offer's times, "" when zero.
func offerTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format("2006年01月02日 15:04")
}

// answerInput is the body of answerOffer.
type answerInput struct {
	Accept *bool `json:"accept"`
}

var errAnswerBody = recruit.Errorf(recruit.EINVALID, `请求内容格式不正确，格式为 {"accept": true（确认接受）或 false（放弃）}`)

// apiAnswerOffer is POST /api/v1/me/offer (answerOffer).
func (s *server) apiAnswerOffer(c *fiber.Ctx) error {
	var in answerInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Accept == nil {
		return errAnswerBody
	}
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	app, err := s.apply.AnswerOffer(c.UserContext(), a, *in.Accept)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"application": app})
}

// answerOffer is POST /result/offer, the result page's dialog: answer=accept
// or decline. A refusal is shown on the result page itself.
func (s *server) answerOffer(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	answer := c.FormValue("answer")
	if answer != "accept" && answer != "decline" {
		return s.renderResult(c, a, fiber.StatusBadRequest, "", "请选择确认接受或放弃")
	}
	if _, err := s.apply.AnswerOffer(c.UserContext(), a, answer == "accept"); err != nil {
		status, body := classify(err)
		if status >= fiber.StatusInternalServerError {
			return err
		}
		return s.renderResult(c, a, status, "", body.Message)
	}
	return c.Redirect("/result?answered="+url.QueryEscape(answer), fiber.StatusSeeOther)
}

// voidInput is the body of voidOffer.
type voidInput struct {
	Reason string `json:"reason"`
}

// voidOffer is POST /api/v1/admin/applications/{id}/offer/void (voidOffer,
// province only).
func (a *adminAPI) voidOffer(c *fiber.Ctx) error {
	by, id, err := a.caller(c, "id", "报名")
	if err != nil {
		return err
	}
	var in voidInput
	if err := strictJSON(c, &in, `{"reason": "作废原因"}`); err != nil {
		return err
	}
	app, err := a.province.VoidOffer(c.UserContext(), by, id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"application": app})
}

// answeredFlash is the result page's note after an answer.
func answeredFlash(answer string) string {
	switch answer {
	case "accept":
		return "您已确认接受拟录取，志愿已锁定。请留意培训基地的录取通知。"
	case "decline":
		return "您已放弃拟录取，名额已释放。"
	}
	return ""
}
