package inspect

import (
	"math/rand/v2"
	"testing"
)

// trieStates must count exactly the states build creates, so the transition table is
// allocated once at its final size.
func TestTrieStates(t *testing.T) {
	naive := func(syms [][]byte) int {
		seen := map[string]bool{"": true}
		for _, p := range syms {
			for i := 1; i <= len(p); i++ {
				seen[string(p[:i])] = true
			}
		}
		return len(seen)
	}
	cases := [][][]byte{
		nil,
		{{}},
		{{1, 2}, {1, 3}},
		{{1, 2}, {1, 2}},
		{{1}, {1, 2}, {3}},
		{{5, 4, 3}, {1}, {5, 4}, {5, 6}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var syms [][]byte
		for range r.IntN(40) {
			p := make([]byte, 1+r.IntN(8))
			for i := range p {
				p[i] = byte(r.IntN(4)) // a small alphabet: many shared prefixes
			}
			syms = append(syms, p)
		}
		cases = append(cases, syms)
	}
	for _, syms := range cases {
		if got, want := trieStates(syms), naive(syms); got != want {
			t.Errorf("trieStates(%v) = %d, want %d", syms, got, want)
		}
	}
}
