package moderation

import (
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/shareddata"
)

// CacheKeyPrefix namespaces the shared-data keys of the verdict cache:
// <prefix>b<bucket>.
const CacheKeyPrefix = "egressguard/moderation/"

// cacheBucketSize is the number of verdicts per shared-data key.
const cacheBucketSize = 8

// cacheKey is the SHA-256 of the configuration fingerprint and a text.
type cacheKey [32]byte

// Cache remembers verdicts on input texts across requests and Envoy workers, in
// proxy-wasm shared data. Proxy-wasm cannot delete shared-data keys, so the cache
// is a fixed set of buckets (keys), each holding up to 8 entries (a 128-bit text
// id, an expiry time, the verdict): memory stays bounded by cache_max_entries
// whatever the traffic. Updates are compare-and-swap loops bounded by
// shareddata.MaxAttempts. Store errors never fail a request: a failed Get is a
// miss, a failed Put is forgotten.
type Cache struct {
	store   shareddata.Store
	ttl     time.Duration
	buckets uint32
}

// cache returns the verdict cache over store, or nil when caching is off.
func (m *Moderator) cache(store shareddata.Store) *Cache {
	if store == nil || m.cfg.CacheTTLSeconds <= 0 {
		return nil
	}
	n := (m.cfg.CacheMaxEntries + cacheBucketSize - 1) / cacheBucketSize
	return &Cache{store: store, ttl: time.Duration(m.cfg.CacheTTLSeconds) * time.Second, buckets: uint32(max(n, 1))}
}

type cacheEntry struct {
	id      string // hex of the first 16 bytes of the key
	expires int64  // unix seconds
	v       Verdict
}

func (c *Cache) bucket(k cacheKey) string {
	return CacheKeyPrefix + "b" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(k[16:20])%c.buckets), 10)
}

func entryID(k cacheKey) string { return hex.EncodeToString(k[:16]) }

// get looks a text up; ok is false on a miss, an expired entry or a store error.
func (c *Cache) get(k cacheKey, now time.Time) (Verdict, bool) {
	if c == nil {
		return Verdict{}, false
	}
	val, _, err := c.store.Get(c.bucket(k))
	if err != nil {
		return Verdict{}, false
	}
	id, t := entryID(k), now.Unix()
	for _, e := range parseBucket(val) {
		if e.id == id && e.expires > t {
			return e.v, true
		}
	}
	return Verdict{}, false
}

// put stores a verdict until now+ttl, evicting expired entries and then the
// entries closest to expiry. It reports whether the write landed.
func (c *Cache) put(k cacheKey, v Verdict, now time.Time) bool {
	if c == nil {
		return false
	}
	key, id, t := c.bucket(k), entryID(k), now.Unix()
	err := shareddata.Update(c.store, key, shareddata.MaxAttempts, func(cur []byte) ([]byte, bool) {
		entries := parseBucket(cur)
		// The new entry goes first so that it wins ties when evicting.
		kept := make([]cacheEntry, 1, len(entries)+1)
		kept[0] = cacheEntry{id: id, expires: now.Add(c.ttl).Unix(), v: v}
		for _, e := range entries {
			if e.expires > t && e.id != id {
				kept = append(kept, e)
			}
		}
		if len(kept) > cacheBucketSize {
			sort.SliceStable(kept, func(i, j int) bool { return kept[i].expires > kept[j].expires })
			kept = kept[:cacheBucketSize]
		}
		return encodeBucket(kept), true
	})
	return err == nil
}

// Bucket encoding: "m1\n" then one line per entry "<id>|<expires>|<0|1>|<cat,cat>".
func encodeBucket(es []cacheEntry) []byte {
	b := make([]byte, 0, 3+len(es)*64)
	b = append(b, "m1\n"...)
	for _, e := range es {
		b = append(b, e.id...)
		b = append(b, '|')
		b = strconv.AppendInt(b, e.expires, 10)
		if e.v.Flagged {
			b = append(b, "|1|"...)
		} else {
			b = append(b, "|0|"...)
		}
		b = append(b, strings.Join(e.v.Categories, ",")...)
		b = append(b, '\n')
	}
	return b
}

// parseBucket decodes a bucket; anything malformed is dropped (the bucket is
// then rewritten on the next put).
func parseBucket(b []byte) []cacheEntry {
	s := string(b)
	rest, ok := strings.CutPrefix(s, "m1\n")
	if !ok {
		return nil
	}
	var out []cacheEntry
	for line := range strings.SplitSeq(rest, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 4 || len(f[0]) != 32 || (f[2] != "0" && f[2] != "1") {
			continue
		}
		exp, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		e := cacheEntry{id: f[0], expires: exp, v: Verdict{Flagged: f[2] == "1"}}
		if f[3] != "" {
			e.v.Categories = strings.Split(f[3], ",")
		}
		out = append(out, e)
	}
	return out
}
