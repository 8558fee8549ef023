package ferret_test

import (
	"context"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/store/mongo/ferret"
)

// TestFunnelKeepsConcurrentUpdates has two clients (two processes' pools)
// increment one document at once through the funnel: no update is lost.
func TestFunnelKeepsConcurrentUpdates(t *testing.T) {
	uri := ferret.Funnel(t, ferret.Start(t))
	ctx := context.Background()
	const clients, each = 2, 40
	cols := make([]*mongo.Collection, clients)
	for i := range cols {
		c, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).SetMaxPoolSize(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
		cols[i] = c.Database("funnel").Collection("counters")
	}
	if _, err := cols[0].InsertOne(ctx, bson.M{"_id": "n", "seq": 0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, col := range cols {
		for range each {
			wg.Go(func() {
				if err := col.FindOneAndUpdate(ctx, bson.M{"_id": "n"}, bson.M{"$inc": bson.M{"seq": 1}}).Err(); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	var doc struct {
		Seq int `bson:"seq"`
	}
	if err := cols[1].FindOne(ctx, bson.M{"_id": "n"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Seq != clients*each {
		t.Errorf("seq = %d after %d increments", doc.Seq, clients*each)
	}
}
