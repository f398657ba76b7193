// Package chatbody builds the benchmarks' request bodies and requests: deterministic
// OpenAI chat bodies of an exact size, shared by bench/envoy (over the network) and
// bench/wasmprof (straight into the module), so both measure the same requests.
package chatbody

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Vocabulary of the generated prompts: plain ASCII, no characters JSON escapes, so the
// body size is exact by construction.
var words = strings.Fields(`the a our your this that customer account invoice order shipment
	refund policy request service team report quarter revenue forecast overview meeting schedule
	update issue ticket priority deadline contract clause agreement partner supplier warehouse
	inventory product release feature bug fix test deploy server database query latency error
	budget cost estimate review draft email note please could you should would need want check
	explain describe compare list write translate into English French German table bullet points
	short detailed clear friendly formal tone because however therefore also only each every
	before after during between within about for with from on in at by to of and or but not`)

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatBody struct {
	Model         string         `json:"model"`
	Messages      []message      `json:"messages"`
	Temperature   float64        `json:"temperature"`
	MaxTokens     int            `json:"max_tokens"`
	User          string         `json:"user"`
	Stream        bool           `json:"stream,omitempty"`
	StreamOptions *streamOptions `json:"stream_options,omitempty"`
}

// Make builds n distinct chat bodies of exactly size bytes: a system prompt, earlier
// user/assistant turns (more for bigger bodies) and a final user message. Even-numbered
// bodies ask for max_tokens above the cap (the guard rewrites them), odd ones for a value
// below it (the guard validates and forwards them unchanged). Deterministic.
func Make(size, n, tokenCap int, stream bool) ([][]byte, error) {
	out := make([][]byte, n)
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(size), uint64(i)))
		turns := 1 + size/4096 // earlier user/assistant exchanges
		b := chatBody{
			Model:       "gpt-4o-mini",
			Temperature: 0.2,
			MaxTokens:   4 * tokenCap,
			User:        "bench-user-" + strconv.Itoa(i),
		}
		if i%2 == 1 {
			b.MaxTokens = max(1, tokenCap/4)
		}
		if stream {
			b.Stream, b.StreamOptions = true, &streamOptions{IncludeUsage: true}
		}
		b.Messages = append(b.Messages, message{Role: "system"})
		for range turns {
			b.Messages = append(b.Messages, message{Role: "user"}, message{Role: "assistant"})
		}
		b.Messages = append(b.Messages, message{Role: "user"})
		empty, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		avail := size - len(empty)
		if avail < 40*len(b.Messages) {
			return nil, fmt.Errorf("body size %d too small for %d messages", size, len(b.Messages))
		}
		// Weights: system 2, earlier turns 1 each, final user message gets the rest (≈2).
		unit := avail / (len(b.Messages) + 2)
		used := 0
		for k := range b.Messages {
			l := unit
			switch {
			case k == 0:
				l = 2 * unit
			case k == len(b.Messages)-1:
				l = avail - used
			}
			b.Messages[k].Content = prose(r, l, k == 0)
			used += l
		}
		body, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		if len(body) != size {
			return nil, fmt.Errorf("internal: built a %d-byte body, want %d", len(body), size)
		}
		out[i] = body
	}
	return out, nil
}

// prose returns exactly n bytes of sentence-like text.
func prose(r *rand.Rand, n int, system bool) string {
	var sb strings.Builder
	if system {
		sb.WriteString("You are a helpful assistant for the operations team. Answer concisely and cite the ticket numbers you use. ")
	}
	for sb.Len() < n {
		k := 6 + r.IntN(11)
		for j := range k {
			w := words[r.IntN(len(words))]
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			sb.WriteString(w)
			switch {
			case j == k-1:
				if r.IntN(4) == 0 {
					sb.WriteString("? ")
				} else {
					sb.WriteString(". ")
				}
			case r.IntN(9) == 0:
				sb.WriteString(", ")
			default:
				sb.WriteByte(' ')
			}
		}
		if r.IntN(5) == 0 {
			sb.WriteString("Ticket OPS-" + strconv.Itoa(1000+r.IntN(9000)) + ". ")
		}
	}
	s := sb.String()[:n]
	if strings.HasSuffix(s, " ") {
		s = s[:n-1] + "."
	}
	return s
}

// Path is the request path of every benchmark request.
const Path = "/v1/chat/completions"

// Headers are the request headers of every benchmark request (without content-length).
var Headers = [][2]string{
	{"host", "api.openai.com"},
	{"user-agent", "egressguard-bench/1"},
	{"authorization", "Bearer sk-bench-0000000000000000"},
	{"content-type", "application/json"},
	{"accept", "application/json, text/event-stream"},
}

// HTTPRequest encodes the whole HTTP/1.1 request once; each send is a single write.
func HTTPRequest(body []byte) []byte {
	var b strings.Builder
	b.WriteString("POST " + Path + " HTTP/1.1\r\n")
	for _, h := range Headers {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("content-length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	return append([]byte(b.String()), body...)
}
