// Command gen writes the configuration JSON Schema (see package schema).
//
//	go run ./internal/schema/gen -o internal/schema/config.schema.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/egressguard/egressguard/internal/schema"
)

func main() {
	out := flag.String("o", "", "output file (default: stdout)")
	flag.Parse()
	root, err := schema.RepoRoot(".")
	if err != nil {
		fail(err)
	}
	b, err := schema.Generate(root)
	if err != nil {
		fail(err)
	}
	if *out == "" {
		if _, err := os.Stdout.Write(b); err != nil {
			fail(err)
		}
		return
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "schema:", err)
	os.Exit(1)
}
