// Package audit renders the guard's per-request audit record: one JSON line per request
// with metadata only — who (tenant, key name), what (upstream, model, path kind, sizes,
// token usage), and what the guard decided and why.
//
// By construction it cannot carry content: Record has no field for a prompt, a
// completion, a header value or a key, only counts, names chosen by the configuration
// (tenant, upstream, key name), the request's model and id, and reason labels
// (rule families, moderation categories, redaction types with counts, limit names).
// Client-supplied strings (request id, model) are cut to MaxStringBytes.
//
// The line starts with Prefix so it can be grepped out of Envoy's log:
//
//	egressguard.audit {"time":"2026-03-01T12:00:00.123Z","request_id":"…",…}
package audit

import (
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonstr"
)

// Prefix starts every audit line.
const Prefix = "egressguard.audit "

// MaxStringBytes bounds every string field; longer values are cut (on a UTF-8
// boundary) and end in "…".
const MaxStringBytes = 256

// MaxReasons bounds the reasons listed; more are summarised as "+N more".
const MaxReasons = 32

// Decisions.
const (
	DecisionForwarded = "forwarded" // sent upstream (possibly rewritten: sanitised, redacted, capped)
	DecisionFlagged   = "flagged"   // sent upstream, marked (injection action flag / monitor)
	DecisionRejected  = "rejected"  // answered by the guard (4xx/5xx local reply)
	DecisionFailed    = "failed"    // forwarded, but the upstream failed or the stream was cut
)

// Path kinds.
const (
	PathChat   = "chat"
	PathFIM    = "fim"
	PathAgents = "agents"
	PathOther  = "other" // forwarded uninspected
)

// Record is one request's audit metadata. Zero values are written as such (0, "",
// false, []), so every line has the same fields.
type Record struct {
	Time      time.Time // request start; written in UTC, RFC 3339 with nanoseconds
	RequestID string    // x-request-id
	Tenant    string    // authenticated tenant, or the anonymous bucket name
	Upstream  string    // configured upstream name
	Model     string    // request "model"
	Path      string    // the API (chat, fim, agents, responses, messages, conversations, completions, embeddings) or PathOther
	Stream    bool

	MessageCount    int
	PromptChars     int // Unicode code points over every text the model reads
	CompletionChars int // code points of the returned content (all choices)

	PromptTokens     int // provider usage; 0 when unknown
	CompletionTokens int
	EstimatedTokens  int // the rate limiter's admission estimate (0 when not limited)

	Status   int    // HTTP status returned to the client
	Decision string // DecisionForwarded, …
	// Reasons are labels, never content: "injection:<family>", "moderation:<category>",
	// "redaction:<TYPE>=<count>", "ratelimit:<reason>", "limit:<code>", "auth:<code>",
	// "error:<code>".
	Reasons []string
	KeyName string // name of the upstream key used (never the key)

	LatencyMs int64 // request start to end of response
}

// Marshal renders rec as one line: Prefix followed by a JSON object, no trailing
// newline. It never fails; strings are escaped (control characters, quotes, invalid
// UTF-8, U+2028/U+2029) so a line can never be split or forged.
func Marshal(rec *Record) []byte { return Append(make([]byte, 0, 512), rec) }

// Append is Marshal appending to b: with a buffer kept across requests, rendering a
// line allocates nothing.
func Append(b []byte, rec *Record) []byte {
	b = append(b, Prefix+`{"time":"`...)
	b = appendTime(b, rec.Time) // digits, letters and punctuation: nothing to escape
	b = append(b, '"')
	b = appendField(b, `,"request_id":`, rec.RequestID)
	b = appendField(b, `,"tenant":`, rec.Tenant)
	b = appendField(b, `,"upstream":`, rec.Upstream)
	b = appendField(b, `,"model":`, rec.Model)
	b = appendField(b, `,"path":`, rec.Path)
	if !rec.Stream && rec.MessageCount|rec.PromptChars|rec.CompletionChars|rec.PromptTokens|
		rec.CompletionTokens|rec.EstimatedTokens == 0 {
		b = append(b, noBodyCounts...) // a request whose body was not read: one copy
	} else {
		b = append(b, `,"stream":`...)
		b = strconv.AppendBool(b, rec.Stream)
		b = appendInt(b, `,"message_count":`, int64(rec.MessageCount))
		b = appendInt(b, `,"prompt_chars":`, int64(rec.PromptChars))
		b = appendInt(b, `,"completion_chars":`, int64(rec.CompletionChars))
		b = appendInt(b, `,"prompt_tokens":`, int64(rec.PromptTokens))
		b = appendInt(b, `,"completion_tokens":`, int64(rec.CompletionTokens))
		b = appendInt(b, `,"estimated_tokens":`, int64(rec.EstimatedTokens))
	}
	b = appendInt(b, `,"status":`, int64(rec.Status))
	b = appendField(b, `,"decision":`, rec.Decision)
	b = append(b, `,"reasons":[`...)
	for i, r := range rec.Reasons {
		if i == MaxReasons {
			b = append(b, ',')
			b = append(b, `"+`...)
			b = strconv.AppendInt(b, int64(len(rec.Reasons)-MaxReasons), 10)
			b = append(b, ` more"`...)
			break
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r)
	}
	b = append(b, ']')
	b = appendField(b, `,"key":`, rec.KeyName)
	b = appendInt(b, `,"latency_ms":`, rec.LatencyMs)
	return append(b, '}')
}

// noBodyCounts are the stream flag and the counts when all are zero.
const noBodyCounts = `,"stream":false,"message_count":0,"prompt_chars":0,"completion_chars":0,` +
	`"prompt_tokens":0,"completion_tokens":0,"estimated_tokens":0`

// appendField appends a string field; key is its `,"name":` prefix.
func appendField(b []byte, key, v string) []byte {
	return appendString(append(b, key...), v)
}

// appendInt appends a number field; key is its `,"name":` prefix.
func appendInt(b []byte, key string, v int64) []byte {
	b = append(b, key...)
	if 0 <= v && v <= 9 {
		return append(b, byte('0'+v)) // most counts of most lines
	}
	return strconv.AppendInt(b, v, 10)
}

// appendString appends s as a JSON string, cut to MaxStringBytes.
func appendString(b []byte, s string) []byte {
	cut := false
	if len(s) > MaxStringBytes {
		n := MaxStringBytes
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	b = append(b, '"')
	if s != "" {
		b = jsonstr.AppendContent(b, s)
	}
	if cut {
		b = append(b, "…"...)
	}
	return append(b, '"')
}

// appendTime appends t in UTC as RFC 3339 with nanoseconds (time.RFC3339Nano: trailing
// zeros of the fraction dropped). The date and time of day are formatted once per
// second and kept: the lines of one second share them.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	sec := t.Unix()
	s := lastSecond.Load()
	if s == nil || s.unix != sec {
		if y := t.Year(); y < 0 || y > 9999 {
			return t.AppendFormat(b, time.RFC3339Nano) // a year that is not four digits
		}
		s = &second{unix: sec}
		t.AppendFormat(s.text[:0], "2006-01-02T15:04:05")
		lastSecond.Store(s)
	}
	b = append(b, s.text[:]...)
	if ns := t.Nanosecond(); ns != 0 {
		var f [10]byte
		f[0] = '.'
		for i := 9; i > 0; i-- {
			f[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(f)
		for f[n-1] == '0' {
			n--
		}
		b = append(b, f[:n]...)
	}
	return append(b, 'Z')
}

// second is one formatted second, "2006-01-02T15:04:05".
type second struct {
	unix int64
	text [19]byte
}

var lastSecond atomic.Pointer[second]
