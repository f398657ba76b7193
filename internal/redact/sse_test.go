package redact

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// sseEvent builds an OpenAI-style chunk.
func sseChunk(id string, choice int, content string, finish string) string {
	c, _ := json.Marshal(content)
	f := "null"
	if finish != "" {
		f = `"` + finish + `"`
	}
	return fmt.Sprintf(`{"id":"%s","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":%d,"delta":{"content":%s},"logprobs":null,"finish_reason":%s}]}`, id, choice, c, f)
}

// buildSSE splits text into deltas of random size and frames them; crlf
// selects \r\n line endings.
func buildSSE(rng *rand.Rand, texts []string, crlf bool) string {
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	var b strings.Builder
	b.WriteString(": keep-alive" + nl + nl)
	for ci, text := range texts {
		for len(text) > 0 {
			n := min(len(text), 1+rng.Intn(12))
			for n < len(text) && !utf8.RuneStart(text[n]) { // upstream deltas are whole UTF-8 strings
				n++
			}
			b.WriteString("data: " + sseChunk("c1", ci, text[:n], "") + nl + nl)
			text = text[n:]
		}
	}
	for ci := range texts {
		b.WriteString("data: " + sseChunk("c1", ci, "", "stop") + nl + nl)
	}
	b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}` + nl + nl)
	b.WriteString("data: [DONE]" + nl + nl)
	return b.String()
}

// parsedSSE is what a client SDK would see.
type parsedSSE struct {
	content  map[int]string
	usage    int
	done     bool
	comments int
	afterEnd bool // a data event after [DONE]
}

func parseSSE(t *testing.T, out string) parsedSSE {
	t.Helper()
	p := parsedSSE{content: map[int]string{}}
	for _, ev := range strings.Split(out, "\n\n") {
		var data []string
		for _, line := range strings.Split(ev, "\n") {
			switch {
			case strings.HasPrefix(line, ":"):
				p.comments++
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			case line != "":
				t.Fatalf("unexpected line %q", line)
			}
		}
		switch payload := strings.Join(data, "\n"); {
		case data == nil:
		case payload == "[DONE]":
			p.done = true
		default:
			if p.done {
				p.afterEnd = true
			}
			var ch struct {
				Choices []struct {
					Index int `json:"index"`
					Delta struct {
						Content *string `json:"content"`
					} `json:"delta"`
				} `json:"choices"`
				Usage *struct {
					TotalTokens int `json:"total_tokens"`
				} `json:"usage"`
			}
			if err := json.Unmarshal([]byte(payload), &ch); err != nil {
				t.Fatalf("event is not valid JSON (%v): %q", err, payload)
			}
			for _, c := range ch.Choices {
				if c.Delta.Content != nil {
					p.content[c.Index] += *c.Delta.Content
				}
			}
			if ch.Usage != nil {
				p.usage = ch.Usage.TotalTokens
			}
		}
	}
	return p
}

// TestSSEEqualsRedact feeds framed streams split at random byte offsets
// (inside data: lines, UTF-8 sequences and \r\n pairs) and checks that each
// choice's concatenated content equals the non-streamed redaction, that all
// events are valid JSON, and that usage, comments and [DONE] survive.
func TestSSEEqualsRedact(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	r := propertyRedactors(t)[0]
	for iter := 0; iter < 150; iter++ {
		texts := []string{randomText(rng, 3+rng.Intn(20)), randomText(rng, 2+rng.Intn(10))}
		raw := buildSSE(rng, texts, iter%2 == 1)
		rc := &RequestContext{SystemPrompt: propertyPrompt}
		tr := NewSSE(r, rc)
		var out strings.Builder
		last := 0
		for _, c := range randomCuts(rng, len(raw)) {
			out.Write(tr.Write([]byte(raw[last:c])))
			last = c
		}
		out.Write(tr.Write([]byte(raw[last:])))
		out.Write(tr.Close())
		p := parseSSE(t, out.String())
		for ci, text := range texts {
			want, _ := r.Redact(text, &RequestContext{SystemPrompt: propertyPrompt})
			if p.content[ci] != want {
				t.Fatalf("choice %d of %q:\n got %q\nwant %q", ci, text, p.content[ci], want)
			}
		}
		if p.usage != 21 || !p.done || p.afterEnd || p.comments != 1 {
			t.Fatalf("framing lost: usage=%d done=%v afterDone=%v comments=%d", p.usage, p.done, p.afterEnd, p.comments)
		}
	}
}

// TestSSEToolCallsAndTruncated covers tool-call argument streams and a stream
// cut off without [DONE] or a final blank line.
func TestSSEToolCallsAndTruncated(t *testing.T) {
	r := propertyRedactors(t)[0]
	args := `{"email":"john.doe@example.com","card":"4111 1111 1111 1111"}`
	var raw strings.Builder
	for i := 0; i < len(args); i += 7 {
		a, _ := json.Marshal(args[i:min(len(args), i+7)])
		fmt.Fprintf(&raw, `data: {"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":%s}}]},"finish_reason":null}]}`+"\n\n", a)
	}
	raw.WriteString(`data: {"id":"x","choices":[{"index":0,"delta":{"content":"mail me at a.b@example.org"},"finish_reason":null}]}`)
	tr := NewSSE(r, nil)
	out := string(tr.Write([]byte(raw.String()))) + string(tr.Close())
	var gotArgs, gotContent strings.Builder
	for _, ev := range strings.Split(out, "\n\n") {
		if ev == "" {
			continue
		}
		var ch struct {
			Choices []struct {
				Delta struct {
					Content   string `json:"content"`
					ToolCalls []struct {
						Function struct{ Arguments string } `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(ev, "data: ")), &ch); err != nil {
			t.Fatalf("bad event %q: %v", ev, err)
		}
		for _, c := range ch.Choices {
			gotContent.WriteString(c.Delta.Content)
			for _, tc := range c.Delta.ToolCalls {
				gotArgs.WriteString(tc.Function.Arguments)
			}
		}
	}
	if want := `{"email":"[EMAIL_ADDRESS]","card":"[CREDIT_CARD]"}`; gotArgs.String() != want {
		t.Errorf("arguments = %q, want %q", gotArgs.String(), want)
	}
	if want := "mail me at [EMAIL_ADDRESS]"; gotContent.String() != want {
		t.Errorf("content = %q, want %q", gotContent.String(), want)
	}
	if rep := tr.Report(); rep.Counts[EmailAddress] != 2 || rep.Counts[CreditCard] != 1 {
		t.Errorf("report counts = %v, want 2 e-mails and 1 card", rep.Counts)
	}
}

// TestSSELoneCR: the SSE specification allows "\r", "\n" and "\r\n" line
// endings; a lone "\r" (split anywhere) must frame events like "\n".
func TestSSELoneCR(t *testing.T) {
	r := propertyRedactors(t)[0]
	rng := rand.New(rand.NewSource(7))
	texts := []string{"Mail john.doe@example.com or call +1-984-182-0190 today.", "card 4111 1111 1111 1111 ok"}
	lf := buildSSE(rng, texts, false)
	feed := func(raw string, cuts bool) string {
		tr := NewSSE(r, nil)
		var out []byte
		for len(raw) > 0 {
			n := len(raw)
			if cuts {
				n = min(n, 1+rng.Intn(9))
			}
			out = append(out, tr.Write([]byte(raw[:n]))...)
			raw = raw[n:]
		}
		return string(append(out, tr.Close()...))
	}
	want := feed(lf, false)
	if strings.Contains(want, "john.doe") || !strings.Contains(want, "[DONE]") {
		t.Fatalf("LF reference output looks wrong: %q", want)
	}
	cr := strings.ReplaceAll(lf, "\n", "\r")
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	for i := 0; i < 50; i++ {
		for name, raw := range map[string]string{"cr": cr, "crlf": crlf, "lf": lf} {
			if got := feed(raw, true); got != want {
				t.Fatalf("%s split randomly:\n got %q\nwant %q", name, got, want)
			}
		}
	}
}
