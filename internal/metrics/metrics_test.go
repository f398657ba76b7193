package metrics

import (
	"regexp"
	"testing"
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
