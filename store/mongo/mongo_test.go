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

// TestProfileStore runs the shared contract suite of recruit.ProfileStore.
func TestProfileStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		storetest.RunProfiles(t, func(t *testing.T) storetest.ProfileBackend { return srv.fresh(t, storetest.Sealer()) })
	})
}
