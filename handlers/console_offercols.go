package handlers

import "zhupei/recruit"

// The offer in the console's queue (recruit.OfferState): the choices of
// the queue's offer filter (review.Query.Offer).

// offerChoices are the offer filter's options after 不限: no offer, then
// every state.
var offerChoices = func() []choice {
	out := []choice{{recruit.OfferFilterNone, "无拟录取确认"}}
	for _, o := range recruit.OfferStates {
		out = append(out, choice{string(o), o.Label()})
	}
	return out
}()
