package credentials

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// The key state record is "v2" followed by " <name>=<until>" or " <name>=<until>~<lease>"
// for every key that is cooling down or recovering, sorted by name. until is the end of
// the key's last cooldown and lease the end of the probe in flight (unix ms). Names are
// restricted to [A-Za-z0-9._-], so no escaping is needed. "v1" records (cooldowns only)
// read the same. Malformed entries are skipped; an unreadable record reads as "every key
// healthy" (the next write replaces it).
const (
	stateVersion   = "v2"
	stateVersionV1 = "v1"
)

// ProbeLease is how long one request may probe a recovering key before another may try:
// about the time to an upstream's response headers.
const ProbeLease = 30 * time.Second

// recoveryMaxAgeMs drops a recovering entry whose cooldown ended this long ago without a
// probe resolving it (a key nobody uses any more); the key then counts as healthy.
const recoveryMaxAgeMs = int64(24 * time.Hour / time.Millisecond)

// keyState is one key's health. The zero value is a healthy key.
//
//   - cooling: until is in the future; the key is not used.
//   - recovering: until has passed but no upstream answer has shown the key works again;
//     one request at a time probes it (lease), the others use healthy keys.
type keyState struct {
	until int64 // end of the last cooldown, unix ms (0: never cooled, or recovered)
	lease int64 // a probe request is in flight until then, unix ms
}

func (s keyState) cooling(nowMs int64) bool    { return s.until > nowMs }
func (s keyState) recovering(nowMs int64) bool { return s.until != 0 && s.until <= nowMs }
func (s keyState) probing(nowMs int64) bool    { return s.recovering(nowMs) && s.lease > nowMs }
func (s keyState) healthy(nowMs int64) bool    { return s.until == 0 }

// forEachState calls f for every well-formed entry of a key state record.
func forEachState(b []byte, f func(name string, s keyState)) {
	s := string(b)
	rest, ok := strings.CutPrefix(s, stateVersion)
	if !ok {
		rest, ok = strings.CutPrefix(s, stateVersionV1)
	}
	if !ok || (rest != "" && rest[0] != ' ') {
		return
	}
	for _, field := range strings.Fields(rest) {
		name, v, ok := strings.Cut(field, "=")
		if !ok || !validName(name, maxNameLen) {
			continue
		}
		until, lease, _ := strings.Cut(v, "~")
		var st keyState
		var err error
		if st.until, err = strconv.ParseInt(until, 10, 64); err != nil || st.until <= 0 {
			continue
		}
		if lease != "" {
			if st.lease, err = strconv.ParseInt(lease, 10, 64); err != nil || st.lease < 0 {
				continue
			}
		}
		f(name, st)
	}
}

// decodeStates parses a key state record into a map (used on the write path only).
func decodeStates(b []byte) map[string]keyState {
	m := map[string]keyState{}
	forEachState(b, func(name string, s keyState) {
		old := m[name]
		m[name] = keyState{until: max(old.until, s.until), lease: max(old.lease, s.lease)}
	})
	return m
}

// encodeStates renders the entries still relevant at nowMs: cooling and recovering keys,
// without expired leases.
func encodeStates(m map[string]keyState, nowMs int64) []byte {
	names := make([]string, 0, len(m))
	for n, s := range m {
		if s.until != 0 && s.until > nowMs-recoveryMaxAgeMs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	b := []byte(stateVersion)
	for _, n := range names {
		s := m[n]
		b = append(b, ' ')
		b = append(b, n...)
		b = append(b, '=')
		b = strconv.AppendInt(b, s.until, 10)
		if s.lease > nowMs && s.until <= nowMs {
			b = append(b, '~')
			b = strconv.AppendInt(b, s.lease, 10)
		}
	}
	return b
}
