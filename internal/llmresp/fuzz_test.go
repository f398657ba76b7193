package llmresp

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fuzzAPIs = []API{Chat, Completions, Responses, Messages, Conversations, Embeddings}

// FuzzStream feeds arbitrary bytes as a stream of any API: no panic; the output does
// not depend on where the stream is cut; when every event of the input is JSON (or
// [DONE]), every event of the output is too.
func FuzzStream(f *testing.F) {
	for _, p := range fixtureFiles(f, "sse") {
		raw, _ := os.ReadFile(p)
		f.Add(uint8(fixtureAPI(p)), raw, len(raw)/3)
	}
	f.Add(uint8(Chat), []byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4111 1111\"}}]}\r\n\r\n: c\r\ndata: x\n"), 3)
	r := testRedactor(f)
	f.Fuzz(func(t *testing.T, a uint8, raw []byte, cut int) {
		api := fuzzAPIs[int(a)%len(fuzzAPIs)]
		if len(raw) > 0 {
			cut = (cut%len(raw) + len(raw)) % len(raw)
		} else {
			cut = 0
		}
		whole := transform(r, nil, api, string(raw), nil, false)
		if got := transform(r, nil, api, string(raw), []int{cut}, false); got != whole {
			t.Fatalf("cut at %d changes the output:\n%q\n%q", cut, got, whole)
		}
		if allJSON(t, string(raw)) && !allJSON(t, whole) {
			t.Fatalf("a JSON event became invalid:\n%q\n%q", raw, whole)
		}
	})
}

func allJSON(t *testing.T, s string) bool {
	ok := true
	events(t, s, func(_, data string) {
		if data != "[DONE]" && !json.Valid([]byte(data)) {
			ok = false
		}
	})
	return ok
}

func fixtureFiles(f *testing.F, ext string) []string {
	files, _ := filepath.Glob("testdata/*/*." + ext)
	return files
}

// FuzzStreamTexts builds streams of every API from fuzzed text cut at fuzzed places:
// each text a client accumulates is exactly the redaction of the whole text, so no
// piece of an entity is ever released.
func FuzzStreamTexts(f *testing.F) {
	for i, p := range pieces {
		f.Add(uint8(i), "x "+p+" "+pieces[(i+3)%len(pieces)], int64(i))
	}
	r := testRedactor(f)
	f.Fuzz(func(t *testing.T, a uint8, text string, seed int64) {
		if len(text) > 2000 {
			text = text[:2000]
		}
		text = strings.ToValidUTF8(text, "") // what a provider's JSON carries
		g := generators[int(a)%len(generators)]
		rng := rand.New(rand.NewSource(seed))
		var chs []channel
		for _, name := range g.gen.names {
			data := strings.HasSuffix(name, "*")
			chs = append(chs, channel{name: strings.TrimSuffix(name, "*"), text: text, data: data})
		}
		raw := g.gen.build(rng, chs)
		out := transform(r, nil, g.gen.api, raw, randomCuts(rng, len(raw)), false)
		acc := g.read(t, out)
		exp := want(r, nil, chs)
		for _, c := range chs {
			if acc[c.name] != exp[c.name] {
				t.Fatalf("%v %s:\n got %q\nwant %q", g.gen.api, c.name, acc[c.name], exp[c.name])
			}
		}
	})
}

// FuzzBody feeds arbitrary bytes as a whole body of any API, with "@@" standing for
// an e-mail address: no panic; valid JSON stays valid; the address is in no string
// or key of the output outside the documented inert members.
func FuzzBody(f *testing.F) {
	for _, p := range fixtureFiles(f, "json") {
		raw, _ := os.ReadFile(p)
		f.Add(uint8(fixtureAPI(p)), strings.Replace(string(raw), "a", "@@", 1), true)
	}
	f.Add(uint8(Chat), `{"choices":[{"message":{"content":[{"type":"text","text":"x@@"},{"type":"text","text":" y"}]}}],"@@":1}`, false)
	f.Add(uint8(Chat), strings.Repeat("[", 700)+`"@@"`+strings.Repeat("]", 700), false)
	r := testRedactor(f)
	f.Fuzz(func(t *testing.T, a uint8, body string, errStatus bool) {
		api := fuzzAPIs[int(a)%len(fuzzAPIs)]
		body = strings.ReplaceAll(body, "@@", " "+planted+" ")
		status := 200
		if errStatus {
			status = 500
		}
		rs, plan := NewResponse(r, Request{API: api}, status, "application/json", "", Options{})
		if plan.Mode != Buffer {
			t.Fatal(plan)
		}
		out := rs.Body([]byte(body)).Body
		if api == Embeddings && status == 200 {
			return // passed as it is
		}
		if json.Valid([]byte(body)) && !json.Valid(out) {
			t.Fatalf("invalid output for valid input:\n%s\n%s", body, out)
		}
		var v any
		if json.Unmarshal(out, &v) != nil {
			if strings.Contains(string(out), planted) {
				t.Fatalf("address released in non-JSON output: %q", out)
			}
			return
		}
		leakIn(t, v, "", out)
	})
}

// leakIn fails when the planted address is in a string or key of v outside the
// documented inert members.
func leakIn(t *testing.T, v any, member string, out []byte) {
	switch x := v.(type) {
	case string:
		if strings.Contains(x, planted) && !documentedInert[member] {
			t.Fatalf("address released in %q: %s", member, out)
		}
	case []any:
		for _, e := range x {
			leakIn(t, e, member, out)
		}
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, planted) {
				t.Fatalf("address released in a key: %s", out)
			}
			m := k
			if k == "data" && (x["type"] == "redacted_thinking" || member == "audio") {
				m = member + "/data"
				if x["type"] == "redacted_thinking" {
					m = "redacted_thinking/data"
				}
			}
			leakIn(t, e, m, out)
		}
	}
}
