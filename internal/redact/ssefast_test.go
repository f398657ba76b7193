package redact

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// asciiJSON encodes s as a JSON string the way Python's json.dumps does
// (every non-ASCII rune as \uXXXX, astral ones as surrogate pairs), with
// some ASCII bytes escaped too, so that the fast path's unescaping is exercised.
func asciiJSON(rng *rand.Rand, s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '/' && rng.Intn(2) == 0:
			b.WriteString(`\/`)
		case r < 0x20 || r >= 0x7f && r < 0x10000 || r < 0x7f && rng.Intn(20) == 0:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// randomEvent returns one data payload of a chat completion stream: mostly
// the usual OpenAI/Mistral shapes with variations (key order, whitespace,
// escapes, role and finish chunks, usage), and sometimes shapes the fast
// path must leave to the general one.
func randomEvent(rng *rand.Rand, choice int, content string, finish, unusual bool) string {
	str := func(s string) string {
		switch rng.Intn(3) {
		case 0:
			return asciiJSON(rng, s)
		case 1:
			c, _ := json.Marshal(s) // escapes < > & as \u003c...
			return string(c)
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")
	}
	fin := "null"
	if finish {
		fin = `"stop"`
	}
	delta := `{"content":` + str(content) + `}`
	switch rng.Intn(12) {
	case 0:
		delta = `{"role":"assistant","content":` + str(content) + `}`
	case 1:
		delta = `{ "content" : ` + str(content) + ` , "role" : null }`
	case 2:
		if content == "" {
			delta = `{}`
		}
	case 3:
		if content == "" {
			delta = `{"content":null}`
		}
	}
	ch := fmt.Sprintf(`{"index":%d,"delta":%s,"logprobs":null,"finish_reason":%s}`, choice, delta, fin)
	switch rng.Intn(10) {
	case 0:
		ch = fmt.Sprintf(`{"delta":%s,"finish_reason":%s,"index":%d}`, delta, fin, choice)
	case 1:
		ch = fmt.Sprintf("{\n  \"index\": %d,\n  \"delta\": %s,\n  \"finish_reason\": %s\n}", choice, delta, fin)
	case 2:
		ch = fmt.Sprintf(`{"index":%d,"delta":%s,"finish_reason":%s,"logprobs":{"content":[{"token":"x","logprob":-0.5,"bytes":[120]}]}}`, choice, delta, fin)
	}
	env := `"id":"chatcmpl-9","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_1"`
	if rng.Intn(3) == 0 {
		env = `"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest"`
	}
	ev := "{" + env + `,"choices":[` + ch + "]"
	if finish && rng.Intn(2) == 0 {
		ev += `,"usage":{"prompt_tokens":9,"total_tokens":21,"completion_tokens":12}`
	}
	ev += "}"
	// unusual shapes, for the general path (or a fast path that must agree with it)
	if !unusual {
		return ev
	}
	switch rng.Intn(30) {
	case 0:
		ev = strings.Replace(ev, `"choices":[`+ch, `"choices":[`+ch+`,{"index":7,"delta":{"content":"x@example.com"}}`, 1)
	case 1:
		ev = strings.Replace(ev, `"content":`, `"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}],"content":`, 1)
	case 2:
		ev = strings.Replace(ev, `"content":`, `"content":"dup","content":`, 1)
	case 3:
		ev = strings.Replace(ev, `"content":`, `"cont\u0065nt":`, 1)
	case 4:
		ev = ev[:len(ev)-1] // invalid JSON: redacted as text
	case 5:
		ev = strings.Replace(ev, `"index":`, `"index":-`, 1)
	case 6:
		ev = strings.Replace(ev, `"choices":[`, `"choices":[],"choices":[`, 1)
	case 7:
		ev = "  " + ev + " \t"
	case 8:
		ev = strings.Replace(ev, `"model":"`, `"model":{"a":[1,2.5e3,true,false,null,{}],"b":"`, 1) + ""
		ev = strings.Replace(ev, `","choices"`, `"},"choices"`, 1)
	case 9:
		ev = strings.Replace(ev, `"delta":{`, `"delta":{"content":[{"type":"text","text":"a"}],"x":{`, 1)
	case 10:
		ev = strings.Replace(ev, `"choices":[`, `"choices":[ `, 1)
	case 11:
		ev = strings.Replace(ev, `"index":`+fmt.Sprint(choice), `"index":0`+fmt.Sprint(choice), 1)
	}
	return ev
}

// randomSSEBody frames texts as a stream of random events (two choices
// interleaved, finish events, a usage chunk, [DONE]).
func randomSSEBody(rng *rand.Rand, texts []string, unusual bool) string {
	var b strings.Builder
	left := append([]string(nil), texts...)
	for ci := range texts {
		b.WriteString(dataLines(randomEvent(rng, ci, "", false, unusual)))
	}
	for {
		ci := rng.Intn(len(left))
		if left[ci] == "" {
			done := true
			for _, l := range left {
				done = done && l == ""
			}
			if done {
				break
			}
			continue
		}
		n := min(len(left[ci]), 1+rng.Intn(12))
		for n < len(left[ci]) && !utf8.RuneStart(left[ci][n]) {
			n++
		}
		last := n == len(left[ci]) && rng.Intn(3) == 0
		b.WriteString(dataLines(randomEvent(rng, ci, left[ci][:n], last, unusual)))
		left[ci] = left[ci][n:]
	}
	for ci := range texts {
		b.WriteString(dataLines(randomEvent(rng, ci, "", true, unusual)))
	}
	b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}` + "\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// dataLines frames an event, one data line per line of ev.
func dataLines(ev string) string {
	return "data: " + strings.ReplaceAll(ev, "\n", "\ndata: ") + "\n\n"
}

// feedSSE runs raw through t cut at cuts and returns all output.
func feedSSE(t *SSETransformer, raw string, cuts []int) string {
	var out strings.Builder
	last := 0
	for _, c := range cuts {
		out.Write(t.Write([]byte(raw[last:c])))
		last = c
	}
	out.Write(t.Write([]byte(raw[last:])))
	out.Write(t.Close())
	return out.String()
}

// TestSSEFastMatchesGeneral: the fast path produces exactly the bytes the
// general (gjson) path produces, on usual and unusual event shapes, and it
// does take the usual ones.
func TestSSEFastMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	fast := 0
	for _, r := range propertyRedactors(t) {
		for iter := 0; iter < 150; iter++ {
			texts := []string{randomText(rng, 3+rng.Intn(20)) + " 🙂 é </b> a/b \"q\" \\ \t"}
			if iter%3 == 0 {
				texts = append(texts, randomText(rng, 2+rng.Intn(10)))
			}
			raw := randomSSEBody(rng, texts, true)
			cuts := randomCuts(rng, len(raw))
			rc := &RequestContext{SystemPrompt: propertyPrompt}
			ft, gt := NewSSE(r, rc), NewSSE(r, rc)
			gt.general = true
			got, want := feedSSE(ft, raw, cuts), feedSSE(gt, raw, cuts)
			if got != want {
				t.Fatalf("fast and general paths differ on\n%s\nfast:\n%s\ngeneral:\n%s", raw, got, want)
			}
			if gt.fastN != 0 {
				t.Fatal("general transformer used the fast path")
			}
			if a, b := ft.Report(), gt.Report(); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("reports differ: %v vs %v", a, b)
			}
			fast += ft.fastN
		}
	}
	if fast < 10000 {
		t.Fatalf("fast path taken for only %d events", fast)
	}
}

// TestScanFastEventShapes pins which shapes take the fast path.
func TestScanFastEventShapes(t *testing.T) {
	for _, tc := range []struct {
		ev   string
		fast bool
	}{
		{`{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"logprobs":null,"finish_reason":null}]}`, true},
		{`{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`, true},
		{`{"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`, true},
		{`{"id":"x","choices":[],"usage":{"total_tokens":3}}`, true},
		{`{}`, true},
		{` { "choices" : [ { "delta" : { "content" : "a\n\u00e9\/" } } ] } `, true},
		{`{"choices":[{"index":0,"delta":{"content":"\ud83d\ude42"}}]}`, true}, // scans, then the surrogate sends it to the general path
		{`{"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}`, false},
		{`{"choices":[{"index":0,"delta":{"tool_calls":[]}}]}`, false},
		{`{"choices":[{"index":0,"delta":{"content":[{"type":"text","text":"a"}]}}]}`, false},
		{`{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}`, false},
		{`{"choices":[{"index":1.0,"delta":{"content":"a"}}]}`, false},
		{`{"choices":[{"index":0,"delta":"x"}]}`, false},
		{`{"choices":{"a":{"delta":{"content":"x"}}}}`, false},
		{`{"choices":[{"index":0,"delta":{"content":"a"}}]`, false},
		{`{"choices":[{"index":0,"delta":{"content":"a"}}],}`, false},
		{`{"choices":[{"index":0,"delta":{"content":"a"}}]} x`, false},
		{`{"a":01}`, false},
		{`{"a":[1,]}`, false},
		{`{"a":"\x"}`, false},
		{"{\"a\":\"\x01\"}", false},
		{`[1]`, false},
	} {
		_, ok := scanFastEvent(tc.ev)
		if ok != tc.fast {
			t.Errorf("scanFastEvent(%s) = %v, want %v", tc.ev, ok, tc.fast)
		}
		if ok && !json.Valid([]byte(tc.ev)) {
			t.Errorf("scanFastEvent accepted invalid JSON %s", tc.ev)
		}
	}
}

// TestSSEEverySplit: for short streams, every split of the raw bytes into two
// network chunks, and one chunk per byte, give each choice exactly the
// non-streamed redaction of its text, on both paths.
func TestSSEEverySplit(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	r := propertyRedactors(t)[0]
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	iters := 6
	if testing.Short() {
		iters = 2
	}
	for iter := 0; iter < iters; iter++ {
		texts := []string{randomText(rng, 3+rng.Intn(6)), "ok " + propertyPieces[rng.Intn(28)] + " x"}
		raw := buildSSE(rng, texts, iter%2 == 1)
		if iter%2 == 0 {
			raw = randomSSEBody(rng, texts, false)
		}
		var want []string
		for _, text := range texts {
			w, _ := r.Redact(text, rc)
			want = append(want, w)
		}
		check := func(what string, out string) {
			t.Helper()
			p := parseSSE(t, out)
			for ci := range texts {
				if p.content[ci] != want[ci] {
					t.Fatalf("%s: choice %d of %q:\n got %q\nwant %q", what, ci, texts[ci], p.content[ci], want[ci])
				}
			}
			if !p.done || p.usage != 21 || p.afterEnd {
				t.Fatalf("%s: framing lost (done=%v usage=%d afterDone=%v)", what, p.done, p.usage, p.afterEnd)
			}
		}
		// event contents do not depend on the network chunking, so neither does the output
		ref := feedSSE(NewSSE(r, rc), raw, nil)
		check("whole", ref)
		every := make([]int, 0, len(raw))
		for c := 1; c < len(raw); c++ {
			every = append(every, c)
		}
		for _, general := range []bool{false, true} {
			if general && iter%3 != 0 {
				continue // the general path is slower; TestSSEFastMatchesGeneral covers it too
			}
			for c := 0; c <= len(raw); c++ {
				tr := NewSSE(r, rc)
				tr.general = general
				if out := feedSSE(tr, raw, []int{c}); out != ref {
					check(fmt.Sprintf("split at %d (general %v)", c, general), out)
					t.Fatalf("split at %d (general %v): output differs from the unsplit one", c, general)
				}
			}
			tr := NewSSE(r, rc)
			tr.general = general
			if out := feedSSE(tr, raw, every); out != ref {
				check("one byte per chunk", out)
				t.Fatalf("one byte per chunk (general %v): output differs from the unsplit one", general)
			}
		}
	}
}
