package mongo

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// searchDoc is an applicant's recruit.Search kept in the profile document
// (so it is written with the profile, in the same single-document write),
// with Dated telling whether its dates contradict the birth date; the
// profile's search_keys field holds its duplicate keys (Search.DupKeys),
// at the top level because FerretDB's $unwind of a nested array path
// loses the path. The queue filters the profiles on them and the
// applications on their own fields, and joins the two by identity id in
// the store, never with $lookup.
type searchDoc struct {
	Fields recruit.Search `bson:"fields"`
	Dated  bool           `bson:"dated"`
}

// profileSearchIndexes serve the queue's searches of the profiles.
var profileSearchIndexes = []mongo.IndexModel{
	{Keys: bson.D{{Key: "search_keys", Value: 1}}, Options: options.Index().SetName("search_keys")},
	{Keys: bson.D{{Key: "search.fields.id_keys", Value: 1}}, Options: options.Index().SetName("search_id_keys")},
	{Keys: bson.D{{Key: "search.fields.personnel_type", Value: 1}}, Options: options.Index().SetName("search_personnel_type")},
}

// queueAppIndex serves the queue's order.
var queueAppIndex = mongo.IndexModel{
	Keys:    bson.D{{Key: "year", Value: 1}, {Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}},
	Options: options.Index().SetName("year_submitted"),
}

// newSearch builds the search document and the duplicate keys of the
// profile p to be saved over old (nil for a new one).
func (d *DB) newSearch(ctx context.Context, p recruit.Profile, old *searchDoc) (*searchDoc, []string, error) {
	var idDoc identityDoc
	if err := d.col(colIdentities).FindOne(ctx, bson.M{"_id": p.IdentityID}).Decode(&idDoc); err != nil {
		return nil, nil, storeErr(err, recruit.MsgNoIdentity, "")
	}
	number, err := d.sealer.Open(idDoc.IDSealed)
	if err != nil {
		return nil, nil, recruit.Internal(err)
	}
	var prev recruit.Search
	if old != nil {
		prev = old.Fields
	}
	s, err := recruit.BuildSearch(ctx, d.sealer, p, recruit.Identity{ID: idDoc.ID, Name: idDoc.Name, IDType: idDoc.IDType, IDNumber: number}, prev, d.GetFile)
	if err != nil {
		return nil, nil, err
	}
	return &searchDoc{Fields: s, Dated: len(s.DateIssues) > 0}, s.DupKeys(), nil
}

// storedSearch returns the search document of a stored profile, nil when
// none.
func (d *DB) storedSearch(ctx context.Context, identityID int64) (*searchDoc, error) {
	var doc struct {
		Search *searchDoc `bson:"search"`
	}
	err := d.profiles().FindOne(ctx, bson.M{"_id": identityID}, options.FindOne().SetProjection(bson.M{"search": 1})).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, internal(err)
	}
	return doc.Search, nil
}

// SearchOf returns an applicant's Search.
func (d *DB) SearchOf(ctx context.Context, identityID int64) (recruit.Search, error) {
	s, err := d.storedSearch(ctx, identityID)
	if err != nil || s == nil {
		return recruit.Search{}, err
	}
	return s.Fields, nil
}

// contains matches a string field holding s.
func contains(s string) bson.M { return bson.M{"$regex": regexp.QuoteMeta(s)} }

// profileFilter is the part of q matched on the profiles, nil when q asks
// nothing of them.
func (d *DB) profileFilter(ctx context.Context, q recruit.AppQuery) (bson.A, error) {
	var and bson.A
	if q.PersonnelType != "" {
		and = append(and, bson.M{"search.fields.personnel_type": q.PersonnelType})
	}
	if q.School != "" {
		and = append(and, bson.M{"search.fields.schools": contains(q.School)})
	}
	if q.Keyword != "" {
		or := bson.A{bson.M{"search.fields.name": contains(q.Keyword)}, bson.M{"search.fields.phone": contains(q.Keyword)}}
		if key := recruit.IDSearchKey(d.sealer, q.Keyword); key != "" {
			or = append(or, bson.M{"search.fields.id_keys": key})
		}
		and = append(and, bson.M{"$or": or})
	}
	if q.Flagged {
		shared, err := d.sharedKeys(ctx, nil)
		if err != nil {
			return nil, err
		}
		keys := make(bson.A, 0, len(shared))
		for k := range shared {
			keys = append(keys, k)
		}
		and = append(and, bson.M{"$or": bson.A{bson.M{"search.dated": true}, bson.M{"search_keys": bson.M{"$in": keys}}}})
	}
	return and, nil
}

// sharedKeys returns the duplicate keys held by more than one applicant,
// among only (all when nil).
func (d *DB) sharedKeys(ctx context.Context, only []string) (map[string]bool, error) {
	match := bson.M{"search_keys": bson.M{"$exists": true}}
	if only != nil {
		match = bson.M{"search_keys": bson.M{"$in": only}}
	}
	pipeline := bson.A{
		bson.M{"$match": match},
		bson.M{"$unwind": "$search_keys"},
	}
	if only != nil {
		pipeline = append(pipeline, bson.M{"$match": match})
	}
	pipeline = append(pipeline,
		bson.M{"$group": bson.M{"_id": "$search_keys", "n": bson.M{"$sum": 1}}},
		bson.M{"$match": bson.M{"n": bson.M{"$gt": 1}}},
	)
	cur, err := d.profiles().Aggregate(ctx, pipeline)
	if err != nil {
		return nil, internal(err)
	}
	var groups []struct {
		Key string `bson:"_id"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return nil, internal(err)
	}
	out := make(map[string]bool, len(groups))
	for _, g := range groups {
		out[g.Key] = true
	}
	return out, nil
}

// QueryApplications returns a page of the queue and its total: the
// programs and the profiles matching q are found first, and the
// applications are then filtered by their program and identity ids.
func (d *DB) QueryApplications(ctx context.Context, q recruit.AppQuery) (recruit.AppPage, error) {
	programs, err := d.ListPrograms(ctx, recruit.ProgramFilter{Year: q.Year})
	if err != nil {
		return recruit.AppPage{}, err
	}
	byID := make(map[int64]recruit.Program, len(programs))
	var chosen bson.A
	for _, p := range programs {
		byID[p.ID] = p
		if (q.BaseID == 0 || p.BaseID == q.BaseID) && (q.SpecialtyCode == "" || p.SpecialtyCode == q.SpecialtyCode) {
			chosen = append(chosen, p.ID)
		}
	}
	filter := bson.M{"year": q.Year}
	if q.ApplicationID != 0 {
		filter["_id"] = q.ApplicationID
	}
	if q.State != "" {
		filter["state"] = q.State
	} else {
		filter["state"] = bson.M{"$in": recruit.ActiveStates}
	}
	if q.BaseID != 0 || q.SpecialtyCode != "" {
		filter["program_id"] = bson.M{"$in": append(bson.A{}, chosen...)}
	}
	at := bson.M{}
	if !q.StateFrom.IsZero() {
		at["$gte"] = norm(q.StateFrom)
	}
	if !q.StateTo.IsZero() {
		at["$lt"] = norm(q.StateTo)
	}
	if len(at) > 0 {
		filter["state_at"] = at
	}
	if q.AcceptsAdjustment != nil {
		filter["accepts_adjustment"] = *q.AcceptsAdjustment
	}
	if q.Offer != nil {
		filter["offer_state"] = offerFilter(*q.Offer)
	}
	pf, err := d.profileFilter(ctx, q)
	if err != nil {
		return recruit.AppPage{}, err
	}
	if pf != nil {
		var ids []struct {
			ID int64 `bson:"_id"`
		}
		cur, err := d.profiles().Find(ctx, bson.M{"$and": pf}, options.Find().SetProjection(bson.M{"_id": 1}))
		if err != nil {
			return recruit.AppPage{}, internal(err)
		}
		if err := cur.All(ctx, &ids); err != nil {
			return recruit.AppPage{}, internal(err)
		}
		in := make(bson.A, len(ids))
		for i, v := range ids {
			in[i] = v.ID
		}
		filter["identity_id"] = bson.M{"$in": in}
	}
	apps := d.col(colApplications)
	total, err := apps.CountDocuments(ctx, filter)
	if err != nil {
		return recruit.AppPage{}, internal(err)
	}
	dir := 1
	if q.Sort == recruit.SortSubmittedDesc {
		dir = -1
	}
	var docs []appDoc
	opts := options.Find().SetSort(bson.D{{Key: "submitted_at", Value: dir}, {Key: "_id", Value: dir}}).
		SetSkip(int64(max(q.Offset, 0))).SetLimit(int64(q.PageSize()))
	if err := d.findAll(ctx, colApplications, filter, &docs, opts); err != nil {
		return recruit.AppPage{}, err
	}
	rows, err := d.queueRows(ctx, docs, byID)
	if err != nil {
		return recruit.AppPage{}, err
	}
	return recruit.AppPage{Rows: rows, Total: int(total)}, nil
}

// queueRows completes the rows of docs with their programs, identities,
// searches and duplicate kinds.
func (d *DB) queueRows(ctx context.Context, docs []appDoc, programs map[int64]recruit.Program) ([]recruit.AppRow, error) {
	rows := make([]recruit.AppRow, len(docs))
	ids := make(bson.A, len(docs))
	for i, doc := range docs {
		p := programs[doc.ProgramID]
		rows[i] = recruit.AppRow{Application: doc.app(), BaseID: p.BaseID, BaseName: p.BaseName, SpecialtyCode: p.SpecialtyCode, SpecialtyName: p.SpecialtyName}
		ids[i] = doc.IdentityID
	}
	if len(docs) == 0 {
		return rows, nil
	}
	var idDocs []identityDoc
	if err := d.findAll(ctx, colIdentities, bson.M{"_id": bson.M{"$in": ids}}, &idDocs); err != nil {
		return nil, err
	}
	identities := make(map[int64]identityDoc, len(idDocs))
	for _, doc := range idDocs {
		identities[doc.ID] = doc
	}
	var profiles []struct {
		ID     int64      `bson:"_id"`
		Search *searchDoc `bson:"search"`
		Keys   []string   `bson:"search_keys"`
	}
	cur, err := d.profiles().Find(ctx, bson.M{"_id": bson.M{"$in": ids}}, options.Find().SetProjection(bson.M{"search": 1, "search_keys": 1}))
	if err != nil {
		return nil, internal(err)
	}
	if err := cur.All(ctx, &profiles); err != nil {
		return nil, internal(err)
	}
	searches := make(map[int64]*searchDoc, len(profiles))
	keysOf := make(map[int64][]string, len(profiles))
	keys := []string{}
	for _, p := range profiles {
		if p.Search != nil {
			searches[p.ID], keysOf[p.ID] = p.Search, p.Keys
			keys = append(keys, p.Keys...)
		}
	}
	shared, err := d.sharedKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		idDoc := identities[r.IdentityID]
		r.IDType = idDoc.IDType
		if r.IDNumber, err = d.sealer.Open(idDoc.IDSealed); err != nil {
			return nil, recruit.Internal(err)
		}
		if s := searches[r.IdentityID]; s != nil {
			r.Search = s.Fields
			for _, k := range keysOf[r.IdentityID] {
				if shared[k] {
					r.DupKinds = append(r.DupKinds, recruit.DupKind(k))
				}
			}
		}
	}
	return rows, nil
}

// ReviewMany reviews every application of r or none, without a
// transaction: every row is read and checked first and nothing is written
// when one fails; then each row is reviewed by its own conditional update
// (on the state and version checked) that carries its notification and its
// audit entry in its pending array, relayed like every other. So each row
// is reviewed completely or not at all. What is not atomic is the batch:
// a row changed by someone else between the check and its update stops the
// batch with ECONFLICT, and a process dying midway leaves the rows before
// it reviewed (with notification and audit, the relay delivers them) and
// the rest untouched; running the same batch again completes it, since
// rows already done are left as they are (recruit.BulkDone).
func (d *DB) ReviewMany(ctx context.Context, r recruit.BulkReview) ([]recruit.Application, error) {
	if err := recruit.CheckReviewResult(r.To); err != nil {
		return nil, err
	}
	if err := recruit.CheckBulkIDs(r.IDs); err != nil {
		return nil, err
	}
	in := make(bson.A, len(r.IDs))
	for i, id := range r.IDs {
		in[i] = id
	}
	var docs []appDoc
	if err := d.findAll(ctx, colApplications, bson.M{"_id": bson.M{"$in": in}}, &docs); err != nil {
		return nil, err
	}
	byID := make(map[int64]appDoc, len(docs))
	for _, doc := range docs {
		byID[doc.ID] = doc
	}
	failed := map[int64]string{}
	for _, id := range r.IDs {
		doc, ok := byID[id]
		if !ok {
			failed[id] = recruit.MsgNoApplication
		} else if reason := recruit.BulkReason(r, doc.app()); reason != "" {
			failed[id] = reason
		}
	}
	if len(failed) > 0 {
		return nil, recruit.BulkRefusal(failed)
	}
	now := norm(r.Now)
	apps := d.col(colApplications)
	out := make([]recruit.Application, len(r.IDs))
	for i, id := range r.IDs {
		old := byID[id]
		if r.BulkDone(old.app()) {
			out[i] = old.app()
			continue
		}
		next := old
		next.State, next.ReviewRemark, next.StateAt, next.UpdatedAt, next.Pending = r.To, r.Remark, now, now, nil
		entries, err := d.noteRecords(ctx, next.app(), r.Note.Notes())
		if err != nil {
			return nil, err
		}
		if r.Audit != nil {
			e, err := r.Audit(old.app(), next.app())
			if err != nil {
				return nil, err
			}
			entry, err := d.auditRecord(ctx, e)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry)
		}
		update := bson.M{"$set": bson.M{"state": r.To, "review_remark": r.Remark, "state_at": now, "updated_at": now}}
		if len(entries) > 0 {
			update["$push"] = bson.M{"pending": bson.M{"$each": entries}}
		}
		res, err := apps.UpdateOne(ctx, bson.M{"_id": id, "state": old.State, "version": old.Version}, update)
		if err != nil {
			return nil, internal(err)
		}
		if res.MatchedCount == 0 {
			return nil, recruit.Errorf(recruit.ECONFLICT, "报名 %d 在审核时被修改，已审核 %d 份，其余未修改，请刷新后重新提交", id, reviewed(out[:i]))
		}
		d.relayDoc(ctx, apps, id, entries)
		out[i] = next.app()
	}
	return out, nil
}

// reviewed counts the applications a batch has reviewed so far.
func reviewed(apps []recruit.Application) int {
	n := 0
	for _, a := range apps {
		if a.ID != 0 {
			n++
		}
	}
	return n
}

// auditRecord builds the pending entry of an audit entry, its id taken
// from the audit counter before the write.
func (d *DB) auditRecord(ctx context.Context, e recruit.AuditEntry) (pendingDoc, error) {
	e, err := recruit.CleanAudit(e)
	if err != nil {
		return pendingDoc{}, err
	}
	if e.ID, err = d.nextID(ctx, colAudit); err != nil {
		return pendingDoc{}, err
	}
	e.At = norm(e.At)
	doc := auditDoc(e)
	return pendingDoc{ID: "audit:" + strconv.FormatInt(e.ID, 10), Audit: &doc, At: e.At}, nil
}
