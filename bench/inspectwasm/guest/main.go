//go:build wasip1

// Command guest is the wasm side of the inspect benchmark. Build it as a
// reactor, like the Envoy plugin:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o guest.wasm ./bench/inspectwasm/guest
//
// The host calls setup(mode, bytes) once, then run(iterations).
package main

import (
	"math/bits"
	"unsafe"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/benchtext"
)

var (
	eng  *inspect.Engine
	base *benchtext.Baseline
	text string
	mode int32
)

// setup prepares mode 0 (engine), 1 (baseline) or 2–7 (ceilings, see
// bareLoop and hashWords) over n bytes of text.
//
//go:wasmexport setup
func setup(m, n int32) {
	if eng == nil {
		eng = inspect.MustNew(inspect.DefaultConfig())
		base = benchtext.NewBaseline()
	}
	mode, text = m, benchtext.English(int(n))
}

// run scans the text iters times and returns how many scans flagged it.
//
//go:wasmexport run
func run(iters int32) int32 {
	hits := int32(0)
	for i := int32(0); i < iters; i++ {
		var hit bool
		switch mode {
		case 0:
			hit = eng.Scan(text).Flagged
		case 1:
			hit = base.Match(text)
		case 2:
			hit = bareLoop(text, hotDelta) == 1<<20
		case 3:
			hit = bareLoop(text, spreadDelta) == 1<<20
		case 4:
			hit = swarLoop(text) == 1<<20
		case 5:
			hit = hashWords(text) == 1<<20
		case 6:
			hit = swarWords(text) == 1<<20
		default:
			hit = hashWordsCall(text) == 1<<20
		}
		if hit {
			hits++
		}
	}
	return hits
}

// Ceilings measured the same way as the engine (see TestCPUThroughput):
// bareLoop does one class-table lookup and one transition of a dense
// 32-column uint16 DFA per byte over a table as large as the engine's (17k
// states), with transitions kept in the first 1024 states (hot, like the
// shallow states of the real automaton: mode 2) or spread over all states
// (mode 3: what deep, cache-missing states cost). swarLoop (mode 4) finds
// word starts eight bytes per step: the cost of merely looking at the text.
var (
	bareClass   [256]uint8
	hotDelta    []uint16
	spreadDelta []uint16
)

func init() {
	const states = 17 << 10
	hotDelta = make([]uint16, states<<5)
	spreadDelta = make([]uint16, states<<5)
	x := uint32(1)
	for i := range hotDelta {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		hotDelta[i] = uint16(x % 1024)
		spreadDelta[i] = uint16(x % states)
	}
	for b := range bareClass {
		bareClass[b] = uint8(b & 31)
	}
}

func bareLoop(text string, delta []uint16) int {
	st := 0
	for i := 0; i < len(text); i++ {
		st = int(delta[st<<5|int(bareClass[text[i]])])
	}
	return st
}

// swarLoop counts word starts, testing eight bytes per step.
func swarLoop(text string) int {
	n := 0
	p := unsafe.Pointer(unsafe.StringData(text))
	prev := uint64(0)
	for j := 0; j+8 <= len(text); j += 8 {
		x := *(*uint64)(unsafe.Add(p, j))
		y := x | 0x2020202020202020
		letters := (y + 0x1f*0x0101010101010101) &^ (y + 0x05*0x0101010101010101) &^ x & 0x8080808080808080
		n += bits.OnesCount64(letters &^ (letters<<8 | prev>>56))
		prev = letters
	}
	return n
}

// Word-level ceilings (modes 5–7): what merely splitting the text into
// words and probing a 4096-slot open-addressing table once per word costs,
// with 1000 random keys standing in for a lexicon. hashWords classifies
// each byte through a table and builds an exact key per word (the minimum
// of any engine that looks at bytes one at a time); swarWords finds word
// extents and keys eight bytes at a time; hashWordsCall is hashWords with
// the per-word loop in a function that is not inlined (the cost of one
// call per word).
var (
	wkeys [4096]uint64
	wcls  [256]uint8
)

func init() {
	x := uint64(88172645463325252)
	for i := 0; i < 1000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		k := x>>4 | 1
		j := (k * 0x9E3779B97F4A7C15) >> 52
		for wkeys[j] != 0 {
			j = (j + 1) & 4095
		}
		wkeys[j] = k
	}
	for b := 'a'; b <= 'z'; b++ {
		wcls[b] = uint8(b-'a') + 1
		wcls[b-32] = uint8(b-'a') + 1
	}
}

func look(k uint64) bool {
	for j := (k * 0x9E3779B97F4A7C15) >> 52; ; j = (j + 1) & 4095 {
		switch wkeys[j] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// hashWords: per-byte class lookup, exact key per word, one probe per word.
func hashWords(text string) int {
	n := 0
	for i := 0; i < len(text); {
		c := wcls[text[i]]
		if c == 0 {
			i++
			continue
		}
		k := uint64(0)
		for ; i < len(text); i++ {
			c := wcls[text[i]]
			if c == 0 {
				break
			}
			k = k<<5 | uint64(c)
		}
		if look(k) {
			n++
		}
	}
	return n
}

//go:noinline
func word(text string, i int) (int, uint64) {
	k := uint64(0)
	for ; i < len(text); i++ {
		c := wcls[text[i]]
		if c == 0 {
			break
		}
		k = k<<5 | uint64(c)
	}
	return i, k
}

func hashWordsCall(text string) int {
	n := 0
	for i := 0; i < len(text); {
		if wcls[text[i]] == 0 {
			i++
			continue
		}
		var k uint64
		i, k = word(text, i)
		if look(k) {
			n++
		}
	}
	return n
}

// swarWords: word extents eight bytes at a time; key = folded bytes.
func swarWords(text string) int {
	n := 0
	p := unsafe.Pointer(unsafe.StringData(text))
	i := 0
	for i+16 <= len(text) {
		x := *(*uint64)(unsafe.Add(p, i))
		y := x | 0x2020202020202020
		letters := (y + 0x1f*0x0101010101010101) &^ (y + 0x05*0x0101010101010101) &^ x & 0x8080808080808080
		if letters&0x80 == 0 { // not at a letter: skip to the next one
			if letters == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(letters) >> 3
			continue
		}
		wl := bits.TrailingZeros64(^letters&0x8080808080808080) >> 3 // letters in this word within 8 bytes
		k := y & (1<<(uint(wl)*8) - 1)
		if wl == 8 {
			x2 := *(*uint64)(unsafe.Add(p, i+8))
			y2 := x2 | 0x2020202020202020
			l2 := (y2 + 0x1f*0x0101010101010101) &^ (y2 + 0x05*0x0101010101010101) &^ x2 & 0x8080808080808080
			w2 := bits.TrailingZeros64(^l2&0x8080808080808080) >> 3
			k = k*0x9E3779B97F4A7C15 ^ y2&(1<<(uint(w2)*8)-1)
			wl += w2
		}
		if look(k) {
			n++
		}
		i += wl
	}
	return n
}

func main() {}
