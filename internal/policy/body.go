package policy

import (
	"sort"
	"strconv"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/llmreq"
)

// Decision is the outcome for one request body.
type Decision struct {
	Reject    *apierr.Error   // non-nil: answer with this error, forward nothing
	Body      []byte          // non-nil: forward this body instead of the original
	Headers   [][2]string     // request headers to set before forwarding
	Request   *llmreq.Request // the parsed request (nil when the body was unreadable); released
	Actions   []string        // rewrites applied, e.g. "max_tokens_default", for logs and metrics
	Injection *Injection      // prompt-injection verdict (nil when inspection is off)
	// MaxTokens is the completion budget the forwarded request carries after the caps:
	// the smallest budget field, or the default set; 0 when it has none.
	MaxTokens int
	// UsageAdded: the guard set stream_options.include_usage itself (the client did
	// not ask), so the usage-only chunk is for the guard, not for the client.
	UsageAdded bool
}

// Rewritten reports whether the body changed.
func (d *Decision) Rewritten() bool { return d.Body != nil }

// CheckBody validates a complete request body and applies the cost caps, for a request
// without an authenticated tenant.
func (p *Policy) CheckBody(rt Route, up *config.Upstream, body []byte) Decision {
	return p.CheckBodyFor(rt, up, nil, body)
}

// texts is the text of every segment as the rewrites leave it: the segments' own
// texts until the first rewrite, which copies them (most requests rewrite none).
type texts struct {
	segs []llmreq.Segment
	m    []string // nil until a text changes
}

// get returns segment i's current text.
func (c *texts) get(i int) string {
	if c.m == nil {
		return c.segs[i].Text
	}
	return c.m[i]
}

// set makes s segment i's text.
func (c *texts) set(i int, s string) {
	if c.m == nil {
		if s == c.segs[i].Text {
			return
		}
		c.m = make([]string, len(c.segs))
		for k := range c.segs {
			c.m[k] = c.segs[k].Text
		}
	}
	c.m[i] = s
}

// CheckBodyFor is CheckBody for a tenant (nil: none): its allowed models and its
// max_tokens cap apply too. The pipeline: parse (every API through its adapter),
// limits, inspection, hardening, masking, token caps, provider rewrites; every
// rewrite is a splice at offsets the parse recorded, applied once at the end.
func (p *Policy) CheckBodyFor(rt Route, up *config.Upstream, t *credentials.Tenant, body []byte) Decision {
	if len(body) > p.cfg.Limits.MaxBodyBytes {
		return Decision{Reject: p.TooLarge()}
	}
	req, err := llmreq.Parse(rt.API, body, p.parseOptions(rt))
	if err != nil {
		return Decision{Reject: err}
	}
	defer req.Release()
	d := Decision{Request: req}
	if d.Reject = p.checkLimits(req); d.Reject != nil {
		return d
	}
	if d.Reject = t.CheckModel(req.Model); d.Reject != nil {
		return d
	}
	cur := &texts{segs: req.Segments}
	if p.inspectRequest(req, cur, &d); d.Reject != nil {
		return d
	}
	p.hardenRequest(req, cur, &d)
	p.maskRequest(req, cur, &d)
	for i := range cur.m {
		if cur.m[i] != req.Segments[i].Text {
			if d.Reject = rewriteErr(req.SetText(i, cur.m[i]), "a text"); d.Reject != nil {
				return d
			}
		}
	}
	if d.MaxTokens, d.Reject = p.capTokens(req, t, &d.Actions); d.Reject != nil {
		return d
	}
	if up != nil && up.EnforceSafePrompt && up.Provider == config.ProviderMistral && (rt.API == llmreq.Chat || rt.API == llmreq.Agents) {
		if sp := req.Member(0, "safe_prompt"); sp < 0 || req.Tape().Nodes[sp].Kind != jsonscan.True {
			err := req.SetMember(0, "safe_prompt", func() string { return "true" }, nil)
			if d.Reject = rewriteErr(err, "safe_prompt"); d.Reject != nil {
				return d
			}
			d.Actions = append(d.Actions, "safe_prompt_enforced")
		}
	}
	n := len(d.Actions)
	if d.Reject = p.requestStreamUsage(req, up, &d.Actions); d.Reject != nil {
		return d
	}
	d.UsageAdded = len(d.Actions) > n
	if len(d.Actions) > 0 {
		var err error
		if d.Body, err = req.Rewritten(); err != nil {
			d.Reject = rewriteErr(err, "the request")
		}
	}
	return d
}

// parseOptions are the adapter settings for a route.
func (p *Policy) parseOptions(rt Route) llmreq.Options {
	return llmreq.Options{
		MaxDepth:       p.cfg.Limits.MaxJSONDepth,
		Deployment:     rt.Deployment,
		Opaque:         p.opaque,
		SkipMediaCheck: !p.inspects(rt.API),
	}
}

// inspects reports whether the texts of an API's requests are inspected for prompt
// injection.
func (p *Policy) inspects(api llmreq.API) bool {
	return p.inspector != nil && (api != llmreq.Embeddings || p.cfg.Injection.InspectEmbeddings)
}

// rewriteErr turns a failed splice into a refusal: a request is never forwarded
// unpoliced.
func rewriteErr(err error, what string) *apierr.Error {
	if err == nil {
		return nil
	}
	return apierr.New(500, apierr.TypeUnavailable, "rewrite_failed", "the guard could not rewrite %s", what)
}

func (p *Policy) checkLimits(r *llmreq.Request) *apierr.Error {
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

// capTokens clamps every present budget field of the API (max_tokens and
// max_completion_tokens for chat, max_output_tokens for Responses,
// completion_args.max_tokens for conversations, …) to the cap, sets the API's
// first budget field to the default when none is present, and returns the
// resulting budget.
func (p *Policy) capTokens(r *llmreq.Request, t *credentials.Tenant, actions *[]string) (int, *apierr.Error) {
	budgets := r.Budgets()
	if len(budgets) == 0 {
		return 0, nil
	}
	def, limit := p.tokenLimits(r.Model)
	limit = t.TokenCap(limit)
	def = min(def, limit)
	present, budget := false, 0
	for _, b := range budgets {
		kind, raw := r.BudgetValue(b)
		if kind == 0 || kind == jsonscan.Null {
			continue
		}
		n, ok := positiveInt(r, b, kind)
		if !ok {
			return 0, apierr.Invalid("invalid_value", b.Name, "%s must be a positive integer, got %s", b.Name, raw)
		}
		present = true
		if n > int64(limit) {
			if err := rewriteErr(r.SetBudget(b, limit), b.Name); err != nil {
				return 0, err
			}
			*actions = append(*actions, tokenAction(b.Name, true))
			n = int64(limit)
		}
		if budget == 0 || int(n) < budget {
			budget = int(n)
		}
	}
	if !present && def > 0 {
		b := budgets[0]
		if err := rewriteErr(r.SetBudget(b, def), b.Name); err != nil {
			return 0, err
		}
		*actions = append(*actions, tokenAction(b.Name, false))
		budget = def
	}
	return budget, nil
}

// tokenAction is budgetAction(name)+"_clamped" (or "_default"), without building
// the string for the fields the APIs have.
func tokenAction(name string, clamped bool) string {
	switch budgetAction(name) {
	case "max_tokens":
		if clamped {
			return "max_tokens_clamped"
		}
		return "max_tokens_default"
	case "max_completion_tokens":
		if clamped {
			return "max_completion_tokens_clamped"
		}
		return "max_completion_tokens_default"
	case "max_output_tokens":
		if clamped {
			return "max_output_tokens_clamped"
		}
		return "max_output_tokens_default"
	}
	if clamped {
		return budgetAction(name) + "_clamped"
	}
	return budgetAction(name) + "_default"
}

// budgetAction names a budget field in actions ("completion_args.max_tokens" →
// "max_tokens").
func budgetAction(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i+1:]
		}
	}
	return name
}

// positiveInt accepts JSON integers ≥ 1 (also "100.0"-style integral floats); absurdly
// large values are clamped, not rejected.
func positiveInt(r *llmreq.Request, b llmreq.Budget, kind jsonscan.Kind) (int64, bool) {
	if kind != jsonscan.Number {
		return 0, false
	}
	if n, ok := r.BudgetInt(b); ok {
		return n, n >= 1
	}
	_, raw := r.BudgetValue(b)
	f, err := strconv.ParseFloat(raw, 64)
	if err == nil && f >= 1e18 {
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

// requestStreamUsage sets stream_options.include_usage on OpenAI-compatible chat streams
// when rate limits need the provider's usage (Mistral streams always carry it, and
// Mistral does not document stream_options).
func (p *Policy) requestStreamUsage(r *llmreq.Request, up *config.Upstream, actions *[]string) *apierr.Error {
	if !p.streamUsage || !r.Stream || r.API != llmreq.Chat || (up != nil && up.Provider != config.ProviderOpenAI && up.Provider != config.ProviderAzure) {
		return nil
	}
	tp := r.Tape()
	if so := r.Member(0, "stream_options"); so >= 0 {
		if iu := r.Member(so, "include_usage"); iu >= 0 && tp.Nodes[iu].Kind == jsonscan.True {
			return nil
		}
	}
	err := r.SetMember(0, "stream_options", func() string { return `{"include_usage":true}` },
		func(so int) error {
			return r.SetMember(so, "include_usage", func() string { return "true" }, nil)
		})
	if err != nil {
		return rewriteErr(err, "stream_options")
	}
	*actions = append(*actions, "stream_usage_requested")
	return nil
}
