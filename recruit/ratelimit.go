package recruit

import (
	"context"
	"time"
)

// Limit counts one attempt under key in kv and refuses it, ETOOMANY with
// msg (the Chinese message shown), when it is more than most in the window
// that began with the key's first counted attempt. The count lives in the
// store, so the limit holds across the instances on one store.
func Limit(ctx context.Context, kv KV, key string, most int64, window time.Duration, now time.Time, msg string) error {
	n, err := kv.IncrKV(ctx, key, window, now)
	if err != nil {
		return err
	}
	if n > most {
		return Errorf(ETOOMANY, "%s", msg)
	}
	return nil
}
