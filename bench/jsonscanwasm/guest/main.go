// Command guest is the JSON scanner benchmark guest: compiled to wasip1 by the
// test in the parent directory and run under wazero (it also runs natively).
//
// It reads a JSON document from stdin, scans it -n times into one reused tape
// (depth limit 64) and prints one JSON line:
// {"bytes":…,"iterations":…,"ns":…,"nodes":…,"allocs":…} where allocs is the
// number of heap allocations per scan after the first.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/tidwall/gjson"
)

func main() {
	n := flag.Int("n", 100, "iterations")
	mode := flag.String("mode", "scan", "scan, or gjson (gjson.Valid, for scale)")
	flag.Parse()
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "guest: reading stdin:", err)
		os.Exit(1)
	}
	tp := jsonscan.Get()
	if err := tp.Scan(in, 64); err != nil { // warm-up: grows the tape
		fmt.Fprintln(os.Stderr, "guest:", err)
		os.Exit(1)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for i := 0; i < *n; i++ {
		if *mode == "gjson" {
			if !gjson.ValidBytes(in) {
				os.Exit(1)
			}
			continue
		}
		if err := tp.Scan(in, 64); err != nil {
			fmt.Fprintln(os.Stderr, "guest:", err)
			os.Exit(1)
		}
	}
	ns := time.Since(start).Nanoseconds()
	runtime.ReadMemStats(&m1)
	fmt.Printf(`{"bytes":%d,"iterations":%d,"ns":%d,"nodes":%d,"allocs":%d}`+"\n",
		len(in), *n, ns, len(tp.Nodes), (m1.Mallocs-m0.Mallocs)/uint64(max(1, *n)))
}
