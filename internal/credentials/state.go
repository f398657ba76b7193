package credentials

import (
	"sort"
	"strconv"
	"strings"
)

// The cooldown record is "v1" followed by " <name>=<deadline unix ms>" for every key
// still cooling down, sorted by name. Names are restricted to [A-Za-z0-9._-], so no
// escaping is needed. Expired entries are dropped on every write; an unreadable record
// reads as "nothing cooling" (the next write replaces it).
const stateVersion = "v1"

// forEachDeadline calls f for every well-formed entry of a cooldown record.
func forEachDeadline(b []byte, f func(name string, untilMs int64)) {
	s := string(b)
	rest, ok := strings.CutPrefix(s, stateVersion)
	if !ok || (rest != "" && rest[0] != ' ') {
		return
	}
	for _, field := range strings.Fields(rest) {
		name, ms, ok := strings.Cut(field, "=")
		if !ok || !validName(name, maxNameLen) {
			continue
		}
		if v, err := strconv.ParseInt(ms, 10, 64); err == nil && v > 0 {
			f(name, v)
		}
	}
}

// decodeDeadlines parses a cooldown record into a map (used on the write path only).
func decodeDeadlines(b []byte) map[string]int64 {
	m := map[string]int64{}
	forEachDeadline(b, func(name string, until int64) {
		m[name] = max(m[name], until)
	})
	return m
}

// encodeDeadlines renders the entries still in the future at nowMs.
func encodeDeadlines(m map[string]int64, nowMs int64) []byte {
	names := make([]string, 0, len(m))
	for n, until := range m {
		if until > nowMs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	b := []byte(stateVersion)
	for _, n := range names {
		b = append(b, ' ')
		b = append(b, n...)
		b = append(b, '=')
		b = strconv.AppendInt(b, m[n], 10)
	}
	return b
}
