// Command eval runs the guard's pure-Go engines over JSON lines on stdin.
//
// Stable contract (used by external evaluation pipelines):
//
//	go run ./cmd/eval injection  < lines.jsonl   # {"flagged","score","rules"} per line
//	go run ./cmd/eval pii        < lines.jsonl   # {"entities","redacted"} per line
//
// Reports: `pii -report` (per-type precision/recall on labelled lines),
// `pii -benign` (what the response redactor changes in benign answers),
// `pii -leak` (system-prompt leak recall and false positives).
//
// Each subcommand registers itself in its own file through register.
package main

import (
	"fmt"
	"os"
	"sort"
)

// subcommands maps a subcommand name to its entry point.
var subcommands = map[string]func(args []string) error{}

// register adds a subcommand; called from init functions.
func register(name string, run func(args []string) error) { subcommands[name] = run }

func main() {
	if len(os.Args) < 2 || subcommands[os.Args[1]] == nil {
		names := make([]string, 0, len(subcommands))
		for n := range subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: eval <subcommand> [flags] < input.jsonl\nsubcommands: %v\n", names)
		os.Exit(2)
	}
	if err := subcommands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "eval %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
