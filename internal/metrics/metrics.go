// Package metrics names the guard's Envoy stats. proxy-wasm metrics carry no labels, so
// labels are encoded in the stat name as ".<tag>.<value>" pairs and Envoy's
// stats_config.stats_tags (StatsTags) turns them back into Prometheus labels:
//
//	egressguard.requests.decision.rejected.code.prompt_injection
//	→ egressguard_requests{decision="rejected",code="prompt_injection"}
//
// Pure Go: the plugin defines and increments the stats through hostcalls.
package metrics

import (
	"strings"
	"sync"
)

// Prefix starts every stat name of the guard.
const Prefix = "egressguard"

// Stat names (the part after Prefix). Each has a fixed list of tags, in this order.
const (
	Requests           = "requests"            // counter: decision, code
	Injection          = "injection"           // counter: rule, action (one per rule family that fired)
	Redactions         = "redactions"          // counter: type (entities/unsafe markup/leaks redacted)
	Moderation         = "moderation"          // counter: stage, verdict
	ModerationFailures = "moderation_failures" // counter: stage, reason (timeout, connection, server_error, …)
	Tokens             = "tokens"              // counter: direction, tenant, model (provider-reported usage)
	KeyCooldowns       = "key_cooldowns"       // counter: upstream, key (key failovers)
	KeysExhausted      = "keys_exhausted"      // counter: upstream (503: every key cooling)
	RateLimited        = "rate_limited"        // counter: tenant, limit
	AddedLatencyUs     = "added_latency_us"    // histogram: microseconds the guard held the request
	ModerationMs       = "moderation_ms"       // histogram: stage (moderation call round trip)
	ConfigRejected     = "config_rejected"     // counter: plugin starts refused for a bad configuration
	ResponseOutcome    = "responses"           // counter: mode (json, sse, pass), status class
)

// TagNames lists every tag key used in stat names; StatsTags extracts each.
var TagNames = []string{"decision", "code", "rule", "action", "type", "stage", "verdict",
	"direction", "tenant", "model", "upstream", "key", "limit", "mode", "status", "reason"}

// Name builds a stat name from a stat and alternating tag keys and values, e.g.
// Name(Requests, "decision", "rejected", "code", "body_too_large"). Values are
// sanitised with Value.
func Name(stat string, kv ...string) string {
	if len(kv) > len(nameKey{}.kv) {
		return build(stat, kv)
	}
	k := nameKey{stat: stat, n: len(kv)}
	copy(k.kv[:], kv)
	names.Lock()
	defer names.Unlock()
	if n, ok := names.m[k]; ok {
		return n
	}
	n := build(stat, kv)
	if len(names.m) < maxNames {
		if names.m == nil {
			names.m = map[nameKey]string{}
		}
		names.m[k] = n
	}
	return n
}

// names memoises Name: the guard names the same few stats on every request, and a name
// built per request is garbage for the VM's collector. Bounded: past maxNames distinct
// names (tag values are bounded sets, client-supplied ones capped by Cardinality), new
// ones are built each time.
var names struct {
	sync.Mutex
	m map[nameKey]string
}

const maxNames = 1024

type nameKey struct {
	stat string
	n    int
	kv   [6]string
}

func build(stat string, kv []string) string {
	var b strings.Builder
	b.Grow(len(Prefix) + 1 + len(stat) + 16*len(kv))
	b.WriteString(Prefix)
	b.WriteByte('.')
	b.WriteString(stat)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte('.')
		b.WriteString(kv[i])
		b.WriteByte('.')
		b.WriteString(Value(kv[i+1]))
	}
	return b.String()
}

// MaxValueLen bounds a tag value.
const MaxValueLen = 64

// Value makes a tag value safe for a stat name: letters, digits, '_', '-', ':', '@', '+'
// and '/' are kept, everything else (including '.') becomes '_'; empty becomes "none";
// at most MaxValueLen bytes.
func Value(v string) string {
	if v == "" {
		return "none"
	}
	if len(v) > MaxValueLen {
		v = v[:MaxValueLen]
	}
	ok := true
	for i := 0; i < len(v); i++ {
		if !safe(v[i]) {
			ok = false
			break
		}
	}
	if ok {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if !safe(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

func safe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == ':' || c == '@' || c == '+' || c == '/'
}

// StatsTag is one Envoy stats_config.stats_tags entry.
type StatsTag struct {
	TagName string `json:"tag_name"`
	Regex   string `json:"regex"`
}

// StatsTags returns the stats_tags entries that turn the encoded pairs into labels.
// Envoy removes the first capture group from the name and uses the second as the value.
func StatsTags() []StatsTag {
	tags := make([]StatsTag, len(TagNames))
	for i, t := range TagNames {
		tags[i] = StatsTag{TagName: t, Regex: `^wasmcustom\.` + Prefix + `\..*?(\.` + t + `\.([^.]+))`}
	}
	return tags
}

// Cardinality caps the distinct values of a client-controlled tag (e.g. model names):
// after Max distinct values, new ones are reported as "other". Not safe for concurrent
// use; one per wasm VM (each worker thread has its own VM).
type Cardinality struct {
	Max  int
	seen map[string]struct{}
	// tokens memoises TokenNames for the last few tenant and model pairs.
	tokens [4]tokenNames
	next   int
}

type tokenNames struct {
	tenant, model      string // as given (the model not yet capped)
	prompt, completion string
}

// Value returns v (sanitised) while under the cap, else "other".
func (c *Cardinality) Value(v string) string {
	v = Value(v)
	if _, ok := c.seen[v]; ok {
		return v
	}
	if c.seen == nil {
		c.seen = map[string]struct{}{}
	}
	if len(c.seen) >= c.Max {
		return "other"
	}
	c.seen[v] = struct{}{}
	return v
}

// TokenNames returns the names of the prompt and completion Tokens counters of a
// tenant and a client-supplied model (capped by c like Value). The last few pairs are
// remembered: most requests of a VM repeat one, and building the names means two
// sanitised, memoised Name calls per request.
func (c *Cardinality) TokenNames(tenant, model string) (prompt, completion string) {
	for i := range c.tokens {
		if t := &c.tokens[i]; t.prompt != "" && t.tenant == tenant && t.model == model {
			return t.prompt, t.completion
		}
	}
	m := c.Value(model)
	t := tokenNames{tenant: strings.Clone(tenant), model: strings.Clone(model), // may be views of a request
		prompt:     Name(Tokens, "direction", "prompt", "tenant", tenant, "model", m),
		completion: Name(Tokens, "direction", "completion", "tenant", tenant, "model", m)}
	c.tokens[c.next] = t
	c.next = (c.next + 1) % len(c.tokens)
	return t.prompt, t.completion
}
