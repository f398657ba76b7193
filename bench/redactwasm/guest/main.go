// Command guest is the redactor benchmark guest: compiled to wasip1 by the
// test in the parent directory and run under wazero (it also runs natively).
//
// It reads the text to redact from stdin, redacts it -n times and prints one
// JSON line: {"bytes":…,"iterations":…,"ns":…,"entities":…,"allocs":…,"output_sha256":…}.
// -mode selects Redact (default), a Stream fed -delta byte pieces, or the
// response model (llmresp) fed an OpenAI chat stream of -delta byte deltas in
// 1 KiB network chunks (output_sha256 is then over the raw SSE output). allocs is the
// number of heap allocations per iteration.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/redact"
)

func main() {
	n := flag.Int("n", 100, "iterations")
	prompt := flag.String("prompt", "", "system prompt for leak detection")
	mode := flag.String("mode", "redact", "redact, stream or sse")
	delta := flag.Int("delta", 16, "delta size for -mode stream/sse")
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
	run := runner(r, rc, text, *mode, *delta)
	out, rep := run(true) // warm-up, and the output to compare
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for i := 0; i < *n; i++ {
		run(false)
	}
	ns := time.Since(start).Nanoseconds()
	runtime.ReadMemStats(&m1)
	sum := sha256.Sum256([]byte(out))
	fmt.Printf(`{"bytes":%d,"iterations":%d,"ns":%d,"entities":%d,"allocs":%d,"output_sha256":"%s"}`+"\n",
		len(text), *n, ns, rep.Total(), (m1.Mallocs-m0.Mallocs)/uint64(max(1, *n)), hex.EncodeToString(sum[:]))
}

// runner returns one benchmark pass of the given mode. Passes reuse their
// output buffers (the plugin sends each chunk's output on and reuses its
// buffer): the output is converted to a string only when keep is set.
// "append" is Redact through AppendRedact with a reused buffer and Report;
// "sse" sends each chunk's output through Write, "sse-append" through AppendWrite
// into a reused buffer.
//
//go:noinline
func runner(r *redact.Redactor, rc *redact.RequestContext, text, mode string, delta int) func(keep bool) (string, redact.Report) {
	var buf []byte
	switch mode {
	case "redact":
		return func(bool) (string, redact.Report) { return r.Redact(text, rc) }
	case "append":
		var rep redact.Report
		return func(keep bool) (string, redact.Report) {
			rep = redact.Report{Counts: rep.Counts}
			clear(rep.Counts)
			buf = r.AppendRedact(buf[:0], text, rc, &rep)
			return result(buf, keep), rep
		}
	case "stream":
		return func(keep bool) (string, redact.Report) {
			st := r.NewStream(rc)
			buf = buf[:0]
			for i := 0; i < len(text); i += delta {
				buf = append(buf, st.Write(text[i:min(len(text), i+delta)])...)
			}
			buf = append(buf, st.Flush()...)
			return result(buf, keep), st.Report()
		}
	case "sse", "sse-append":
		body := sseBody(text, delta)
		var tmp []byte
		return func(keep bool) (string, redact.Report) {
			t, _ := llmresp.NewResponse(r, llmresp.Request{API: llmresp.Chat, Context: rc}, 200, "text/event-stream", "", llmresp.Options{})
			buf = buf[:0]
			for i := 0; i < len(body); i += 1024 {
				chunk := body[i:min(len(body), i+1024)]
				if mode == "sse" {
					buf = append(buf, t.Write(chunk)...)
				} else {
					tmp = t.AppendWrite(tmp[:0], chunk)
					buf = append(buf, tmp...)
				}
			}
			buf = append(buf, t.Close()...)
			return result(buf, keep), t.Report()
		}
	}
	fmt.Fprintln(os.Stderr, "guest: unknown -mode", mode)
	os.Exit(2)
	return nil
}

func result(b []byte, keep bool) string {
	if keep {
		return string(b)
	}
	return ""
}

// sseBody frames text as OpenAI chat.completion.chunk events of about delta
// bytes (whole UTF-8 sequences, as upstreams send). (It avoided
// encoding/json because a guest importing it failed under wazero 1.7.2; 1.9.0
// runs such guests, and the whole redact test suite, correctly.)
func sseBody(text string, delta int) []byte {
	var b []byte
	for i := 0; i < len(text); {
		j := min(len(text), i+delta)
		for j < len(text) && !utf8.RuneStart(text[j]) {
			j++
		}
		b = append(b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"`...)
		for _, c := range []byte(text[i:j]) {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, fmt.Sprintf(`\u%04x`, c)...)
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
		i = j
		b = append(b, "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"...)
	}
	b = append(b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n"...)
	return b
}
