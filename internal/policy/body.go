package policy

import (
	"sort"
	"strconv"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Decision is the outcome for one request body.
type Decision struct {
	Reject    *apierr.Error    // non-nil: answer with this error, forward nothing
	Body      []byte           // non-nil: forward this body instead of the original
	Headers   [][2]string      // request headers to set before forwarding
	Request   *chatreq.Request // the parsed request (nil when the body was unreadable)
	Actions   []string         // rewrites applied, e.g. "max_tokens_default", for logs and metrics
	Injection *Injection       // prompt-injection verdict (nil when inspection is off)
	// MaxTokens is the completion budget the forwarded request carries after the caps:
	// the smallest budget field, or the default set; 0 when it has none.
	MaxTokens int
}

// Rewritten reports whether the body changed.
func (d *Decision) Rewritten() bool { return d.Body != nil }

// CheckBody validates a complete request body and applies the cost caps, for a request
// without an authenticated tenant.
func (p *Policy) CheckBody(kind chatreq.Kind, up *config.Upstream, body []byte) Decision {
	return p.CheckBodyFor(kind, up, nil, body)
}

// CheckBodyFor is CheckBody for a tenant (nil: none): its allowed models and its
// max_tokens cap apply too.
func (p *Policy) CheckBodyFor(kind chatreq.Kind, up *config.Upstream, t *credentials.Tenant, body []byte) Decision {
	if len(body) > p.cfg.Limits.MaxBodyBytes {
		return Decision{Reject: p.TooLarge()}
	}
	req, err := chatreq.Parse(kind, body)
	if err != nil {
		return Decision{Reject: err}
	}
	d := Decision{Request: req}
	if err := p.checkLimits(req); err != nil {
		d.Reject = err
		return d
	}
	if err := t.CheckModel(req.Model); err != nil {
		d.Reject = err
		return d
	}
	out := p.inspectRequest(req, body, &d)
	if d.Reject != nil {
		return d
	}
	if out = p.hardenRequest(req, out, &d); d.Reject != nil {
		return d
	}
	if out = p.maskRequest(out, &d); d.Reject != nil {
		return d
	}
	if out, d.MaxTokens, d.Reject = p.capTokens(req, t, out, &d.Actions); d.Reject != nil {
		return d
	}
	if up != nil && up.EnforceSafePrompt && up.Provider == config.ProviderMistral && kind != chatreq.KindFIM {
		if sp := req.Member("safe_prompt"); sp.Type != gjson.True {
			if out, d.Reject = setMember(req, out, "safe_prompt", "true"); d.Reject != nil {
				return d
			}
			d.Actions = append(d.Actions, "safe_prompt_enforced")
		}
	}
	if out, d.Reject = p.requestStreamUsage(req, kind, up, out, &d.Actions); d.Reject != nil {
		return d
	}
	if len(d.Actions) > 0 {
		d.Body = out
	}
	return d
}

func (p *Policy) checkLimits(r *chatreq.Request) *apierr.Error {
	l := p.cfg.Limits
	if r.Messages > l.MaxMessages {
		e := apierr.New(422, apierr.TypePolicy, "too_many_messages",
			"request has %d messages; the limit is %d", r.Messages, l.MaxMessages)
		e.Param = "messages"
		return e
	}
	if r.PromptChars > l.MaxPromptChars {
		return apierr.New(422, apierr.TypePolicy, "prompt_too_long",
			"request text is %d characters; the limit is %d", r.PromptChars, l.MaxPromptChars)
	}
	return nil
}

// tokenFields are the completion-budget fields, policed independently when present.
var tokenFields = [...]string{"max_tokens", "max_completion_tokens"}

// capTokens clamps every present budget field to the cap and sets max_tokens to the
// default when none is present, and returns the resulting budget. The fields come from
// the parse (no new lookup in the body) and are rewritten by setMember, a splice at the
// position Parse recorded.
func (p *Policy) capTokens(r *chatreq.Request, t *credentials.Tenant, body []byte, actions *[]string) ([]byte, int, *apierr.Error) {
	def, limit := p.tokenLimits(r.Model)
	limit = t.TokenCap(limit)
	def = min(def, limit)
	present, budget := false, 0
	for _, f := range tokenFields {
		v := r.Member(f)
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		n, ok := positiveInt(v)
		if !ok {
			return nil, 0, apierr.Invalid("invalid_value", f, "%s must be a positive integer, got %s", f, v.Raw)
		}
		present = true
		if n > int64(limit) {
			var err *apierr.Error
			if body, err = setMember(r, body, f, strconv.Itoa(limit)); err != nil {
				return nil, 0, err
			}
			*actions = append(*actions, f+"_clamped")
			n = int64(limit)
		}
		if budget == 0 || int(n) < budget {
			budget = int(n)
		}
	}
	if !present && def > 0 {
		var err *apierr.Error
		if body, err = setMember(r, body, "max_tokens", strconv.Itoa(def)); err != nil {
			return nil, 0, err
		}
		*actions = append(*actions, "max_tokens_default")
		budget = def
	}
	return body, budget, nil
}

// positiveInt accepts JSON integers ≥ 1 (also "100.0"-style integral floats).
func positiveInt(v gjson.Result) (int64, bool) {
	if v.Type != gjson.Number {
		return 0, false
	}
	if n, err := strconv.ParseInt(v.Raw, 10, 64); err == nil {
		return n, n >= 1
	}
	f := v.Num
	if f >= 1 && f == float64(int64(f)) && f < 1e18 {
		return int64(f), true
	}
	if f >= 1e18 { // absurdly large: clamp, don't reject
		return 1 << 62, true
	}
	return 0, false
}

// tokenLimits returns the default and cap for a model: an exact match, else the longest
// matching prefix rule, else the global values.
func (p *Policy) tokenLimits(model string) (def, limit int) {
	for _, m := range p.models {
		if (!m.prefix && m.name == model) || (m.prefix && len(model) >= len(m.name) && model[:len(m.name)] == m.name) {
			return m.def, m.cap
		}
	}
	return p.cfg.MaxTokens.Default, p.cfg.MaxTokens.Cap
}

// sortModelRules orders exact names first, then prefixes longest first.
func sortModelRules(rs []modelRule) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].prefix != rs[j].prefix {
			return !rs[i].prefix
		}
		if len(rs[i].name) != len(rs[j].name) {
			return len(rs[i].name) > len(rs[j].name)
		}
		return rs[i].name < rs[j].name
	})
}

// setMember sets a top-level member to the JSON value raw by splicing the bytes at the
// position chatreq.Parse recorded (no new parse of the body); everything else is kept.
// Should it fail the request is refused, never forwarded unpoliced.
func setMember(r *chatreq.Request, body []byte, name, raw string) ([]byte, *apierr.Error) {
	out, err := r.SetMember(body, name, raw)
	if err != nil {
		return nil, apierr.New(500, apierr.TypeUnavailable, "rewrite_failed", "the guard could not rewrite %s", name)
	}
	return out, nil
}

// set replaces the value at an sjson path (a text segment). sjson only fails on an
// invalid path or a non-object root, both excluded by chatreq.Parse; should it fail
// anyway the request is refused, never forwarded unpoliced.
func set(body []byte, path string, v any) ([]byte, *apierr.Error) {
	out, err := sjson.SetBytes(body, path, v)
	if err != nil {
		return nil, apierr.New(500, apierr.TypeUnavailable, "rewrite_failed", "the guard could not rewrite %s", path)
	}
	return out, nil
}

// requestStreamUsage sets stream_options.include_usage on OpenAI-compatible chat streams
// when rate limits need the provider's usage (Mistral streams always carry it, and
// Mistral does not document stream_options).
func (p *Policy) requestStreamUsage(r *chatreq.Request, kind chatreq.Kind, up *config.Upstream, body []byte, actions *[]string) ([]byte, *apierr.Error) {
	if !p.streamUsage || !r.Stream || kind != chatreq.KindChat || (up != nil && up.Provider != config.ProviderOpenAI) {
		return body, nil
	}
	so := r.Member("stream_options")
	if so.Get("include_usage").Type == gjson.True {
		return body, nil
	}
	var err *apierr.Error
	if so.IsObject() {
		body, err = set(body, "stream_options.include_usage", true)
	} else {
		body, err = setMember(r, body, "stream_options", `{"include_usage":true}`)
	}
	if err == nil {
		*actions = append(*actions, "stream_usage_requested")
	}
	return body, err
}
