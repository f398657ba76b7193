// Package policy turns a request (method, path, headers, body) and the configuration into
// one Decision: reject with an OpenAI-style error, or forward, possibly with a rewritten
// body. It is pure Go: the plugin gathers inputs from the host and applies the Decision.
package policy

import (
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/redact"
)

// Policy is the compiled configuration. Build it once per plugin start with New.
type Policy struct {
	cfg       *config.Config
	routes    []route
	models    []modelRule
	inspector *inspect.Engine  // nil when injection.action is "off"
	redactor  *redact.Redactor // nil when redaction is off both ways
	// streamUsage asks OpenAI-compatible streams for their usage chunk
	// (stream_options.include_usage) so rate limits can charge real tokens.
	streamUsage bool
}

type route struct {
	path   string
	prefix bool
	kind   chatreq.Kind
}

type modelRule struct {
	name   string
	prefix bool
	def    int
	cap    int
}

// New compiles a validated configuration; errors name the configuration field.
func New(cfg *config.Config) (*Policy, error) {
	insp, err := newInspector(cfg.Injection)
	if err != nil {
		return nil, fmt.Errorf("injection: %w", err)
	}
	red, err := newRedactor(cfg.Redaction)
	if err != nil {
		return nil, err
	}
	p := &Policy{cfg: cfg, inspector: insp, redactor: red, streamUsage: cfg.RateLimits.Active(cfg.Clients.Tenants)}
	add := func(paths []string, k chatreq.Kind) {
		for _, s := range paths {
			pre := strings.HasSuffix(s, "*")
			p.routes = append(p.routes, route{path: strings.TrimSuffix(s, "*"), prefix: pre, kind: k})
		}
	}
	add(cfg.API.ChatPaths, chatreq.KindChat)
	add(cfg.API.FIMPaths, chatreq.KindFIM)
	add(cfg.API.AgentsPaths, chatreq.KindAgents)
	for name, mt := range cfg.MaxTokens.Models {
		def, limit := cfg.MaxTokens.Effective(mt)
		r := modelRule{name: strings.TrimSuffix(name, "*"), prefix: strings.HasSuffix(name, "*"),
			def: def, cap: limit}
		p.models = append(p.models, r)
	}
	sortModelRules(p.models)
	return p, nil
}

// Config returns the configuration the policy was built from.
func (p *Policy) Config() *config.Config { return p.cfg }

// Route classifies a request path (query string ignored). Exact paths win over prefixes.
func (p *Policy) Route(path string) chatreq.Kind {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	best, bestLen := chatreq.KindNone, -1
	for _, r := range p.routes {
		switch {
		case !r.prefix && path == r.path:
			return r.kind
		case r.prefix && strings.HasPrefix(path, r.path) && len(r.path) > bestLen:
			best, bestLen = r.kind, len(r.path)
		}
	}
	return best
}

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

// CheckHead decides, from headers alone, whether a request to an inspected path can
// proceed to body buffering. kind is the result of Route.
func (p *Policy) CheckHead(kind chatreq.Kind, h RequestHead) *apierr.Error {
	if kind == chatreq.KindNone {
		if p.cfg.API.OtherPaths == "deny" {
			return apierr.New(404, apierr.TypeInvalidRequest, "path_not_allowed",
				"this gateway only forwards the configured LLM API paths")
		}
		return nil
	}
	if h.Method != "POST" {
		return apierr.New(405, apierr.TypeInvalidRequest, "method_not_allowed",
			"%s requests must use POST, got %s", kind, h.Method)
	}
	if !isJSON(h.ContentType) {
		got := h.ContentType
		if got == "" {
			got = "none"
		}
		return apierr.New(415, apierr.TypeInvalidRequest, "unsupported_media_type",
			"content-type must be application/json, got %s", got)
	}
	if h.ContentLength > int64(p.cfg.Limits.MaxBodyBytes) {
		return p.TooLarge()
	}
	if h.EndOfStream || h.ContentLength == 0 {
		return apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	return nil
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
