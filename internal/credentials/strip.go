package credentials

import "strings"

// DefaultStripHeaders are the client credential headers removed from every request to
// an upstream whose keys the guard injects: the upstream must only ever see the
// guard's key, and the client's credentials (for the guard, for a corporate SSO
// session, or a personal provider key) must never leave Envoy. cookie is included: no
// LLM API uses cookies, and a browser or SDK cookie jar can carry session tokens.
var DefaultStripHeaders = []string{
	"authorization",
	"proxy-authorization",
	"x-api-key",
	"api-key",
	"x-goog-api-key",
	"cookie",
}

// StripHeaders returns the lower-case request header names to remove before a request
// leaves Envoy for an upstream with auth a (nil: no upstream auth) while clients are
// authenticated per c (nil: mode none), both completed by ApplyDefaults. Compute it once
// per upstream at plugin start.
//
//   - a has keys: DefaultStripHeaders, a's header and a.StripHeaders;
//   - a has no keys (pass-through): only a.StripHeaders, so clients can still send
//     their own provider key;
//   - always: the client API-key header (mode api_key) or the identity header (mode
//     header), so the tenant's credential or identity never reaches the provider.
//
// Remove them before setting the injected key header.
func StripHeaders(a *UpstreamAuth, c *ClientAuth) []string {
	var out []string
	seen := map[string]bool{}
	add := func(hs ...string) {
		for _, h := range hs {
			h = strings.ToLower(strings.TrimSpace(h))
			if h != "" && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	if a != nil {
		if a.Enabled() {
			add(DefaultStripHeaders...)
			add(a.Header)
		}
		add(a.StripHeaders...)
	}
	if c != nil {
		switch c.Mode {
		case ModeAPIKey:
			add(c.APIKeyHeader)
		case ModeHeader:
			add(c.IdentityHeader)
		}
	}
	return out
}
