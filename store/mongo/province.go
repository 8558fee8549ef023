package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// SetPlan sets one program's plan: read, then a conditional update on the
// plan read and on the admitted count not exceeding the new plan, retried
// when a provisional admission or another change came in between.
func (d *DB) SetPlan(ctx context.Context, programID int64, plan int) (before, after recruit.Program, err error) {
	if err := recruit.CheckPlan(plan); err != nil {
		return before, after, err
	}
	for range retries {
		if before, err = d.GetProgram(ctx, programID); err != nil {
			return before, after, err
		}
		if before.Admitted > plan {
			return before, after, recruit.ErrPlanBelowSeats(plan, before.Admitted)
		}
		ok, err := d.replacePlan(ctx, programID, before.Plan, plan)
		if err != nil {
			return before, after, err
		}
		if ok {
			after = before
			after.Plan = plan
			return before, after, nil
		}
	}
	return before, after, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// statsDoc is what the statistics read of an application.
type statsDoc struct {
	ProgramID   int64         `bson:"program_id"`
	State       recruit.State `bson:"state"`
	StateAt     time.Time     `bson:"state_at"`
	UpdatedAt   time.Time     `bson:"updated_at"`
	SubmittedAt time.Time     `bson:"submitted_at"`
	// The offer's state: absent on documents older than offers (none).
	OfferState recruit.OfferState `bson:"offer_state"`
}

// CountApplications reads the year's applications (of the base's programs)
// with a projection and counts them in Go: no aggregation stage FerretDB
// might lack.
func (d *DB) CountApplications(ctx context.Context, q recruit.StatsQuery) (recruit.ApplicationCounts, error) {
	filter := bson.M{"year": q.Year}
	if q.BaseID != 0 {
		var progs []programDoc
		if err := d.findAll(ctx, colPrograms, bson.M{"year": q.Year, "base_id": q.BaseID}, &progs,
			options.Find().SetProjection(bson.M{"_id": 1})); err != nil {
			return recruit.ApplicationCounts{}, err
		}
		ids := make([]int64, len(progs))
		for i, p := range progs {
			ids[i] = p.ID
		}
		filter["program_id"] = bson.M{"$in": ids}
	}
	var docs []statsDoc
	if err := d.findAll(ctx, colApplications, filter, &docs, options.Find().SetProjection(bson.M{
		"program_id": 1, "state": 1, "state_at": 1, "updated_at": 1, "submitted_at": 1, "offer_state": 1,
	})); err != nil {
		return recruit.ApplicationCounts{}, err
	}
	type key struct {
		program int64
		round   recruit.Phase
		state   recruit.State
	}
	type offerKey struct {
		program int64
		round   recruit.Phase
		offer   recruit.OfferState
	}
	states, days, offers := map[key]int{}, map[string]int{}, map[offerKey]int{}
	for _, a := range docs {
		at := a.StateAt
		if at.IsZero() { // documents older than state_at
			at = a.UpdatedAt
		}
		round := q.Calendar.StatsRound(at)
		states[key{a.ProgramID, round, a.State}]++
		days[recruit.StatsDay(a.SubmittedAt)]++
		if a.OfferState != recruit.OfferNone {
			offers[offerKey{a.ProgramID, round, a.OfferState}]++
		}
	}
	out := recruit.ApplicationCounts{States: []recruit.StateCount{}, Days: []recruit.DayCount{}, Offers: []recruit.OfferCount{}}
	for k, n := range states {
		out.States = append(out.States, recruit.StateCount{ProgramID: k.program, Round: k.round, State: k.state, N: n})
	}
	for k, n := range offers {
		out.Offers = append(out.Offers, recruit.OfferCount{ProgramID: k.program, Round: k.round, Offer: k.offer, N: n})
	}
	for day, n := range days {
		out.Days = append(out.Days, recruit.DayCount{Day: day, N: n})
	}
	recruit.SortCounts(&out)
	return out, nil
}

// CountPeople counts the bound identities and the saved profiles.
func (d *DB) CountPeople(ctx context.Context) (recruit.PeopleCount, error) {
	bound, err := d.col(colIdentities).CountDocuments(ctx, bson.M{"openid": bson.M{"$exists": true}})
	if err != nil {
		return recruit.PeopleCount{}, internal(err)
	}
	profiled, err := d.col(colProfiles).CountDocuments(ctx, bson.M{"version": bson.M{"$gt": 0}})
	if err != nil {
		return recruit.PeopleCount{}, internal(err)
	}
	return recruit.PeopleCount{Bound: int(bound), Profiled: int(profiled)}, nil
}
