package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/redact"
)

const guardKey = "Zq7wXv9Lp2RtYb4k" // no detector but the exact match finds it

func keyedPolicy(t *testing.T, js string, keys ...string) *Policy {
	t.Helper()
	cfg, err := config.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	var ss []credentials.Secret
	for _, k := range keys {
		ss = append(ss, credentials.NewSecret(k))
	}
	p, err := New(cfg, ss...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The keys the guard injects are redacted from responses by the response redactor
// and, whatever else is configured, by the secret redactor, which finds nothing else.
func TestInjectedKeysRedacted(t *testing.T) {
	text := "mail jane.doe@example.com, key " + guardKey[:6] + "\u200b" + guardKey[6:] + " and " + guardKey
	for _, c := range []struct {
		doc           string
		full, secrets bool
	}{
		{`{}`, true, true},
		{`{"redaction":{"responses":false}}`, false, true},
	} {
		p := keyedPolicy(t, c.doc, guardKey)
		if got := p.ResponseRedactor() != nil; got != c.full {
			t.Fatalf("%s: response redactor %v", c.doc, got)
		}
		if c.full {
			out, rep := p.ResponseRedactor().Redact(text, nil)
			if strings.Contains(out, guardKey[6:]) || rep.Counts[redact.KnownSecret] != 2 || rep.Counts[redact.EmailAddress] != 1 {
				t.Errorf("%s: response redactor: %q %v", c.doc, out, rep.Counts)
			}
		}
		out, rep := p.SecretRedactor().RedactData(text)
		if strings.Contains(out, guardKey[6:]) || !strings.Contains(out, "jane.doe@example.com") || rep.Counts[redact.KnownSecret] != 2 {
			t.Errorf("%s: secret redactor: %q %v", c.doc, out, rep.Counts)
		}
	}
	if p := keyedPolicy(t, `{}`); p.SecretRedactor() != nil {
		t.Error("a secret redactor without injected keys")
	}
	if p := keyedPolicy(t, `{}`, "tiny12"); p.SecretRedactor() != nil || len(p.Warnings) != 1 || strings.Contains(p.Warnings[0], "tiny12") {
		t.Errorf("a key too short to match safely: redactor %v, warnings %q", p.SecretRedactor(), p.Warnings)
	}
}

// Engines are cached by the digest of the injected keys, never their value, and a
// different key compiles another redactor.
func TestRedactorCacheKeyHoldsNoKey(t *testing.T) {
	cfg := redact.DefaultConfig()
	cfg.ExactSecrets = [][]byte{[]byte(guardKey)}
	k, err := json.Marshal(redactorKey(cfg))
	if err != nil || strings.Contains(string(k), guardKey) || strings.Contains(string(k), "WnE3d1h2OUxwMlJ0WWI0aw") {
		t.Fatalf("cache key %s (%v)", k, err)
	}
	a, b := keyedPolicy(t, `{}`, guardKey), keyedPolicy(t, `{}`, guardKey)
	c := keyedPolicy(t, `{}`, guardKey+"x")
	if a.ResponseRedactor() != b.ResponseRedactor() || a.ResponseRedactor() == c.ResponseRedactor() {
		t.Error("redactors are shared by the same keys only")
	}
	if out, _ := c.ResponseRedactor().Redact(guardKey+"x", nil); strings.Contains(out, guardKey) {
		t.Errorf("the rotated key's redactor missed it: %q", out)
	}
}

// UsageAdded says whether the guard, not the client, asked for the usage chunk.
func TestUsageAdded(t *testing.T) {
	p := mustPolicy(t, `{"rate_limits":{"default":{"tokens_per_minute":1000}}}`)
	for _, c := range []struct {
		body string
		want bool
	}{
		{`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, true},
		{`{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}`, true},
		{`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, false},
		{`{"model":"m","messages":[{"role":"user","content":"hi"}]}`, false},
	} {
		d := p.CheckBody(Route{API: llmreq.Chat}, nil, []byte(c.body))
		if d.Reject != nil || d.UsageAdded != c.want {
			t.Errorf("%s: usage added %v (%+v)", c.body, d.UsageAdded, d.Reject)
		}
	}
}

func TestRequestContextSystemPrompt(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"model":"m","messages":[{"role":"user","content":"hi"}]}`, ""},
		{`{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}`, "be brief"},
		{`{"model":"m","messages":[{"role":"system","content":"one"},{"role":"developer","content":[{"type":"text","text":"two"},{"type":"text","text":"three"}]},{"role":"user","content":"hi"}]}`, "one\ntwo\nthree"},
	}
	for _, c := range cases {
		r, err := llmreq.Parse(llmreq.Chat, []byte(c.body), llmreq.Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if got := RequestContext(r).SystemPrompt; got != c.want {
			t.Errorf("%s: system prompt %q; want %q", c.body, got, c.want)
		}
		r.Release()
	}
	if RequestContext(nil) != nil {
		t.Error("RequestContext(nil) is not nil")
	}
}
