package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// maxStates bounds the automaton (its transition table is states × 32 × 4 bytes).
const maxStates = 1 << 18

// pattern is one folded phrase in the automaton.
type pattern struct {
	concept   uint16 // concept or signal fired by the match
	length    int32  // symbols in the folded pattern, including boundaries
	skipHead  int32  // leading boundary symbols not part of the span
	skipTail  int32  // trailing boundary symbols not part of the span
	lineStart bool   // first non-boundary symbol must start a line
	prefix    bool   // stem pattern: the span extends to the end of the word
	variant   bool   // rot13 or reversed spelling: also fires the variant signal
}

// automaton is a dense Aho–Corasick DFA over the folded alphabet.
type automaton struct {
	delta []int32 // state<<alphaBits|sym -> next state
	// firstOut is the first state with pattern outputs: states are
	// numbered so that exactly those at or above it have outputs, which
	// makes the test one comparison.
	firstOut int
	outStart []int32 // outputs of state s: outs[outStart[s]:outStart[s+1]]
	outs     []int32 // pattern indexes
	pats     []pattern
}

// build compiles folded symbol strings into the DFA.
func build(syms [][]byte, pats []pattern) (*automaton, error) {
	// The transition table is allocated once at its final size: grown by append it
	// would leave several times its size in garbage, and a plugin restart that
	// compiles a new engine keeps its peak in the VM for good.
	goTo := make([]int32, 0, trieStates(syms)*alphaSize)
	newState := func() int32 {
		for i := 0; i < alphaSize; i++ {
			goTo = append(goTo, -1)
		}
		return int32(len(goTo)/alphaSize - 1)
	}
	newState()
	term := map[int32][]int32{}
	for pi, p := range syms {
		s := int32(0)
		for _, c := range p {
			nx := goTo[int(s)<<alphaBits|int(c)]
			if nx < 0 {
				nx = newState()
				goTo[int(s)<<alphaBits|int(c)] = nx
			}
			s = nx
		}
		term[s] = append(term[s], int32(pi))
	}
	n := len(goTo) / alphaSize
	if n >= maxStates {
		return nil, fmt.Errorf("inspect: phrase set too large for the automaton (%d states)", n)
	}
	a := &automaton{pats: pats}
	order := bfsOrder(goTo, n)
	outLists := fillFailures(goTo, n, term)
	a.finish(goTo, n, outLists, order)
	for c := 0; c < symSpace; c++ {
		if a.delta[c] != 0 {
			// The fast paths skip the rest of a word once at the root.
			return nil, errors.New("inspect: a pattern starts with a letter instead of a word boundary")
		}
	}
	return a, nil
}

// trieStates is the number of states of the trie of syms, the root included: each
// string adds the symbols beyond its longest common prefix with its predecessor in
// sorted order.
func trieStates(syms [][]byte) int {
	sorted := slices.Clone(syms)
	slices.SortFunc(sorted, bytes.Compare)
	n := 1
	var prev []byte
	for _, p := range sorted {
		common := 0
		for common < len(p) && common < len(prev) && p[common] == prev[common] {
			common++
		}
		n += len(p) - common
		prev = p
	}
	return n
}

// bfsOrder lists trie states breadth-first so that the hot shallow states
// are renumbered into one compact, cache-friendly region of the table.
func bfsOrder(goTo []int32, n int) []int32 {
	order := make([]int32, 0, n)
	order = append(order, 0)
	for i := 0; i < len(order); i++ {
		s := order[i]
		for c := 0; c < alphaSize; c++ {
			if nx := goTo[int(s)<<alphaBits|c]; nx > 0 {
				order = append(order, nx)
			}
		}
	}
	return order
}

// fillFailures computes failure links breadth-first, turning goTo into a
// complete DFA and merging outputs along failure chains.
func fillFailures(goTo []int32, n int, term map[int32][]int32) [][]int32 {
	fail := make([]int32, n)
	outLists := make([][]int32, n)
	for s, l := range term {
		outLists[s] = append(outLists[s], l...)
	}
	queue := make([]int32, 0, n)
	for c := 0; c < alphaSize; c++ {
		if nx := goTo[c]; nx > 0 {
			queue = append(queue, nx)
		} else {
			goTo[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		outLists[s] = append(outLists[s], outLists[fail[s]]...)
		for c := 0; c < alphaSize; c++ {
			i := int(s)<<alphaBits | c
			if nx := goTo[i]; nx >= 0 {
				fail[nx] = goTo[int(fail[s])<<alphaBits|c]
				queue = append(queue, nx)
			} else {
				goTo[i] = goTo[int(fail[s])<<alphaBits|c]
			}
		}
	}
	return outLists
}

// finish packs transitions and outputs into their compact form, with
// states renumbered in breadth-first order, those without outputs first.
func (a *automaton) finish(goTo []int32, n int, outLists [][]int32, order []int32) {
	var plain, outs []int32
	for _, old := range order {
		if len(outLists[old]) > 0 {
			outs = append(outs, old)
		} else {
			plain = append(plain, old)
		}
	}
	a.firstOut = len(plain)
	order = append(plain, outs...)
	newID := make([]int32, n)
	for i, old := range order {
		newID[old] = int32(i)
	}
	// The table is renumbered in place and becomes delta: a second table of the same
	// size would double the peak of the VM's linear memory, which never shrinks.
	for k, nx := range goTo {
		goTo[k] = newID[nx]
	}
	permuteRows(goTo, order)
	a.delta = goTo
	a.outStart = make([]int32, n+1)
	for i, old := range order {
		a.outStart[i] = int32(len(a.outs))
		a.outs = append(a.outs, outLists[old]...)
	}
	a.outStart[n] = int32(len(a.outs))
}

// permuteRows moves row order[i] of the table (alphaSize entries a row) to row i, in
// place, one cycle of the permutation at a time.
func permuteRows(t []int32, order []int32) {
	row := func(i int) []int32 { return t[i<<alphaBits : (i+1)<<alphaBits] }
	done := make([]bool, len(order))
	var first [alphaSize]int32
	for start := range order {
		if done[start] {
			continue
		}
		copy(first[:], row(start))
		for i := start; ; {
			done[i] = true
			j := int(order[i])
			if j == start {
				copy(row(i), first[:])
				break
			}
			copy(row(i), row(j))
			i = j
		}
	}
}
