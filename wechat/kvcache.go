package wechat

import (
	"context"
	"errors"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"zhupei/recruit"
)

// KV is the key-value part of recruit.Store: small expiring records shared by
// every instance. The real store satisfies it.
type KV interface {
	SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error
	GetKV(ctx context.Context, key string, now time.Time) (string, error)
	AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error)
	IncrKV(ctx context.Context, key string, ttl time.Duration, now time.Time) (int64, error)
	DeleteKV(ctx context.Context, key string) error
}

var errNotString = errors.New("wechat: cache values must be strings")

// kvPrefix namespaces every record this package keeps in the store.
const kvPrefix = "wechat:"

// kvTimeout bounds one store call made on behalf of the SDK, which passes no
// context of its own.
const kvTimeout = 5 * time.Second

// KVCache is the SDK's cache.Cache on top of the shared store, so the
// access token fetched by one instance is used by all. Values are strings;
// Get returns a string or nil.
type KVCache struct {
	kv  KV
	now func() time.Time
}

var _ cache.Cache = (*KVCache)(nil)

// NewKVCache returns a cache over kv; now supplies the clock.
func NewKVCache(kv KV, now func() time.Time) *KVCache {
	return &KVCache{kv: kv, now: now}
}

// Get returns the live value of key as a string, or nil.
func (k *KVCache) Get(key string) interface{} {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	v, err := k.kv.GetKV(ctx, kvPrefix+key, k.now())
	if err != nil {
		return nil
	}
	return v
}

// Set stores a string value for timeout (<= 0: no expiry).
func (k *KVCache) Set(key string, val interface{}, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return recruit.Internal(errNotString)
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	return k.kv.SetKV(ctx, kvPrefix+key, s, timeout, k.now())
}

// IsExist reports whether key holds a live value.
func (k *KVCache) IsExist(key string) bool {
	return k.Get(key) != nil
}

// Delete removes key.
func (k *KVCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	return k.kv.DeleteKV(ctx, kvPrefix+key)
}
