package moderation

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/shareddata"
	"github.com/tidwall/gjson"
)

// Moderator is the compiled configuration. Build it once per plugin start with New;
// it is immutable and safe for concurrent use.
type Moderator struct {
	cfg      Config
	chat     bool            // conversational endpoint: inputs are conversations
	enforced map[string]bool // categories that can flag
	fp       string          // configuration fingerprint, part of every cache key
}

// New validates cfg (as field "moderation"; completed by ApplyDefaults, as config.Parse
// does) and compiles it. It returns nil, nil when moderation is off (provider "").
func New(cfg Config) (*Moderator, error) {
	if errs := cfg.Validate("moderation"); len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	if !cfg.Enabled() {
		return nil, nil
	}
	m := &Moderator{cfg: cfg, chat: cfg.ChatPath(), enforced: map[string]bool{}}
	cats := cfg.Categories
	if len(cats) == 0 {
		cats = OpenAICategories
		if cfg.Provider == ProviderMistral {
			cats = MistralDefaultCategories
		}
	}
	for _, c := range cats {
		if c == "*" {
			for _, k := range knownCategories(cfg.Provider) {
				m.enforced[k] = true
			}
			continue
		}
		m.enforced[c] = true
	}
	for c := range cfg.Thresholds {
		m.enforced[c] = true
	}
	// The fingerprint covers everything a cached verdict depends on.
	var fp strings.Builder
	fp.WriteString(cfg.Provider + "|" + cfg.Model + "|" + cfg.Path + "|" + strconv.FormatBool(cfg.FlagsUsed()) +
		"|" + strconv.FormatFloat(cfg.DefaultThreshold, 'g', -1, 64))
	names := make([]string, 0, len(m.enforced))
	for c := range m.enforced {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		fp.WriteString("|" + c)
		if t, ok := cfg.Thresholds[c]; ok {
			fp.WriteString("=" + strconv.FormatFloat(t, 'g', -1, 64))
		}
	}
	m.fp = fp.String()
	return m, nil
}

// Config returns the effective configuration (defaults applied).
func (m *Moderator) Config() Config { return m.cfg }

// Cluster is the Envoy cluster to dispatch moderation calls to.
func (m *Moderator) Cluster() string { return m.cfg.Cluster }

// Timeout is the dispatch timeout.
func (m *Moderator) Timeout() time.Duration { return m.cfg.Timeout() }

// Refusal is the configured refusal text.
func (m *Moderator) Refusal() string { return m.cfg.Refusal }

// Stage returns the configuration of a stage.
func (m *Moderator) Stage(k StageKind) Stage {
	if k == Output {
		return m.cfg.Output
	}
	return m.cfg.Input
}

// StageKind says which direction is moderated.
type StageKind uint8

// Stages.
const (
	Input  StageKind = iota // the request, before it is forwarded
	Output                  // the completion, before the client sees it
)

// String names the stage for logs and metrics.
func (k StageKind) String() string {
	if k == Output {
		return "output"
	}
	return "input"
}

// Verdict is the outcome of moderating some texts.
type Verdict struct {
	Flagged    bool
	Categories []string // sorted, unique: the categories that flagged
}

// Merge returns the union of two verdicts.
func (v Verdict) Merge(o Verdict) Verdict {
	if !o.Flagged && len(o.Categories) == 0 {
		return v
	}
	if !v.Flagged && len(v.Categories) == 0 {
		return o
	}
	return Verdict{Flagged: v.Flagged || o.Flagged, Categories: mergeSorted(v.Categories, o.Categories)}
}

func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	return out[:n]
}

// Reason classifies a failed moderation call.
type Reason uint8

// Failure reasons.
const (
	ReasonNone        Reason = iota
	ReasonTimeout            // no answer within timeout_ms
	ReasonConnection         // no answer: connection refused / reset, no healthy host
	ReasonDispatch           // the call could not be dispatched (e.g. unknown cluster)
	ReasonRateLimited        // 429
	ReasonServerError        // 5xx
	ReasonStatus             // any other non-200 (401/403: report to the keyring)
	ReasonUnparseable        // 200 whose body is not the expected JSON
	ReasonResultCount        // 200 with a different number of results than inputs
)

var reasonNames = [...]string{"none", "timeout", "connection", "dispatch", "rate_limited", "server_error", "status", "unparseable", "result_count"}

// String names the reason for logs and metric labels.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// Failure is a moderation call that produced no verdict.
type Failure struct {
	Reason Reason
	Status int // HTTP status for ReasonRateLimited, ReasonServerError, ReasonStatus
}

// Error implements error; it never contains content.
func (f *Failure) Error() string {
	if f.Status != 0 {
		return "moderation failed: " + f.Reason.String() + " (status " + strconv.Itoa(f.Status) + ")"
	}
	return "moderation failed: " + f.Reason.String()
}

// Unavailable is the failure for a call without an answer.
func Unavailable(r Reason) *Failure { return &Failure{Reason: r} }

// NoResponse classifies a callback without response headers (Envoy reports both
// timeouts and connection failures that way): a timeout when at least the
// configured timeout elapsed since dispatch, else a connection failure.
func (m *Moderator) NoResponse(elapsed time.Duration) *Failure {
	if elapsed >= m.cfg.Timeout()-10*time.Millisecond {
		return Unavailable(ReasonTimeout)
	}
	return Unavailable(ReasonConnection)
}

// Answers Envoy makes up itself when a dispatched call gets no answer from the
// moderation service: the start of the text/plain bodies of its local replies.
var envoyLocalReplies = []struct {
	prefix string
	reason Reason
}{
	{"upstream request timeout", ReasonTimeout},                                     // 504: timeout_ms elapsed
	{"upstream connect error or disconnect/reset before headers", ReasonConnection}, // 503: refused, reset, overflow
	{"no healthy upstream", ReasonConnection},                                       // 503: no endpoint to call
}

// LocalReply classifies an answer to a dispatched call that Envoy generated itself
// rather than received from the moderation service: a timeout (Envoy's 504) or a
// connection failure (its 503). fromService reports that the answer passed through
// Envoy's router from the service, which then marks it with the
// x-envoy-upstream-service-time header; Envoy's own replies lack it. It returns nil for
// the service's answers: Finish classifies them.
func LocalReply(status int, fromService bool, body []byte) *Failure {
	if fromService || (status != 503 && status != 504) {
		return nil
	}
	for _, r := range envoyLocalReplies {
		if bytes.HasPrefix(body, []byte(r.prefix)) {
			return Unavailable(r.reason)
		}
	}
	return nil
}

// Message is one conversation message given as context to chat moderation.
type Message struct {
	Role    string // "user" or "assistant"
	Content string
}

// Call is one moderation request to dispatch: POST Path with Body to the
// Moderator's cluster, headers from Headers plus the key header from the keyring.
type Call struct {
	Stage StageKind
	Path  string
	Body  []byte
	// Inputs is the number of texts or conversations sent (results expected).
	Inputs int

	owner  []int      // wire input -> item index
	items  []cacheKey // per item: cache key (zero when not cached)
	cached Verdict    // input: verdicts found in the cache, merged into the result
	store  bool       // write item verdicts to the cache
}

// Headers are the request headers of the call (add the key header from
// Keyring.HeaderValue when auth is configured).
func (m *Moderator) Headers(c *Call) [][2]string {
	return [][2]string{
		{":method", "POST"},
		{":path", c.Path},
		{":authority", m.cfg.Authority},
		{"content-type", "application/json"},
		{"accept", "application/json"},
		{"accept-encoding", "identity"},
		{"content-length", strconv.Itoa(len(c.Body))},
	}
}

// wireInput is one text to classify: a string, or (chat endpoint) the last
// message of a conversation after ctx.
type wireInput struct {
	ctx  []Message
	role string
	text string
}

// build assembles the call for items (each a list of wire inputs).
func (m *Moderator) build(stage StageKind, items [][]wireInput) *Call {
	c := &Call{Stage: stage, Path: m.cfg.Path}
	b := make([]byte, 0, 256)
	b = append(b, `{"model":`...)
	b = appendJSONString(b, m.cfg.Model)
	b = append(b, `,"input":[`...)
	for i, ins := range items {
		for _, in := range ins {
			if c.Inputs > 0 {
				b = append(b, ',')
			}
			if m.chat {
				b = append(b, '[')
				for _, msg := range in.ctx {
					b = appendMessage(b, msg.Role, msg.Content)
					b = append(b, ',')
				}
				b = appendMessage(b, in.role, in.text)
				b = append(b, ']')
			} else {
				b = appendJSONString(b, in.text)
			}
			c.owner = append(c.owner, i)
			c.Inputs++
		}
	}
	c.Body = append(b, "]}"...)
	return c
}

func appendMessage(b []byte, role, content string) []byte {
	b = append(b, `{"role":`...)
	b = appendJSONString(b, role)
	b = append(b, `,"content":`...)
	b = appendJSONString(b, content)
	return append(b, '}')
}

// chunks turns one text into wire inputs of at most MaxChunkChars each.
func (m *Moderator) chunks(ctx []Message, role, text string) []wireInput {
	parts := ChunkText(text, m.cfg.MaxChunkChars, m.cfg.overlap())
	out := make([]wireInput, len(parts))
	for i, p := range parts {
		out[i] = wireInput{ctx: ctx, role: role, text: p}
	}
	return out
}

// Finish turns the moderation API's answer into a verdict: status is the
// response's :status (0 when there was no response: see NoResponse to tell a
// timeout from a connection failure, and LocalReply for Envoy's own answers), body
// its body. For input calls the verdict
// of every text is written to the cache in store (nil: no cache) and the verdicts
// found in the cache when the call was planned are merged in.
func (m *Moderator) Finish(c *Call, status int, body []byte, store shareddata.Store, now time.Time) (Verdict, *Failure) {
	switch {
	case status == 0:
		return Verdict{}, Unavailable(ReasonConnection)
	case status == 429:
		return Verdict{}, &Failure{Reason: ReasonRateLimited, Status: status}
	case status >= 500:
		return Verdict{}, &Failure{Reason: ReasonServerError, Status: status}
	case status != 200:
		return Verdict{}, &Failure{Reason: ReasonStatus, Status: status}
	}
	results, f := ParseResults(body, c.Inputs)
	if f != nil {
		return Verdict{}, f
	}
	per := make([]Verdict, len(c.items))
	var v Verdict
	for i, r := range results {
		rv := m.judge(r)
		v = v.Merge(rv)
		if i < len(c.owner) && c.owner[i] < len(per) {
			per[c.owner[i]] = per[c.owner[i]].Merge(rv)
		}
	}
	if c.store && store != nil {
		cache := m.cache(store)
		for i, k := range c.items {
			if k != (cacheKey{}) {
				cache.put(k, per[i], now)
			}
		}
	}
	return v.Merge(c.cached), nil
}

// Result is one parsed moderation result: the provider's booleans and scores.
type Result struct {
	Flags  map[string]bool
	Scores map[string]float64
}

// ParseResults reads a moderation response of either provider (OpenAI:
// results[].flagged, categories, category_scores; Mistral: results[].categories,
// category_scores) and checks it has want results.
func ParseResults(body []byte, want int) ([]Result, *Failure) {
	if !gjson.ValidBytes(body) {
		return nil, Unavailable(ReasonUnparseable)
	}
	res := gjson.GetBytes(body, "results")
	if !res.IsArray() {
		return nil, Unavailable(ReasonUnparseable)
	}
	arr := res.Array()
	if len(arr) != want {
		return nil, Unavailable(ReasonResultCount)
	}
	out := make([]Result, len(arr))
	for i, r := range arr {
		if !r.IsObject() {
			return nil, Unavailable(ReasonUnparseable)
		}
		cats, scores := r.Get("categories"), r.Get("category_scores")
		if !cats.IsObject() && !scores.IsObject() {
			return nil, Unavailable(ReasonUnparseable)
		}
		if (cats.Exists() && !cats.IsObject()) || (scores.Exists() && !scores.IsObject()) {
			return nil, Unavailable(ReasonUnparseable)
		}
		x := Result{Flags: map[string]bool{}, Scores: map[string]float64{}}
		bad := false
		cats.ForEach(func(k, v gjson.Result) bool {
			switch v.Type {
			case gjson.True:
				x.Flags[k.String()] = true
			case gjson.False, gjson.Null:
			default:
				bad = true
			}
			return !bad
		})
		scores.ForEach(func(k, v gjson.Result) bool {
			switch v.Type {
			case gjson.Number:
				x.Scores[k.String()] = v.Float()
			case gjson.Null:
			default:
				bad = true
			}
			return !bad
		})
		if bad {
			return nil, Unavailable(ReasonUnparseable)
		}
		// OpenAI's top-level "flagged" is the OR of the booleans; it is not used
		// on its own because categories outside the enforced set must not count.
		out[i] = x
	}
	return out, nil
}

// judge applies thresholds and flags to one result.
func (m *Moderator) judge(r Result) Verdict {
	var cats []string
	seen := func(c string) bool {
		for _, x := range cats {
			if x == c {
				return true
			}
		}
		return false
	}
	consider := func(c string) {
		if !m.enforced[c] || seen(c) {
			return
		}
		score, hasScore := r.Scores[c]
		if t, ok := m.cfg.Thresholds[c]; ok {
			if hasScore && score >= t {
				cats = append(cats, c)
			}
			return
		}
		if m.cfg.FlagsUsed() && r.Flags[c] {
			cats = append(cats, c)
			return
		}
		if m.cfg.DefaultThreshold > 0 && hasScore && score >= m.cfg.DefaultThreshold {
			cats = append(cats, c)
		}
	}
	for c := range r.Flags {
		consider(c)
	}
	for c := range r.Scores {
		consider(c)
	}
	if len(cats) == 0 {
		return Verdict{}
	}
	sort.Strings(cats)
	return Verdict{Flagged: true, Categories: cats}
}

// ChunkText splits s into pieces of at most maxChars code points, consecutive
// pieces sharing overlap code points, cutting only between UTF-8 sequences (an
// invalid byte counts as one character). Texts that fit are returned whole.
func ChunkText(s string, maxChars, overlap int) []string {
	if maxChars <= 0 {
		return []string{s}
	}
	if overlap < 0 || overlap >= maxChars {
		overlap = 0
	}
	if len(s) <= maxChars || utf8.RuneCountInString(s) <= maxChars {
		return []string{s}
	}
	offs := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		offs = append(offs, i)
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	n := len(offs)
	offs = append(offs, len(s))
	step := maxChars - overlap
	var out []string
	for i := 0; ; i += step {
		end := min(i+maxChars, n)
		out = append(out, s[offs[i]:offs[end]])
		if end == n {
			return out
		}
	}
}

// tailRunes returns the last n code points of s.
func tailRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := len(s)
	for k := 0; k < n && i > 0; k++ {
		_, w := utf8.DecodeLastRuneInString(s[:i])
		i -= w
	}
	return s[i:]
}

// hashText is the cache identity of a text under this configuration.
func (m *Moderator) hashText(text string) cacheKey {
	h := sha256.New()
	h.Write([]byte(m.fp))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k cacheKey
	h.Sum(k[:0])
	return k
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s) }

func runeCount(s string) int { return utf8.RuneCountInString(s) }
