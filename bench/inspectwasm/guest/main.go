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

	"github.com/egressguard/egressguard/inspect"
	"github.com/egressguard/egressguard/inspect/benchtext"
)

var (
	eng  *inspect.Engine
	base *benchtext.Baseline
	text string
	mode int32
)

// setup prepares mode 0 (engine), 1 (baseline) or 2–4 (ceilings, see
// bareLoop) over n bytes of text.
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
		default:
			hit = swarLoop(text) == 1<<20
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

func main() {}
