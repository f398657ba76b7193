package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/tidwall/gjson"
)

func mustPolicy(t testing.TB, js string) *Policy {
	t.Helper()
	cfg, err := config.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Routes used by the body tests.
var (
	rChat   = Route{API: llmreq.Chat}
	rFIM    = Route{API: llmreq.FIM}
	rAgents = Route{API: llmreq.Agents}
)

func TestRoute(t *testing.T) {
	p := mustPolicy(t, `{"api":{"passthrough_paths":["/v1/files*","/internal/{id}/raw"]}}`)
	cases := []struct {
		path, want, deployment string
	}{
		{"/v1/chat/completions", "chat", ""},
		{"/v1/chat/completions?api-version=1", "chat", ""},
		{"/v1/chat/completions/", "chat", ""},
		{"/V1/CHAT/COMPLETIONS", "chat", ""},
		{"/v1/chat/%63ompletions", "chat", ""},
		{"/v1//chat/completions", "chat", ""},
		{"/v1/./chat/completions", "chat", ""},
		{"/v1/x/../chat/completions", "chat", ""},
		{"/v1/chat/completions;x=1", "chat", ""},
		{"/v1;a=b/chat/completions", "chat", ""},
		{"/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "chat", "gpt-4o"},
		{"/openai/deployments/ada/embeddings", "embeddings", "ada"},
		{"/openai/v1/responses", "responses", ""},
		{"/v1/fim/completions", "fim", ""},
		{"/v1/agents/completions", "agents", ""},
		{"/v1/responses", "responses", ""},
		{"/v1/messages", "messages", ""},
		{"/v1/conversations", "conversations", ""},
		{"/v1/conversations/conv_123", "conversations", ""},
		{"/v1/conversations/conv_123/restart", "conversations", ""},
		{"/v1/completions", "completions", ""},
		{"/v1/embeddings", "embeddings", ""},
		{"/v1/models", "none", ""},
		{"/v1/chat/completions/x", "none", ""},
		{"/v1/chat/completions%20", "none", ""},
		{"/v1/files/abc", "none", ""},
	}
	for _, c := range cases {
		rt, err := p.Route(c.path)
		if err != nil || rt.API.String() != c.want || rt.Deployment != c.deployment {
			t.Errorf("Route(%q) = %+v %v, want %s %q", c.path, rt, err, c.want, c.deployment)
		}
	}
	for _, path := range []string{"/v1/files", "/v1/files/f-1/content", "/internal/x/raw"} {
		if rt, _ := p.Route(path); !rt.Passthrough {
			t.Errorf("Route(%q) is not a passthrough path", path)
		}
	}
}

func TestCanonicalPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/v1/chat/completions", "/v1/chat/completions"},
		{"/v1/chat/completions/", "/v1/chat/completions"},
		{"//v1///chat//completions", "/v1/chat/completions"},
		{"/v1/./chat/./completions", "/v1/chat/completions"},
		{"/v1/a/b/../../chat/completions", "/v1/chat/completions"},
		{"/../../v1/chat/completions", "/v1/chat/completions"},
		{"/v1/chat/%63ompletions", "/v1/chat/completions"},
		{"/v1/chat/%2e%2e/chat/completions", "/v1/chat/completions"},
		{"/v1/chat/completions;x=1?q=1#f", "/v1/chat/completions"},
		{"/v1/chat/.;x/completions", "/v1/chat/completions"},
		{"/v1/chat/%2563ompletions", "/v1/chat/%63ompletions"},
		{"/", "/"},
		{"/V1/Chat", "/V1/Chat"},
	} {
		got, err := CanonicalPath(c.in)
		if err != nil || got != c.want {
			t.Errorf("CanonicalPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"/v1/chat%2fcompletions", "/v1/chat%2Fcompletions", "/v1%5cchat/completions", "/v1/chat\\completions",
		"/v1/chat/completions%00", "/v1/chat/%zzompletions", "/v1/chat/completions%", "/v1/chat/completions%2", "/v1/%0a", "v1/chat/completions", "*"} {
		if got, err := CanonicalPath(bad); err == nil || err.Status != 400 || err.Code != "invalid_path" {
			t.Errorf("CanonicalPath(%q) = %q, %v; want 400 invalid_path", bad, got, err)
		}
	}
}

// FuzzCanonicalFastPath: a path canonical() lets through unchanged is exactly what the
// full resolution makes of it.
func FuzzCanonicalFastPath(f *testing.F) {
	for _, s := range []string{"/", "/v1/chat/completions", "/v1//chat", "/v1/./x", "/v1/../x", "/v1/x/", "/a;b", "/%61", "/.", "/..", "/.a/..b/...", "/a\\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#") || !canonical(p) {
			return
		}
		if got, err := resolvePath(p); err != nil || got != p {
			t.Fatalf("canonical(%q) but resolved to %q, %v", p, got, err)
		}
	})
}

func TestUpstreamMatch(t *testing.T) {
	p := mustPolicy(t, `{"upstreams":[
	  {"name":"mistral","provider":"mistral","hosts":["api.mistral.ai"]},
	  {"name":"corp","provider":"openai","hosts":["*.llm.corp"]},
	  {"name":"any","provider":"openai","hosts":["*"]}]}`)
	cases := map[string]string{
		"api.mistral.ai":     "mistral",
		"API.Mistral.ai:443": "mistral",
		"eu.llm.corp":        "corp",
		"llm.corp":           "any",
		"[::1]:8080":         "any",
		"localhost:10000":    "any",
	}
	for auth, want := range cases {
		if got := p.Upstream(auth); got == nil || got.Name != want {
			t.Errorf("Upstream(%q) = %v, want %s", auth, got, want)
		}
	}
	only := mustPolicy(t, `{"upstreams":[{"name":"m","provider":"mistral","hosts":["api.mistral.ai"]}]}`)
	if u := only.Upstream("evil.example"); u != nil {
		t.Errorf("unmatched host returned %v", u)
	}
}

func TestHead(t *testing.T) {
	p := mustPolicy(t, `{"limits":{"max_body_bytes":1000},"api":{"passthrough_paths":["/v1/files*"]}}`)
	deny := mustPolicy(t, `{"api":{"other_paths":"deny"}}`)
	chat := "/v1/chat/completions"
	cases := []struct {
		name   string
		p      *Policy
		h      RequestHead
		api    string
		status int
	}{
		{"ok", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/json; charset=utf-8", ContentLength: 10}, "chat", 0},
		{"vendor json", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/vnd.api+json", ContentLength: -1}, "chat", 0},
		{"GET with a body", p, RequestHead{Method: "GET", Path: chat, ContentType: "application/json", ContentLength: -1}, "chat", 405},
		{"GET is a read", p, RequestHead{Method: "GET", Path: chat, ContentLength: -1, EndOfStream: true}, "none", 0},
		{"form", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/x-www-form-urlencoded", ContentLength: 10}, "chat", 415},
		{"no type", p, RequestHead{Method: "POST", Path: chat, ContentLength: 10}, "chat", 415},
		{"too long", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/json", ContentLength: 1001}, "chat", 413},
		{"at limit", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/json", ContentLength: 1000}, "chat", 0},
		{"empty", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/json", ContentLength: 0, EndOfStream: true}, "chat", 400},
		{"headers only", p, RequestHead{Method: "POST", Path: chat, ContentType: "application/json", ContentLength: -1, EndOfStream: true}, "chat", 400},
		{"spelled path", p, RequestHead{Method: "POST", Path: "/V1//chat/%63ompletions/", ContentType: "application/json", ContentLength: 10}, "chat", 0},
		{"encoded slash", p, RequestHead{Method: "POST", Path: "/v1/chat%2Fcompletions", ContentType: "application/json", ContentLength: 10}, "none", 400},
		{"other read", p, RequestHead{Method: "GET", Path: "/v1/models", ContentLength: -1, EndOfStream: true}, "none", 0},
		{"other POST", p, RequestHead{Method: "POST", Path: "/v1/images/generations", ContentType: "application/json", ContentLength: 10}, "none", 404},
		{"other chunked", p, RequestHead{Method: "PUT", Path: "/v1/whatever", ContentLength: -1}, "none", 404},
		// A WebSocket upgrade (HTTP/1) or extended CONNECT (HTTP/2) has headers that do not
		// end the stream: the frames that follow are a body the guard cannot read.
		{"websocket upgrade", p, RequestHead{Method: "GET", Path: "/v1/realtime?model=gpt-realtime", ContentLength: -1}, "none", 404},
		{"extended CONNECT", p, RequestHead{Method: "CONNECT", Path: "/v1/realtime", ContentLength: -1}, "none", 404},
		{"other bodiless POST", p, RequestHead{Method: "POST", Path: "/v1/batches/b1/cancel", ContentLength: 0, EndOfStream: true}, "none", 0},
		{"passthrough", p, RequestHead{Method: "POST", Path: "/v1/files", ContentType: "multipart/form-data", ContentLength: 10}, "none", 0},
		{"other denied", deny, RequestHead{Method: "GET", Path: "/v1/models", EndOfStream: true}, "none", 404},
	}
	for _, c := range cases {
		rt, err := c.p.Head(c.h)
		got := 0
		if err != nil {
			got = err.Status
		}
		if got != c.status || (err == nil && rt.API.String() != c.api) {
			t.Errorf("%s: status %d api %s, want %d %s (%v)", c.name, got, rt.API, c.status, c.api, err)
		}
		if err != nil && err.Status == 404 && !strings.Contains(err.Message, rt.Path) {
			t.Errorf("%s: the 404 must name the path: %s", c.name, err.Message)
		}
	}
}

func TestCheckBodyTokens(t *testing.T) {
	p := mustPolicy(t, `{"max_tokens":{"default":100,"cap":1000,"models":{"tiny":{"cap":10},"big-*":{"cap":5000,"default":2000},"big-x-*":{"cap":7000}}}}`)
	body := func(model, extra string) []byte {
		return []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]` + extra + `}`)
	}
	cases := []struct {
		name, model, extra string
		want               map[string]int64 // -1: absent
		actions            string
	}{
		{"default set", "m", ``, map[string]int64{"max_tokens": 100}, "max_tokens_default"},
		{"clamped", "m", `,"max_tokens":100000`, map[string]int64{"max_tokens": 1000}, "max_tokens_clamped"},
		{"at cap kept", "m", `,"max_tokens":1000`, map[string]int64{"max_tokens": 1000}, ""},
		{"integral float", "m", `,"max_tokens":50.0`, map[string]int64{"max_tokens": 50}, ""},
		{"huge float clamped", "m", `,"max_tokens":1e30`, map[string]int64{"max_tokens": 1000}, "max_tokens_clamped"},
		{"completion field only", "m", `,"max_completion_tokens":5000`, map[string]int64{"max_completion_tokens": 1000, "max_tokens": -1}, "max_completion_tokens_clamped"},
		{"both fields", "m", `,"max_tokens":5000,"max_completion_tokens":5000`, map[string]int64{"max_tokens": 1000, "max_completion_tokens": 1000}, "max_tokens_clamped,max_completion_tokens_clamped"},
		{"null means absent", "m", `,"max_tokens":null`, map[string]int64{"max_tokens": 100}, "max_tokens_default"},
		{"exact model", "tiny", ``, map[string]int64{"max_tokens": 10}, "max_tokens_default"},
		{"prefix model", "big-1", `,"max_tokens":6000`, map[string]int64{"max_tokens": 5000}, "max_tokens_clamped"},
		{"longest prefix wins", "big-x-1", `,"max_tokens":6000`, map[string]int64{"max_tokens": 6000}, ""},
	}
	for _, c := range cases {
		d := p.CheckBody(rChat, nil, body(c.model, c.extra))
		if d.Reject != nil {
			t.Fatalf("%s: rejected: %v", c.name, d.Reject)
		}
		out := d.Body
		if out == nil {
			out = body(c.model, c.extra)
		}
		for f, want := range c.want {
			v := gjson.GetBytes(out, f)
			if (want == -1) == v.Exists() || (want != -1 && v.Int() != want) {
				t.Errorf("%s: %s = %s, want %d", c.name, f, v.Raw, want)
			}
		}
		if got := strings.Join(d.Actions, ","); got != c.actions {
			t.Errorf("%s: actions %q, want %q", c.name, got, c.actions)
		}
		if (c.actions == "") != (d.Body == nil) {
			t.Errorf("%s: Body rewritten=%v with actions %q", c.name, d.Body != nil, c.actions)
		}
	}
}

func TestCheckBodyKeepsOtherBytes(t *testing.T) {
	p := mustPolicy(t, `{}`)
	in := `{"model":"m", "messages":[{"role":"user","content":"h\u00e9llo \"q\""}],  "temperature":0.5,"max_tokens":99999,"tools":[{"type":"function"}]}`
	d := p.CheckBody(rChat, nil, []byte(in))
	want := strings.Replace(in, "99999", "4096", 1)
	if string(d.Body) != want {
		t.Errorf("rewrite changed other bytes:\n got %s\nwant %s", d.Body, want)
	}
}

func TestCheckBodyRejects(t *testing.T) {
	p := mustPolicy(t, `{"limits":{"max_messages":2,"max_prompt_chars":10,"max_body_bytes":200}}`)
	cases := []struct {
		body   string
		status int
		code   string
	}{
		{`{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"}]}`, 422, "too_many_messages"},
		{`{"model":"m","messages":[{"role":"user","content":"ééééééééééé"}]}`, 422, "prompt_too_long"},
		{`{"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":0}`, 400, "invalid_value"},
		{`{"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":1.5}`, 400, "invalid_value"},
		{`{"model":"m","messages":[{"role":"user","content":"a"}],"max_completion_tokens":true}`, 400, "invalid_value"},
		{`{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("a", 200) + `"}]}`, 413, "body_too_large"},
	}
	for _, c := range cases {
		d := p.CheckBody(rChat, nil, []byte(c.body))
		if d.Reject == nil || d.Reject.Status != c.status || d.Reject.Code != c.code {
			t.Errorf("CheckBody(%.60s…) = %v, want %d %s", c.body, d.Reject, c.status, c.code)
		}
		if d.Body != nil {
			t.Errorf("a rejected request must not carry a body to forward")
		}
	}
}

func TestSafePrompt(t *testing.T) {
	p := mustPolicy(t, `{"upstreams":[{"name":"m","provider":"mistral","hosts":["*"],"enforce_safe_prompt":true}]}`)
	up := p.Upstream("api.mistral.ai")
	for _, in := range []string{`,"safe_prompt":false`, ``} {
		d := p.CheckBody(rChat, up, []byte(`{"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":5`+in+`}`))
		if gjson.GetBytes(d.Body, "safe_prompt").Type != gjson.True {
			t.Errorf("safe_prompt not enforced for %q: %s", in, d.Body)
		}
	}
	d := p.CheckBody(rFIM, up, []byte(`{"model":"c","prompt":"x","max_tokens":5}`))
	if d.Body != nil {
		t.Errorf("FIM has no safe_prompt parameter; body rewritten: %s", d.Body)
	}
}

func BenchmarkCheckBody(b *testing.B) {
	p := mustPolicy(b, `{}`)
	for _, size := range []int{1 << 10, 16 << 10, 64 << 10} {
		body := []byte(`{"model":"m","max_tokens":100000,"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"` +
			strings.Repeat("The quick brown fox jumps over the lazy dog. ", size/45) + `"}]}`)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if d := p.CheckBody(rChat, nil, body); d.Reject != nil {
					b.Fatal(d.Reject)
				}
			}
		})
	}
}

func sizeName(n int) string { return fmt.Sprintf("%dKiB", n>>10) }

func parse(js string) (*config.Config, error) { return config.Parse([]byte(js)) }

func TestTenantOverrides(t *testing.T) {
	p := mustPolicy(t, `{"max_tokens":{"default":1024,"cap":4096}}`)
	tenant := &credentials.Tenant{Name: "team-a", AllowedModels: []string{"small-*"}, MaxTokensCap: 300}
	d := p.CheckBodyFor(rChat, nil, tenant, []byte(`{"model":"large-1","messages":[{"role":"user","content":"a"}]}`))
	if d.Reject == nil || d.Reject.Status != 403 || d.Reject.Code != "model_not_allowed" {
		t.Errorf("disallowed model: %+v", d.Reject)
	}
	for _, c := range []struct {
		extra string
		want  int64
	}{{``, 300}, {`,"max_tokens":5000`, 300}, {`,"max_tokens":100`, 100}} {
		in := []byte(`{"model":"small-1","messages":[{"role":"user","content":"a"}]` + c.extra + `}`)
		d = p.CheckBodyFor(rChat, nil, tenant, in)
		if d.Reject != nil || gjson.GetBytes(orig(d, in), "max_tokens").Int() != c.want || int64(d.MaxTokens) != c.want {
			t.Errorf("tenant cap with %q: %+v body %s, want max_tokens %d", c.extra, d.Reject, d.Body, c.want)
		}
	}
}

// orig is the forwarded body: the rewrite, or the original when unchanged.
func orig(d Decision, in []byte) []byte {
	if d.Body != nil {
		return d.Body
	}
	return in
}

func TestStreamUsageRequestedWhenRateLimited(t *testing.T) {
	p := mustPolicy(t, `{"rate_limits":{"default":{"tokens_per_minute":1000}}}`)
	for _, c := range []struct{ in, want string }{
		{`{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}]}`, `{"include_usage":true}`},
		{`{"model":"m","stream":true,"stream_options":{"x":1},"messages":[{"role":"user","content":"a"}]}`, `{"x":1,"include_usage":true}`},
		{`{"model":"m","stream":false,"messages":[{"role":"user","content":"a"}]}`, ``},
	} {
		d := p.CheckBody(rChat, nil, []byte(c.in))
		if got := gjson.GetBytes(orig(d, []byte(c.in)), "stream_options").Raw; d.Reject != nil || got != c.want {
			t.Errorf("%s: stream_options = %s (%v), want %s", c.in, got, d.Reject, c.want)
		}
	}
	mistral := &config.Upstream{Name: "m", Provider: config.ProviderMistral}
	d := p.CheckBody(rChat, mistral, []byte(`{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}]}`))
	if d.Body != nil && gjson.GetBytes(d.Body, "stream_options").Exists() {
		t.Error("Mistral requests must not get stream_options")
	}
}

// MaxTokens is the smallest budget field after the caps, or the default set.
func TestDecisionMaxTokens(t *testing.T) {
	p := mustPolicy(t, `{"max_tokens":{"default":100,"cap":1000}}`)
	for _, c := range []struct {
		extra string
		want  int
	}{{``, 100}, {`,"max_tokens":5000`, 1000}, {`,"max_tokens":50,"max_completion_tokens":70`, 50},
		{`,"max_tokens":5000,"max_completion_tokens":700`, 700}, {`,"max_tokens":null`, 100}} {
		d := p.CheckBody(rChat, nil, []byte(`{"model":"m","messages":[{"role":"user","content":"a"}]`+c.extra+`}`))
		if d.Reject != nil || d.MaxTokens != c.want {
			t.Errorf("%q: MaxTokens = %d (%v), want %d", c.extra, d.MaxTokens, d.Reject, c.want)
		}
	}
	p = mustPolicy(t, `{"max_tokens":{"default":0,"cap":1000}}`)
	if d := p.CheckBody(rChat, nil, []byte(`{"model":"m","messages":[{"role":"user","content":"a"}]}`)); d.MaxTokens != 0 {
		t.Errorf("no field and no default: MaxTokens = %d, want 0", d.MaxTokens)
	}
}

func TestUpstreamFor(t *testing.T) {
	cfg := config.Default()
	cfg.Upstreams = []config.Upstream{
		{Name: "mistral", Provider: "mistral", Hosts: []string{"api.mistral.ai"}, Clusters: []string{"mistral_api"}},
		{Name: "openai", Provider: "openai", Hosts: []string{"api.openai.com"}},
		{Name: "any", Provider: "openai", Hosts: []string{"*"}},
	}
	p, err := New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		authority, cluster, want string
		status                   int
	}{
		{"api.mistral.ai", "mistral_api", "mistral", 0},
		{"API.Mistral.AI.:443", "", "mistral", 0},      // normalised: case, port, trailing dot
		{"other.example", "mistral_api", "mistral", 0}, // the routed cluster decides
		{"api.openai.com", "mistral_api", "", 421},     // Host names another upstream
		{"api.mistral.ai", "elsewhere", "", 421},       // routed away from its clusters
		{"api.openai.com", "elsewhere", "openai", 0},   // no clusters configured: host decides
		{"other.example", "elsewhere", "any", 0},
	} {
		u, e := p.UpstreamFor(c.authority, c.cluster)
		switch {
		case c.status != 0:
			if e == nil || e.Status != c.status {
				t.Errorf("%s via %s: got %v %v, want %d", c.authority, c.cluster, u, e, c.status)
			}
		case e != nil || u == nil || u.Name != c.want:
			t.Errorf("%s via %s: got %v %v, want %s", c.authority, c.cluster, u, e, c.want)
		}
	}
}

func TestTokenAction(t *testing.T) {
	for _, name := range []string{"max_tokens", "max_completion_tokens", "max_output_tokens", "completion_args.max_tokens", "other.budget"} {
		for _, clamped := range []bool{true, false} {
			want := budgetAction(name) + "_default"
			if clamped {
				want = budgetAction(name) + "_clamped"
			}
			if got := tokenAction(name, clamped); got != want {
				t.Errorf("tokenAction(%q, %v) = %q; want %q", name, clamped, got, want)
			}
		}
	}
}
