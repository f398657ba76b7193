// Command guest is the redactor benchmark guest: compiled to wasip1 by the
// test in the parent directory and run under wazero (it also runs natively).
//
// It reads the text to redact from stdin, redacts it -n times and prints one
// JSON line: {"bytes":…,"iterations":…,"ns":…,"entities":…,"output_sha256":…}.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/egressguard/egressguard/redact"
)

func main() {
	n := flag.Int("n", 100, "iterations")
	prompt := flag.String("prompt", "", "system prompt for leak detection")
	flag.Parse()
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "guest: reading stdin:", err)
		os.Exit(1)
	}
	r, err := redact.New(redact.DefaultConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, "guest:", err)
		os.Exit(1)
	}
	var rc *redact.RequestContext
	if *prompt != "" {
		rc = &redact.RequestContext{SystemPrompt: *prompt}
	}
	text := string(in)
	out, rep := r.Redact(text, rc) // warm-up, and the output to compare
	start := time.Now()
	for i := 0; i < *n; i++ {
		r.Redact(text, rc)
	}
	ns := time.Since(start).Nanoseconds()
	sum := sha256.Sum256([]byte(out))
	fmt.Printf(`{"bytes":%d,"iterations":%d,"ns":%d,"entities":%d,"output_sha256":"%s"}`+"\n",
		len(text), *n, ns, rep.Total(), hex.EncodeToString(sum[:]))
}
