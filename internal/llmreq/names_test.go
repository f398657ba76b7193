package llmreq

import "testing"

func TestNameTable(t *testing.T) {
	names := []string{"model", "role", "type", "id", "tool_call_id", "call_id", "item_id", "a", "ab", "ba"}
	vals := []string{"M", "R", "T", "I", "TC", "C", "IT", "A", "AB", "BA"}
	tb := newNameTable(names, vals)
	for i, n := range names {
		if v, ok := tb.get(n); !ok || v != vals[i] {
			t.Errorf("get(%q) = %q, %v; want %q, true", n, v, ok, vals[i])
		}
	}
	for _, miss := range []string{"", "Model", "mode", "models", "b", "aa", "tool_call_ix", "di"} {
		if tb.has(miss) {
			t.Errorf("has(%q) = true", miss)
		}
	}
	// every key a map would hold, the table holds, also when it must probe far
	var many []string
	for c := 'a'; c <= 'z'; c++ {
		many = append(many, "x"+string(c)+"y")
	}
	tm := newNameTable(many, nil)
	for _, n := range many {
		if !tm.has(n) {
			t.Errorf("has(%q) = false", n)
		}
	}
	if tm.n != len(many) || tm.has("xy") || tm.has("xAy") {
		t.Errorf("n = %d, or a name not put was found", tm.n)
	}
}
