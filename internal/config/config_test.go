package config

import (
	"strings"
	"testing"
)

func TestParseDefaults(t *testing.T) {
	for _, in := range []string{"", "  \n", "{}"} {
		c, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		d := Default()
		if c.Limits != d.Limits || c.MaxTokens.Cap != d.MaxTokens.Cap || c.API.OtherPaths != "reads" || len(c.Upstreams) != 1 {
			t.Errorf("Parse(%q) = %+v, want defaults", in, c)
		}
	}
}

func TestParseOverrides(t *testing.T) {
	c, err := Parse([]byte(`{"limits":{"max_messages":10},"max_tokens":{"cap":100,"default":50,"models":{"big-*":{"cap":500}}},
	  "upstreams":[{"name":"m","provider":"mistral","hosts":["api.mistral.ai"],"enforce_safe_prompt":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.MaxMessages != 10 || c.Limits.MaxBodyBytes != 1<<20 {
		t.Errorf("limits = %+v: override must keep other defaults", c.Limits)
	}
	if d, cp := c.MaxTokens.Effective(c.MaxTokens.Models["big-*"]); d != 50 || cp != 500 {
		t.Errorf("Effective(big-*) = %d,%d want 50,500", d, cp)
	}
	if !c.Upstreams[0].EnforceSafePrompt {
		t.Error("upstream override lost")
	}
}

func TestEffectiveLowersDefaultToModelCap(t *testing.T) {
	m := MaxTokens{Default: 1024, Cap: 4096}
	if d, c := m.Effective(ModelTokens{Cap: 256}); d != 256 || c != 256 {
		t.Errorf("got %d,%d want 256,256", d, c)
	}
	if d, c := m.Effective(ModelTokens{Default: 10}); d != 10 || c != 4096 {
		t.Errorf("got %d,%d want 10,4096", d, c)
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"limitz":{}}`, "limitz: unknown field"},
		{`{"limits":{"max_body_bytess":1}}`, "limits.max_body_bytess: unknown field"},
		{`{"max_tokens":{"models":{"a":{"capp":1}}}}`, `max_tokens.models["a"].capp: unknown field`},
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],"keyz":1}]}`, "upstreams[0].keyz: unknown field"},
		{`{"limits":{"max_messages":"ten"}}`, "limits.max_messages: expected int"},
		{`{"limits":{"max_body_bytes":0}}`, "limits.max_body_bytes: must be between"},
		{`{"max_tokens":{"default":9000,"cap":100}}`, "max_tokens.default"},
		{`{"max_tokens":{"models":{"a":{"default":50,"cap":10}}}}`, `max_tokens.models["a"].default`},
		{`{"api":{"chat_paths":["v1/chat"]}}`, "api.chat_paths[0]: path must start with '/'"},
		{`{"api":{"chat_paths":["/a"],"fim_paths":["/a"]}}`, "api.fim_paths[0]: path \"/a\" is already listed"},
		{`{"api":{"other_paths":"maybe"}}`, "api.other_paths"},
		{`{"upstreams":[]}`, "upstreams: at least one upstream"},
		{`{"upstreams":[{"name":"a","provider":"cohere","hosts":["*"]}]}`, "upstreams[0].provider"},
		{`{"api":{"other_paths":"allow"}}`, "api.passthrough_paths"},
		{`{"api":{"passthrough_paths":["/v1/a%2fb"]}}`, "api.passthrough_paths[0]"},
		{`{"api":{"chat_paths":["/v1/{x/chat"]}}`, "api.chat_paths[0]: a placeholder"},
		{`{"api":{"chat_paths":["/v1/../chat"]}}`, "api.chat_paths[0]: path must not contain dot segments"},
		{`{"api":{"responses_paths":["/V1/Chat/Completions"]}}`, "already listed in api.chat_paths[0]"},
		{`{"limits":{"max_json_depth":1}}`, "limits.max_json_depth"},
		{`{"injection":{"opaque_inputs":["pdf"]}}`, "injection.opaque_inputs[0]"},
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["h:443"]}]}`, "upstreams[0].hosts[0]"},
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],"enforce_safe_prompt":true}]}`, "upstreams[0].enforce_safe_prompt"},
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"]},{"name":"a","provider":"openai","hosts":["*"]}]}`, "upstreams[1].name: duplicate"},
		{`{"redaction":{"other_bodies":"pass"}}`, "redaction.other_bodies"},
		{`{"redaction":{"max_event_bytes":10}}`, "redaction.max_event_bytes: must be between"},
		{`[1]`, "must be a JSON object"},
		{`{"limits":`, "not valid JSON"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s) error = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

// Anthropic and Azure upstreams inject their keys in the providers' own headers.
func TestProviderKeyHeaders(t *testing.T) {
	c, err := Parse([]byte(`{"upstreams":[
	  {"name":"a","provider":"anthropic","hosts":["api.anthropic.com"],"auth":{"keys":[{"env":"K1"}]}},
	  {"name":"z","provider":"azure","hosts":["*.openai.azure.com"],"auth":{"keys":[{"env":"K2"}]}},
	  {"name":"x","provider":"azure","hosts":["*"],"auth":{"header":"authorization","keys":[{"env":"K3"}]}},
	  {"name":"n","provider":"anthropic","hosts":["other"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"x-api-key", "api-key", "authorization", ""} {
		if got := c.Upstreams[i].Auth.Header; got != want {
			t.Errorf("upstreams[%d].auth.header = %q, want %q", i, got, want)
		}
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`{"limits":{"max_messages":0,"max_prompt_chars":0}}`))
	if err == nil || !strings.Contains(err.Error(), "limits.max_messages") || !strings.Contains(err.Error(), "limits.max_prompt_chars") {
		t.Fatalf("want both fields reported, got %v", err)
	}
}

func TestParseCredentials(t *testing.T) {
	c, err := Parse([]byte(`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],
	  "auth":{"strategy":"priority","keys":[{"name":"k1","value":"sk-inline-1"},{"env":"OPENAI_KEY_2"}]}}],
	  "clients":{"mode":"api_key","tenants":[{"name":"team-a","key_sha256":["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if k := c.Upstreams[0].Auth.Keys; len(k) != 2 || k[0].Value.Reveal() != "sk-inline-1" || k[1].Env != "OPENAI_KEY_2" {
		t.Errorf("keys not parsed: %+v", k)
	}
	if c.Clients.Mode != "api_key" || len(c.Clients.Tenants) != 1 {
		t.Errorf("clients not parsed: %+v", c.Clients)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],"auth":{"keys":[{"env":"K"}],"keyz":1}}]}`, "upstreams[0].auth.keyz: unknown field"},
		{`{"upstreams":[{"name":"a","provider":"openai","hosts":["*"],"auth":{"keys":[{"env":"K","value":"v"}]}}]}`, "upstreams[0].auth.keys[0]: set exactly one"},
		{`{"clients":{"mode":"api_key","tenants":[{"name":"t","key_sha256":["abc"]}]}}`, "clients.tenants[0].key_sha256[0]"},
		{`{"clients":{"mode":"sso"}}`, "clients.mode"},
	} {
		_, err := Parse([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error containing %q", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), `"v"`) {
			t.Errorf("error leaks an inline key value: %v", err)
		}
	}
}

func TestParseModeration(t *testing.T) {
	c, err := Parse([]byte(`{"moderation":{"provider":"mistral","cluster":"mod","use_flags":false,"thresholds":{"violence_and_threats":0.4},
	  "input":{"mode":"monitor","failure":"fail_open"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Moderation; !m.Enabled() || m.UseFlags == nil || *m.UseFlags || m.Input.Mode != "monitor" {
		t.Errorf("moderation not parsed: %+v", m)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"moderation":{"provider":"mistral","cluster":"mod","inputt":{}}}`, "moderation.inputt: unknown field"},
		{`{"moderation":{"provider":"mistral"}}`, "moderation.cluster"},
	} {
		if _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestResponseOptions: the response model redacts error bodies, redacts other
// bodies as text and bounds events at 4 MiB unless told otherwise.
func TestResponseOptions(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Redaction.ResponseOptions(); o.PassErrorBodies || o.RefuseText || o.MaxEvent != 4<<20 {
		t.Fatalf("defaults %+v", o)
	}
	c, err = Parse([]byte(`{"redaction":{"error_bodies":false,"other_bodies":"refuse","max_event_bytes":65536}}`))
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Redaction.ResponseOptions(); !o.PassErrorBodies || !o.RefuseText || o.MaxEvent != 65536 {
		t.Fatalf("overrides %+v", o)
	}
}
