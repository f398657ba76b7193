package credentials

import (
	"strings"

	"github.com/egressguard/egressguard/internal/percent"
)

// DefaultStripHeaders are the client credential headers removed from every request to
// an upstream whose keys the guard injects: the upstream must only ever see the
// guard's key, and the client's credentials (for the guard, for a corporate SSO
// session, or a personal provider key) must never leave Envoy. They cover the headers
// the common LLM APIs and API gateways read a key from (OpenAI/Mistral authorization,
// Anthropic x-api-key, Azure api-key and APIM ocp-apim-subscription-key, Google
// x-goog-api-key, generic token headers). cookie is included: no LLM API uses cookies,
// and a browser or SDK cookie jar can carry session tokens.
var DefaultStripHeaders = []string{
	"authorization",
	"proxy-authorization",
	"x-api-key",
	"api-key",
	"x-goog-api-key",
	"anthropic-api-key",
	"ocp-apim-subscription-key",
	"x-auth-token",
	"x-access-token",
	"x-functions-key",
	"cookie",
}

// DefaultStripQueryParams are the query parameters that carry a credential on some
// provider or gateway (Google ?key=, Azure APIM ?subscription-key=, OAuth
// ?access_token=, …), removed from the path of every request to an upstream whose
// keys the guard injects. Names match case-insensitively after percent-decoding.
var DefaultStripQueryParams = []string{
	"key",
	"api-key",
	"api_key",
	"apikey",
	"x-api-key",
	"access_token",
	"access-token",
	"auth_token",
	"token",
	"subscription-key",
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

// StripQueryParams returns the lower-case query parameter names to remove from requests
// to an upstream with auth a (nil: none): DefaultStripQueryParams when the guard
// injects keys, plus a.StripQueryParams always.
func StripQueryParams(a *UpstreamAuth) []string {
	if a == nil {
		return nil
	}
	var out []string
	if a.Enabled() {
		out = append(out, DefaultStripQueryParams...)
	}
	for _, q := range a.StripQueryParams {
		out = append(out, strings.ToLower(strings.TrimSpace(q)))
	}
	return out
}

// StripQuery removes every query parameter of path whose name, percent-decoded ('+' as
// a space) and lower-cased, is in names. Both '&' and ';' separate parameters (some
// servers accept either); the parameters kept are copied byte for byte with the
// separator that preceded them. It returns the new path and the removed names; the
// path is unchanged when nothing matched.
func StripQuery(path string, names []string) (string, []string) {
	q := strings.IndexByte(path, '?')
	if q < 0 || len(names) == 0 {
		return path, nil
	}
	var (
		b       strings.Builder
		removed []string
		kept    int
	)
	b.WriteString(path[:q])
	query, sep := path[q+1:], byte('?')
	for {
		seg, rest, next := query, "", byte(0)
		if end := strings.IndexAny(query, "&;"); end >= 0 {
			seg, rest, next = query[:end], query[end+1:], query[end]
		}
		name, _, _ := strings.Cut(seg, "=")
		if n := strings.ToLower(unescapeQuery(name)); seg != "" && contains(names, n) {
			removed = append(removed, n)
		} else {
			if kept == 0 {
				sep = '?'
			}
			b.WriteByte(sep)
			b.WriteString(seg)
			kept++
		}
		if next == 0 {
			break
		}
		query, sep = rest, next
	}
	if len(removed) == 0 {
		return path, nil
	}
	return b.String(), removed
}

// unescapeQuery percent-decodes s like a query parser ('+' is a space); invalid
// escapes are kept as written.
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if d, ok := percent.Decode(s, i); ok {
			b = append(b, d)
			i += 2
		} else if c := s[i]; c == '+' {
			b = append(b, ' ')
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ScrubHeaders returns the headers of hs whose value contains one of secrets (empty
// secrets are ignored), with every occurrence replaced by Redacted: an injected key
// echoed back by an upstream must not reach the client.
func ScrubHeaders(hs [][2]string, secrets ...string) [][2]string {
	var out [][2]string
	for _, h := range hs {
		v, hit := h[1], false
		for _, s := range secrets {
			if s != "" && strings.Contains(v, s) {
				v, hit = strings.ReplaceAll(v, s, Redacted), true
			}
		}
		if hit {
			out = append(out, [2]string{h[0], v})
		}
	}
	return out
}
