package handlers

import (
	"time"

	"zhupei/recruit"
)

// The offer in the console's queue (recruit.OfferState): the choices of
// the queue's offer filter (review.Query.Offer) and the deadline as the
// queue's narrow state cell writes it.

// offerChoices are the offer filter's options after 不限: no offer, then
// every state.
var offerChoices = func() []choice {
	out := []choice{{recruit.OfferFilterNone, "无拟录取确认"}}
	for _, o := range recruit.OfferStates {
		out = append(out, choice{string(o), o.Label()})
	}
	return out
}()

// formatShortTime writes t (Asia/Shanghai) without year and seconds, as
// 12-05 10:13, "" when zero: an offer's deadline is within the year.
func formatShortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(recruit.Shanghai).Format("01-02 15:04")
}
