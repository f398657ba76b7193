package policy

import (
	"sort"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/percent"
)

// Route is where a request goes: the API whose adapter reads its body (None for a
// request forwarded uninspected) and what the path says.
type Route struct {
	API         llmreq.API
	Deployment  string // the {deployment} segment of an Azure OpenAI path
	Path        string // the canonical path
	Passthrough bool   // listed in api.passthrough_paths
}

// pattern is one compiled path pattern.
type pattern struct {
	segs    []string // literal segments, or "{…}" placeholders
	prefix  bool     // a trailing "*": any path starting with these segments
	api     llmreq.API
	deploy  int  // index of the {deployment} segment; -1 when none
	literal int  // number of literal segments, for precedence
	order   int  // position in the configuration, for ties
	indexed bool // in routes.exact: found there for an ASCII path without upper case
}

func compilePattern(s string, api llmreq.API, order int) pattern {
	pt := pattern{api: api, deploy: -1, order: order}
	if strings.HasSuffix(s, "*") {
		pt.prefix = true
		s = strings.TrimSuffix(s, "*")
		// "/v1/files*" and "/v1/files/*" both mean everything under /v1/files
		s = strings.TrimSuffix(s, "/")
	}
	for _, seg := range strings.Split(strings.TrimPrefix(s, "/"), "/") {
		if seg == "" {
			continue
		}
		if seg[0] == '{' {
			if seg == "{deployment}" {
				pt.deploy = len(pt.segs)
			}
		} else {
			pt.literal++
		}
		pt.segs = append(pt.segs, seg)
	}
	return pt
}

// match reports whether the canonical path's segments match, and the deployment.
func (pt *pattern) match(segs []string) (string, bool) {
	if len(segs) < len(pt.segs) || (!pt.prefix && len(segs) != len(pt.segs)) {
		return "", false
	}
	for i, s := range pt.segs {
		if s[0] == '{' {
			continue
		}
		if !strings.EqualFold(s, segs[i]) {
			return "", false
		}
	}
	if pt.deploy >= 0 {
		return segs[pt.deploy], true
	}
	return "", true
}

// better reports whether pt is more specific than q: exact before prefix, then
// more literal segments, then longer, then earlier in the configuration.
func (pt *pattern) better(q *pattern) bool {
	switch {
	case pt.prefix != q.prefix:
		return !pt.prefix
	case pt.literal != q.literal:
		return pt.literal > q.literal
	case len(pt.segs) != len(q.segs):
		return len(pt.segs) > len(q.segs)
	}
	return pt.order < q.order
}

var apiByName = map[string]llmreq.API{}

func init() {
	for a := llmreq.None + 1; a.String() != "unknown"; a++ {
		apiByName[a.String()] = a
	}
}

// routes are the compiled API and passthrough patterns, most specific first (see
// better), so the first match wins. exact indexes the patterns that are all literal
// segments, all ASCII, by their path in lower case: what most requests hit, found
// without comparing segments one pattern at a time.
type routes struct {
	list  []pattern
	exact map[string]int // lower-case path → index in list of the first such pattern
}

// compileRoutes compiles every API path and the passthrough paths (API None).
func compileRoutes(a *config.API) routes {
	var out []pattern
	for _, list := range a.PathLists() {
		for _, s := range list.Paths {
			out = append(out, compilePattern(s, apiByName[list.API], len(out)))
		}
	}
	for _, s := range a.PassthroughPaths {
		out = append(out, compilePattern(s, llmreq.None, len(out)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].better(&out[j]) })
	r := routes{list: out, exact: map[string]int{}}
	for i := range out {
		pt := &out[i]
		if pt.prefix || pt.literal != len(pt.segs) {
			continue
		}
		key := "/" + strings.Join(pt.segs, "/")
		if !isASCII(key) {
			continue // Unicode case folding (strings.EqualFold) is left to the scan
		}
		key = strings.ToLower(key)
		if _, dup := r.exact[key]; !dup {
			r.exact[key] = i
		}
		pt.indexed = true
	}
	return r
}

// asciiNoUpper reports whether s is ASCII without upper-case letters: for such a
// path, strings.EqualFold against an ASCII pattern is equality with its lower case.
func asciiNoUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maxSegs is how many path segments Route splits without allocating.
const maxSegs = 16

// Route classifies a request path: canonicalised (see CanonicalPath), then matched
// against the API and passthrough patterns, the most specific winning. A path that
// cannot be canonicalised is an error.
func (p *Policy) Route(rawPath string) (Route, *apierr.Error) {
	path, err := CanonicalPath(rawPath)
	if err != nil {
		return Route{}, err
	}
	rt := Route{Path: path}
	if pt, dep := p.routes.match(path); pt != nil {
		rt.API, rt.Deployment, rt.Passthrough = pt.api, dep, pt.api == llmreq.None
	}
	return rt, nil
}

// match returns the most specific pattern matching a canonical path (nil when none)
// and the path's deployment segment. For an ASCII path without upper case, the index
// answers for every indexed pattern, and an exact pattern found there can only be
// beaten by a pattern before it in the list, so only the other patterns before it are
// scanned.
func (r *routes) match(path string) (*pattern, string) {
	limit := len(r.list)
	lookedUp := asciiNoUpper(path)
	if lookedUp {
		if i, ok := r.exact[path]; ok {
			limit = i
		}
	}
	n := strings.Count(path, "/") // segments: a canonical path has no empty one
	if path == "/" {
		n = 0
	}
	var buf [maxSegs]string
	var segs []string // split on the first pattern worth comparing
	for i := 0; i < limit; i++ {
		pt := &r.list[i]
		if lookedUp && pt.indexed || n < len(pt.segs) || !pt.prefix && n != len(pt.segs) {
			continue
		}
		if segs == nil {
			segs = splitSegs(buf[:0], path)
		}
		if d, ok := pt.match(segs); ok {
			return pt, d
		}
	}
	if limit < len(r.list) {
		return &r.list[limit], ""
	}
	return nil, ""
}

// splitSegs appends the segments of a canonical path ("/" has none).
func splitSegs(dst []string, path string) []string {
	if path == "/" {
		return dst
	}
	path = path[1:]
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(dst, path)
		}
		dst = append(dst, path[:i])
		path = path[i+1:]
	}
}

// CanonicalPath is the one view of a request path that routing decides on: the
// query and fragment dropped, percent-escapes decoded once, matrix parameters
// (";x=1") dropped from every segment, "." and ".." segments resolved, empty
// segments (repeated slashes, a trailing slash) removed. An encoded '/', '\' or NUL,
// a raw '\', a control byte or a malformed escape is a 400: servers disagree on
// what such paths mean, and a guard that read one differently from the provider
// would route around its own checks.
func CanonicalPath(raw string) (string, *apierr.Error) {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if !strings.HasPrefix(raw, "/") {
		return "", badPath("the path must start with '/'")
	}
	if canonical(raw) {
		return raw, nil // what every client sends: nothing to decode, drop or resolve
	}
	return resolvePath(raw)
}

// resolvePath is CanonicalPath for a path that starts with '/', without query or
// fragment.
func resolvePath(raw string) (string, *apierr.Error) {
	var dec []byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '%':
			d, ok := percent.Decode(raw, i)
			if !ok {
				return "", badPath("the path has a malformed percent-escape")
			}
			c = d
			i += 2
			if c == '/' || c == '\\' || c == 0 {
				return "", badPath("the path encodes '/', '\\' or NUL")
			}
		case '\\':
			return "", badPath("the path contains '\\'")
		}
		if c < 0x20 || c == 0x7f {
			return "", badPath("the path contains a control character")
		}
		dec = append(dec, c)
	}
	var segs []string
	for _, seg := range strings.Split(string(dec), "/") {
		if i := strings.IndexByte(seg, ';'); i >= 0 {
			seg = seg[:i]
		}
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	return "/" + strings.Join(segs, "/"), nil
}

// canonical reports whether a path that starts with '/' (query and fragment cut)
// is its own canonical form: no escape, '\', control byte or matrix parameter, and
// no empty, "." or ".." segment after the leading slash ("/" itself is canonical).
func canonical(p string) bool {
	seg := 1 // start of the current segment
	for i := 1; i <= len(p); i++ {
		if i < len(p) {
			c := p[i]
			if c == '%' || c == '\\' || c == ';' || c < 0x20 || c == 0x7f {
				return false
			}
			if c != '/' {
				continue
			}
		}
		switch p[seg:i] {
		case "", ".", "..":
			return p == "/"
		}
		seg = i + 1
	}
	return true
}

func badPath(why string) *apierr.Error {
	return apierr.Invalid("invalid_path", "", "%s", why)
}
