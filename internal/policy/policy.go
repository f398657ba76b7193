// Package policy turns a request (method, path, headers, body) and the configuration into
// one Decision: reject with an OpenAI-style error, or forward, possibly with a rewritten
// body. It is pure Go: the plugin gathers inputs from the host and applies the Decision.
package policy

import (
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/redact"
)

// Policy is the compiled configuration. Build it once per plugin start with New.
type Policy struct {
	cfg       *config.Config
	routes    routes
	models    []modelRule
	opaque    llmreq.MediaSet
	inspector *inspect.Engine  // nil when injection.action is "off"
	redactor  *redact.Redactor // nil when redaction is off both ways
	secrets   *redact.Redactor // finds only the injected keys; nil when none
	// Warnings are start-up messages for the log (never a key value).
	Warnings []string
	// streamUsage asks OpenAI-compatible streams for their usage chunk
	// (stream_options.include_usage) so rate limits can charge real tokens.
	streamUsage bool
}

type modelRule struct {
	name   string
	prefix bool
	def    int
	cap    int
}

// New compiles a validated configuration; errors name the configuration field. keys
// are every key the guard injects (upstream key rings, the moderation key): an echo of
// one in a response is redacted.
func New(cfg *config.Config, keys ...credentials.Secret) (*Policy, error) {
	insp, err := newInspector(cfg.Injection)
	if err != nil {
		return nil, fmt.Errorf("injection: %w", err)
	}
	secrets, skipped := exactSecrets(keys)
	red, err := newRedactor(cfg.Redaction, secrets)
	if err != nil {
		return nil, err
	}
	sec, err := newSecretRedactor(secrets)
	if err != nil {
		return nil, err
	}
	opaque, bad, ok := llmreq.ParseMediaSet(cfg.Injection.OpaqueInputs)
	if !ok {
		return nil, fmt.Errorf("injection.opaque_inputs: unknown kind %q", bad)
	}
	p := &Policy{cfg: cfg, inspector: insp, redactor: red, secrets: sec, opaque: opaque,
		streamUsage: cfg.RateLimits.Active(cfg.Clients.Tenants), routes: compileRoutes(&cfg.API)}
	for name, mt := range cfg.MaxTokens.Models {
		def, limit := cfg.MaxTokens.Effective(mt)
		r := modelRule{name: strings.TrimSuffix(name, "*"), prefix: strings.HasSuffix(name, "*"),
			def: def, cap: limit}
		p.models = append(p.models, r)
	}
	sortModelRules(p.models)
	if skipped > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%d injected key(s) shorter than 8 bytes or with whitespace: "+
			"an echo of them in a response body is not redacted", skipped))
	}
	return p, nil
}

// Config returns the configuration the policy was built from.
func (p *Policy) Config() *config.Config { return p.cfg }

// Upstream returns the first configured upstream whose hosts match the authority.
func (p *Policy) Upstream(authority string) *config.Upstream {
	host := hostOnly(authority)
	for i := range p.cfg.Upstreams {
		u := &p.cfg.Upstreams[i]
		for _, h := range u.Hosts {
			if hostMatches(h, host) {
				return u
			}
		}
	}
	return nil
}

// RequestHead is what the plugin knows when request headers arrive.
type RequestHead struct {
	Method        string
	Path          string
	ContentType   string
	ContentLength int64 // -1 when absent
	EndOfStream   bool  // headers-only request
}

// hasBody reports whether a body follows the headers: a positive content-length,
// or headers that do not end the stream (chunked, HTTP/2 data frames, trailers).
func (h *RequestHead) hasBody() bool { return !h.EndOfStream || h.ContentLength > 0 }

// Head routes a request from its headers and decides whether it may proceed. The
// Route's API is None for a request forwarded uninspected: a bodiless request (a
// read such as GET /v1/models, or GET on an API path), or one to a path in
// api.passthrough_paths. A request with a body to a path no adapter reads is
// refused with a 404 naming the path: the guard does not forward what it cannot
// inspect.
func (p *Policy) Head(h RequestHead) (Route, *apierr.Error) {
	rt, err := p.Route(h.Path)
	if err != nil {
		return rt, err
	}
	if rt.API == llmreq.None {
		switch {
		case rt.Passthrough:
			return rt, nil
		case p.cfg.API.OtherPaths == config.OtherDeny:
			return rt, apierr.New(404, apierr.TypeInvalidRequest, "path_not_allowed",
				"this gateway does not forward %s: it is not an LLM API path the guard inspects", rt.Path)
		case h.hasBody():
			return rt, apierr.New(404, apierr.TypeInvalidRequest, "path_not_allowed",
				"this gateway does not forward request bodies to %s: it is not an LLM API path the guard inspects (operators can list it in api.passthrough_paths)", rt.Path)
		}
		return rt, nil
	}
	if h.Method != "POST" {
		if !h.hasBody() { // a read on an API path, e.g. GET /v1/conversations/{id}
			return Route{Path: rt.Path}, nil
		}
		return rt, apierr.New(405, apierr.TypeInvalidRequest, "method_not_allowed",
			"%s requests must use POST, got %s", rt.API, h.Method)
	}
	if !isJSON(h.ContentType) {
		got := h.ContentType
		if got == "" {
			got = "none"
		}
		return rt, apierr.New(415, apierr.TypeInvalidRequest, "unsupported_media_type",
			"content-type must be application/json, got %s", got)
	}
	if h.ContentLength > int64(p.cfg.Limits.MaxBodyBytes) {
		return rt, p.TooLarge()
	}
	if h.EndOfStream || h.ContentLength == 0 {
		return rt, apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	return rt, nil
}

// TooLarge is the 413 for a body above limits.max_body_bytes.
func (p *Policy) TooLarge() *apierr.Error {
	return apierr.New(413, apierr.TypeInvalidRequest, "body_too_large",
		"request body exceeds the limit of %d bytes", p.cfg.Limits.MaxBodyBytes)
}

// MaxBodyBytes is the configured body limit.
func (p *Policy) MaxBodyBytes() int { return p.cfg.Limits.MaxBodyBytes }

// isJSON reports whether a content-type names JSON (application/json or any +json type),
// ignoring parameters. It does not use package mime: mime's init reads the host's MIME
// files, which makes the module import WASI file functions older Envoys do not provide.
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !isToken(typ) || !isToken(sub) {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(sub, "+json")
}

// isToken reports whether s is a non-empty RFC 7230 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func hostOnly(authority string) string {
	h := authority
	if strings.HasPrefix(h, "[") { // IPv6 literal
		if i := strings.IndexByte(h, ']'); i > 0 {
			return strings.ToLower(h[1:i])
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[:i], ":") {
		h = h[:i]
	}
	// "api.mistral.ai." is the same host as "api.mistral.ai" (a fully qualified name).
	return strings.ToLower(strings.TrimRight(h, "."))
}

func hostMatches(pattern, host string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(host, strings.ToLower(pattern[1:]))
	default:
		return strings.EqualFold(pattern, host)
	}
}
