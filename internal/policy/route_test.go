package policy

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/llmreq"
)

// scanRoute is routing by definition: every pattern tried, the most specific match
// winning. The indexed table must always agree with it.
func scanRoute(pats []pattern, path string) (*pattern, string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "/" {
		segs = nil
	}
	var best *pattern
	var dep string
	for i := range pats {
		pt := &pats[i]
		if d, ok := pt.match(segs); ok && (best == nil || pt.better(best)) {
			best, dep = pt, d
		}
	}
	return best, dep
}

func TestRoutesAgreeWithScan(t *testing.T) {
	api := config.API{
		ChatPaths:        []string{"/v1/chat/completions", "/openai/deployments/{deployment}/chat/completions", "/x/{deployment}/y"},
		FIMPaths:         []string{"/v1/fim/completions", "/V1/Chat/Completions", "/x/a/y", "/"},
		EmbeddingsPaths:  []string{"/openai/deployments/{deployment}/embeddings", "/x/*", "/\u212aelvin/a"},
		PassthroughPaths: []string{"/v1/chat/completions", "/v1/files*", "/x/a/*", "/{id}/y", "/x/{id}/y"},
	}
	r := compileRoutes(&api)
	for _, path := range []string{
		"/", "/v1/chat/completions", "/V1/chat/completions", "/v1/fim/completions", "/v1/files", "/v1/files/a/b",
		"/openai/deployments/gpt/chat/completions", "/openai/deployments/gpt/embeddings", "/x/a/y", "/x/b/y",
		"/x/a/z", "/x", "/x/a", "/q/y", "/kelvin/a", "/Kelvin/a", "/\u212aelvin/a", "/v1/chat/completions/x",
		"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", "/nothing",
	} {
		want, wantDep := scanRoute(r.list, path)
		got, gotDep := r.match(path)
		if got != want || gotDep != wantDep {
			t.Errorf("match(%q) = %+v %q, scan says %+v %q", path, got, gotDep, want, wantDep)
		}
	}
	if got, _ := r.match("/v1/chat/completions"); got == nil || got.api != llmreq.Chat {
		t.Errorf("an API path listed first beats the same passthrough path: got %+v", got)
	}
}

// Routing a path an exact pattern lists allocates nothing.
func TestRouteExactNoAlloc(t *testing.T) {
	p := mustPolicy(t, `{}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Route("/v1/chat/completions") }); n != 0 {
		t.Errorf("Route allocates %v times per call", n)
	}
}
