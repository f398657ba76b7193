package posture

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
)

func parse(t *testing.T, doc string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("config.Parse(%s): %v", doc, err)
	}
	return c
}

func TestReport(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want map[string][2]string // key -> {state, value}
	}{
		{"defaults", `{}`, map[string][2]string{
			"injection":           {"on", "block"},
			"redaction.responses": {"on", "on"},
			"redaction.requests":  {"off", "off"},
			"other_paths":         {"on", "reads"},
			"max_tokens":          {"on", "cap:4096"},
			"client_auth":         {"off", "none"},
			"upstream_keys":       {"off", "0/1"},
			"inline_keys":         {"off", "0"},
			"moderation.input":    {"off", "off"},
			"rate_limits":         {"off", "off"},
		}},
		{"monitor rollout", `{"injection":{"action":"monitor"},"redaction":{"responses":false}}`, map[string][2]string{
			"injection":           {"monitor", "monitor"},
			"redaction.responses": {"off", "off"},
		}},
		{"flag", `{"injection":{"action":"flag"}}`, map[string][2]string{"injection": {"monitor", "flag"}}},
		{"sanitize", `{"injection":{"action":"sanitize"}}`, map[string][2]string{"injection": {"on", "sanitize"}}},
		{"off", `{"injection":{"action":"off"}}`, map[string][2]string{"injection": {"off", "off"}}},
		{"moderation monitor, rate limits", `{"moderation":{"provider":"openai","cluster":"m","input":{"mode":"monitor"}},"rate_limits":{"global":{"enabled":true}}}`,
			map[string][2]string{"moderation.input": {"monitor", "monitor"}, "moderation.output": {"on", "enforce"},
				"moderation.fail_open": {"off", "off"}, "rate_limits": {"on", "global"}}},
		{"passthrough", `{"api":{"passthrough_paths":["/v1/files*"]}}`, map[string][2]string{
			"other_paths": {"off", "reads,passthrough:1"},
		}},
		{"hardened", `{"api":{"other_paths":"deny"},"redaction":{"requests":true},"max_tokens":{"cap":2048,"default":512}}`, map[string][2]string{
			"other_paths":        {"on", "deny"},
			"redaction.requests": {"on", "on"},
			"max_tokens":         {"on", "cap:2048"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Report(parse(t, tc.doc))
			if len(p.Items) != len(Rows) {
				t.Fatalf("%d items for %d rows", len(p.Items), len(Rows))
			}
			for k, w := range tc.want {
				it, ok := p.Get(k)
				if !ok {
					t.Fatalf("no item %q", k)
				}
				if string(it.State) != w[0] || it.Value != w[1] {
					t.Errorf("%s = %s/%s, want %s/%s", k, it.State, it.Value, w[0], w[1])
				}
				if it.Detail == "" {
					t.Errorf("%s has no detail", k)
				}
			}
		})
	}
}

func TestString(t *testing.T) {
	got := Report(parse(t, `{}`)).String()
	want := "posture: injection=block redaction.responses=on redaction.requests=off other_paths=reads max_tokens=cap:4096 client_auth=none upstream_keys=0/1 inline_keys=0 moderation.input=off moderation.output=off moderation.fail_open=off rate_limits=off"
	if got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "\n") {
		t.Error("String must be one line")
	}
}

func TestCheck(t *testing.T) {
	def := Report(parse(t, `{}`))
	hard := Report(parse(t, `{"api":{"other_paths":"deny"},"redaction":{"requests":true}}`))
	mon := Report(parse(t, `{"injection":{"action":"monitor"},"redaction":{"responses":false}}`))
	cases := []struct {
		p    Posture
		reqs []string
		want []string // violation prefixes
	}{
		{def, nil, nil},
		{def, []string{"injection-block", "redact-responses", "no-inline-keys"}, nil},
		{def, []string{"client-auth"}, []string{"client-auth: client_auth is none (off)"}},
		{def, []string{"moderation-fail-closed"}, nil},
		{def, []string{"moderation", "rate-limits"}, []string{"moderation: moderation.input is off", "rate-limits: rate_limits is off"}},
		{Report(parse(t, `{"moderation":{"provider":"mistral","cluster":"m","output":{"failure":"fail_open"}},"rate_limits":{"default":{"requests_per_minute":5}}}`)),
			[]string{"moderation", "moderation-fail-closed", "rate-limits"}, []string{"moderation-fail-closed: moderation.fail_open is on"}},
		{def, []string{"upstream-keys"}, []string{"upstream-keys: upstream_keys is 0/1"}},
		{def, []string{"nonsense"}, []string{`unknown requirement "nonsense" (known: client-auth, `}},
		{hard, []string{"deny-other-paths", "redact-requests", " injection-enforced ", ""}, nil},
		{mon, []string{"injection-block", "injection-enforced", "redact-responses"}, []string{
			"injection-block: injection is monitor (monitor), want injection=block",
			"injection-enforced: injection is monitor (monitor), want state on",
			"redact-responses: redaction.responses is off (off), want state on",
		}},
	}
	for i, tc := range cases {
		got := Check(tc.p, tc.reqs)
		if len(got) != len(tc.want) {
			t.Errorf("case %d: Check(%v) = %q, want %d violations", i, tc.reqs, got, len(tc.want))
			continue
		}
		for j := range got {
			if !strings.HasPrefix(got[j], tc.want[j]) {
				t.Errorf("case %d: violation %q, want prefix %q", i, got[j], tc.want[j])
			}
		}
	}
}

// Every requirement names an item some row produces.
func TestRequirementsReferToRows(t *testing.T) {
	keys := map[string]bool{}
	for _, r := range Rows {
		if keys[r.Key] {
			t.Errorf("duplicate row %q", r.Key)
		}
		keys[r.Key] = true
	}
	p := Report(parse(t, `{}`))
	for name, req := range Requirements {
		why := req(p)
		if strings.Contains(why, "is not evaluated") {
			t.Errorf("requirement %s refers to an item no row produces: %s", name, why)
		}
	}
}

// The credentials rows read upstreams[].auth, moderation.auth and clients.
func TestCredentialsRows(t *testing.T) {
	c := parse(t, `{"upstreams":[
	    {"name":"mistral","provider":"mistral","hosts":["api.mistral.ai"],"auth":{"keys":[{"name":"primary","env":"MISTRAL_API_KEY"}]}},
	    {"name":"dev","provider":"openai","hosts":["dev.example"],"auth":{"keys":[{"name":"dev-key","value":"sk-test-123"}]}},
	    {"name":"passthrough","provider":"openai","hosts":["*"]}],
	  "moderation":{"provider":"mistral","cluster":"m","auth":{"keys":[{"name":"mod-key","value":"sk-mod-456"}]}},
	  "clients":{"mode":"api_key","tenants":[{"name":"a","key_sha256":["`+strings.Repeat("a", 64)+`"]},{"name":"b","key_sha256":["`+strings.Repeat("b", 64)+`"]}]}}`)
	p := Report(c)
	item := func(key string) Item {
		it, ok := p.Get(key)
		if !ok {
			t.Fatalf("no item %s", key)
		}
		return it
	}
	if it := item("inline_keys"); it.State != On || it.Value != "2" || !strings.Contains(it.Detail, "dev-key") || !strings.Contains(it.Detail, "mod-key") || strings.Contains(it.Detail, "sk-") {
		t.Errorf("inline keys = %+v", it)
	}
	if it := item("client_auth"); it.State != On || it.Value != "api_key" || !strings.Contains(it.Detail, "2 tenants") {
		t.Errorf("client auth = %+v", it)
	}
	if it := item("upstream_keys"); it.Value != "2/3" || !strings.Contains(it.Detail, "passthrough") {
		t.Errorf("upstream keys = %+v", it)
	}
	env := Report(parse(t, `{"upstreams":[{"name":"mistral","provider":"mistral","hosts":["*"],"auth":{"keys":[{"env":"K"}]}}]}`))
	if it, _ := env.Get("inline_keys"); it.Value != "0" || it.State != Off {
		t.Errorf("env keys only: %+v", it)
	}
	if it, _ := env.Get("upstream_keys"); it.Value != "1/1" || it.State != On {
		t.Errorf("every upstream keyed: %+v", it)
	}
	if v := Check(p, []string{"upstream-keys", "no-inline-keys"}); len(v) != 2 || !strings.HasPrefix(v[1], "no-inline-keys:") {
		t.Errorf("Check = %q", v)
	}
}
