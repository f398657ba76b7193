package metrics

import (
	"regexp"
	"testing"
	"unsafe"
)

func TestName(t *testing.T) {
	cases := []struct {
		stat string
		kv   []string
		want string
	}{
		{Requests, []string{"decision", "rejected", "code", "body_too_large"}, "egressguard.requests.decision.rejected.code.body_too_large"},
		{Tokens, []string{"direction", "prompt", "tenant", "", "model", "mistral-small-2.1"}, "egressguard.tokens.direction.prompt.tenant.none.model.mistral-small-2_1"},
		{Redactions, []string{"type", "EMAIL ADDRESS\n"}, "egressguard.redactions.type.EMAIL_ADDRESS_"},
	}
	for _, c := range cases {
		if got := Name(c.stat, c.kv...); got != c.want {
			t.Errorf("Name(%s, %q) = %q, want %q", c.stat, c.kv, got, c.want)
		}
	}
}

// TestStatsTagsExtract applies the regexes the way Envoy does (remove group 1, value is
// group 2) and checks every tag comes back.
func TestStatsTagsExtract(t *testing.T) {
	name := "wasmcustom." + Name(Tokens, "direction", "completion", "tenant", "team-a", "model", "gpt-4o")
	got := map[string]string{}
	for _, st := range StatsTags() {
		re := regexp.MustCompile(st.Regex)
		m := re.FindStringSubmatchIndex(name)
		if m == nil {
			continue
		}
		got[st.TagName] = name[m[4]:m[5]]
		name = name[:m[2]] + name[m[3]:]
	}
	want := map[string]string{"direction": "completion", "tenant": "team-a", "model": "gpt-4o"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if name != "wasmcustom.egressguard.tokens" {
		t.Errorf("name after extraction = %q", name)
	}
}

func TestCardinality(t *testing.T) {
	c := Cardinality{Max: 2}
	for _, v := range []string{"a", "b", "a"} {
		if c.Value(v) != v {
			t.Errorf("%s under the cap must pass", v)
		}
	}
	if c.Value("c") != "other" {
		t.Error("third distinct value must be other")
	}
}

// TestNameMemo: a memoised name is the name built for exactly those tags.
func TestNameMemo(t *testing.T) {
	for range 2 {
		for _, c := range []struct {
			kv   []string
			want string
		}{
			{[]string{"decision", "forwarded"}, "egressguard.requests.decision.forwarded"},
			{[]string{"decision", "forwarded", "code", ""}, "egressguard.requests.decision.forwarded.code.none"},
			{[]string{"decision", "forwarded", "", ""}, "egressguard.requests.decision.forwarded..none"},
			{[]string{"a", "1", "b", "2", "c", "3", "d", "4"}, "egressguard.requests.a.1.b.2.c.3.d.4"},
		} {
			if got := Name(Requests, c.kv...); got != c.want {
				t.Errorf("Name(%q) = %q, want %q", c.kv, got, c.want)
			}
		}
	}
	if n := testing.AllocsPerRun(10, func() { Name(Requests, "decision", "forwarded") }); n != 0 {
		t.Errorf("a memoised name allocates %.0f times", n)
	}
}

// TestTokenNames: remembered or not, the names are the Tokens names of the capped model,
// and the cap counts each distinct model once.
func TestTokenNames(t *testing.T) {
	c := Cardinality{Max: 2}
	model := []byte("gpt-4o")
	for _, tc := range []struct{ tenant, model, want string }{
		{"team-a", "gpt-4o", "gpt-4o"},
		{"team-a", "gpt-4o", "gpt-4o"},
		{"team-b", "gpt-4o", "gpt-4o"},
		{"", "m.x", "m_x"},
		{"team-a", "third", "other"},
		{"team-a", "gpt-4o", "gpt-4o"},
		{"t1", "x", "other"}, {"t2", "x", "other"}, {"t3", "x", "other"}, {"t4", "x", "other"}, // past the memo
		{"team-a", "third", "other"},
	} {
		p, cpl := c.TokenNames(tc.tenant, tc.model)
		if want := Name(Tokens, "direction", "prompt", "tenant", tc.tenant, "model", tc.want); p != want {
			t.Errorf("TokenNames(%q, %q) prompt = %q, want %q", tc.tenant, tc.model, p, want)
		}
		if want := Name(Tokens, "direction", "completion", "tenant", tc.tenant, "model", tc.want); cpl != want {
			t.Errorf("TokenNames(%q, %q) completion = %q, want %q", tc.tenant, tc.model, cpl, want)
		}
	}
	// A model given as a view of a buffer that is reused later is remembered by value.
	p1, _ := c.TokenNames("v", unsafe.String(&model[0], len(model)))
	copy(model, "gpt-4x")
	if p2, _ := c.TokenNames("v", "gpt-4x"); p2 == p1 {
		t.Errorf("a reused buffer changed a remembered model: %q", p2)
	}
}
