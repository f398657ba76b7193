//go:build wasip1

// Command guest is the wasm side of the inspect benchmark. Build it as a
// reactor, like the Envoy plugin:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o guest.wasm ./bench/inspectwasm/guest
//
// The host calls setup(mode, bytes) once, then run(iterations).
package main

import (
	"github.com/egressguard/egressguard/inspect"
	"github.com/egressguard/egressguard/inspect/benchtext"
)

var (
	eng  *inspect.Engine
	base *benchtext.Baseline
	text string
	mode int32
)

// setup prepares mode 0 (engine) or 1 (baseline) over n bytes of text.
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
		if mode == 0 {
			hit = eng.Scan(text).Flagged
		} else {
			hit = base.Match(text)
		}
		if hit {
			hits++
		}
	}
	return hits
}

func main() {}
