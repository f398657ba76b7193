package main

import (
	"slices"
	"strings"
	"testing"
)

func TestRoundOrder(t *testing.T) {
	for _, n := range []int{1, 2, 3, 6, 14} {
		first := make([]int, n)
		for r := range 4 {
			o := roundOrder(n, r)
			s := slices.Clone(o)
			slices.Sort(s)
			for i := range s {
				if s[i] != i {
					t.Fatalf("n=%d round %d: %v is not a permutation", n, r, o)
				}
			}
			first[o[0]]++
		}
		if n == 2 && (first[0] != 2 || first[1] != 2) {
			t.Errorf("n=2: each variant should go first in 2 of 4 rounds, got %v", first)
		}
	}
}

func TestSelectSpecs(t *testing.T) {
	names := func(ss []spec) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.name)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ in, want string }{
		{"guard", "plain,guard"},
		{"guard,plain,go-body", "plain,go-body,guard"}, // report order, plain first
		{"default", "plain,go-empty,go-body,rust-body,guard,guard-pass"},
		{"all", names(slices.DeleteFunc(slices.Clone(specs), func(s spec) bool { return s.build == "guard-base" }))},
		{"guard,base", "plain,guard,guard-base,guard-base-pass"},
	} {
		got, err := selectSpecs(tc.in)
		if err != nil || names(got) != tc.want {
			t.Errorf("selectSpecs(%q) = %s, %v; want %s", tc.in, names(got), err, tc.want)
		}
	}
	if _, err := selectSpecs("guard,nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown variant: err = %v", err)
	}
	for g, members := range groups {
		for _, m := range members {
			if !slices.ContainsFunc(specs, func(s spec) bool { return s.name == m }) {
				t.Errorf("group %s names unknown variant %s", g, m)
			}
		}
	}
}

func TestAblationConfigs(t *testing.T) {
	base := `{"max_tokens":{"default":256,"cap":1024},"injection":{"threshold":0.7}}`
	for _, tc := range []struct{ name, want string }{
		{"guard", `{"injection":{"threshold":0.7},"max_tokens":{"cap":1024,"default":256}}`},
		{"guard-noinject", `{"injection":{"action":"off","threshold":0.7},"max_tokens":{"cap":1024,"default":256}}`},
		{"guard-noaudit", `{"injection":{"threshold":0.7},"max_tokens":{"cap":1024,"default":256}}`},
		{"guard-base-pass", `{"api":{"chat_paths":["/bench/not-inspected"],"passthrough_paths":["/v1/chat/completions"]},"injection":{"threshold":0.7},"max_tokens":{"cap":1024,"default":256}}`},
		{"guard-bare", `{"injection":{"action":"off","threshold":0.7},"max_tokens":{"cap":1024,"default":256},"redaction":{"responses":false}}`},
		{"go-body", `{"mode":"body","cap":1024}`},
	} {
		i := slices.IndexFunc(specs, func(s spec) bool { return s.name == tc.name })
		if got := specs[i].config(base, 1024); got != tc.want {
			t.Errorf("%s config = %s, want %s", tc.name, got, tc.want)
		}
	}
}
