package mongo

import (
	"testing"

	"zhupei/recruit"
	"zhupei/store/storetest"
)

// TestStore runs the contract suite shared with every backend.
func TestStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		storetest.Run(t, func(t *testing.T) recruit.Store { return srv.fresh(t, storetest.Sealer()) })
	})
}
