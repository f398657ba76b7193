// Command guest is the response-model benchmark guest: compiled to wasip1 by the
// test in the parent directory and run under wazero (it also runs natively).
//
// It reads a text from stdin, frames it as -mode says, handles it -n times and
// prints one JSON line: {"bytes":…,"iterations":…,"ns":…,"entities":…,"allocs":…,"output_sha256":…}
// where bytes is the text's length (the figures are MB/s of text, as the text
// redactor's), allocs the heap allocations per pass and output_sha256 covers the
// output of one pass. Modes: text (redact.Redactor.Redact, the baseline), stream
// (redact.Stream fed 16-byte deltas), json (a chat completion carrying the text,
// llmresp.Response.Body), sse (a chat stream of 16-byte deltas in 1 KiB network
// chunks, llmresp.Response.AppendWrite), responses-sse (the same as Responses
// output_text deltas) and reader (internal/sse's reader alone on the chat stream).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/egressguard/egressguard/internal/sse"
)

func main() {
	n := flag.Int("n", 100, "iterations")
	mode := flag.String("mode", "text", "text, stream, json, sse, responses-sse or reader")
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
	text := string(in)
	run := runner(r, text, *mode)
	out, rep := run(true)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for i := 0; i < *n; i++ {
		run(false)
	}
	ns := time.Since(start).Nanoseconds()
	runtime.ReadMemStats(&m1)
	sum := sha256.Sum256(out)
	fmt.Printf(`{"bytes":%d,"iterations":%d,"ns":%d,"entities":%d,"allocs":%d,"output_sha256":"%s"}`+"\n",
		len(text), *n, ns, rep.Total(), (m1.Mallocs-m0.Mallocs)/uint64(max(1, *n)), hex.EncodeToString(sum[:]))
}

// runner returns one pass of a mode; the output is kept only when asked.
//
//go:noinline
func runner(r *redact.Redactor, text, mode string) func(keep bool) ([]byte, redact.Report) {
	var buf, out []byte
	switch mode {
	case "text":
		return func(bool) ([]byte, redact.Report) {
			s, rep := r.Redact(text, nil)
			return []byte(s), rep
		}
	case "stream":
		return func(keep bool) ([]byte, redact.Report) {
			st := r.NewStream(nil)
			out = out[:0]
			for i := 0; i < len(text); i += 16 {
				out = append(out, st.Write(text[i:min(len(text), i+16)])...)
			}
			out = append(out, st.Flush()...)
			return out, st.Report()
		}
	case "json":
		body := ChatJSON(text)
		return func(bool) ([]byte, redact.Report) {
			rs, _ := llmresp.NewResponse(r, llmresp.Request{API: llmresp.Chat}, 200, "application/json", "", llmresp.Options{})
			res := rs.Body(body)
			return res.Body, res.Report
		}
	case "sse", "responses-sse":
		api, body := llmresp.Chat, ChatSSE(text, 16)
		if mode == "responses-sse" {
			api, body = llmresp.Responses, ResponsesSSE(text, 16)
		}
		return func(keep bool) ([]byte, redact.Report) {
			rs, _ := llmresp.NewResponse(r, llmresp.Request{API: api}, 200, "text/event-stream", "", llmresp.Options{})
			out = out[:0]
			for i := 0; i < len(body); i += 1024 {
				buf = rs.AppendWrite(buf[:0], body[i:min(len(body), i+1024)])
				out = append(out, buf...)
			}
			out = rs.AppendClose(out)
			return out, rs.Report()
		}
	case "reader":
		body := ChatSSE(text, 16)
		return func(keep bool) ([]byte, redact.Report) {
			var rd sse.Reader
			n := 0
			for i := 0; i < len(body); i += 1024 {
				if err := rd.Feed(body[i:min(len(body), i+1024)], func(e *sse.Event) { n += len(e.Data) }); err != nil {
					panic(err) // the benchmark streams are well-formed
				}
			}
			return nil, redact.Report{Counts: map[string]int{"x": n}}
		}
	}
	fmt.Fprintln(os.Stderr, "guest: unknown -mode", mode)
	os.Exit(2)
	return nil
}

// ChatJSON is a chat completion carrying text.
func ChatJSON(text string) []byte {
	b := []byte(`{"id":"chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY","object":"chat.completion","created":1727346142,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":`)
	b = jsonstr.Append(b, text)
	return append(b, `,"refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":3700,"total_tokens":3714},"system_fingerprint":"fp_b40fb1c6fb"}`...)
}

// pieces cuts text into deltas of about n bytes (whole UTF-8 sequences).
func pieces(text string, n int) []string {
	var out []string
	for i := 0; i < len(text); {
		j := min(len(text), i+n)
		for j < len(text) && !utf8.RuneStart(text[j]) {
			j++
		}
		out = append(out, text[i:j])
		i = j
	}
	return out
}

// ChatSSE frames text as chat completion chunks.
func ChatSSE(text string, n int) []byte {
	var b []byte
	for _, p := range pieces(text, n) {
		b = append(b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":`...)
		b = jsonstr.Append(b, p)
		b = append(b, "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"...)
	}
	return append(b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n"...)
}

// ResponsesSSE frames text as Responses output_text deltas with their sequence numbers.
func ResponsesSSE(text string, n int) []byte {
	var b []byte
	seq := 4
	for _, p := range pieces(text, n) {
		b = append(b, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":"...)
		b = strconv.AppendInt(b, int64(seq), 10)
		b = append(b, ",\"item_id\":\"msg_68d7eff9c3b8819683eb04cbeb3775d507152cb8c6ac9072\",\"output_index\":1,\"content_index\":0,\"delta\":"...)
		b = jsonstr.Append(b, p)
		b = append(b, ",\"logprobs\":[],\"obfuscation\":\"jWSe9qxZ10e\"}\n\n"...)
		seq++
	}
	b = append(b, "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"sequence_number\":"...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, ",\"item_id\":\"msg_68d7eff9c3b8819683eb04cbeb3775d507152cb8c6ac9072\",\"output_index\":1,\"content_index\":0,\"text\":"...)
	b = jsonstr.Append(b, text)
	return append(b, ",\"logprobs\":[]}\n\n"...)
}
