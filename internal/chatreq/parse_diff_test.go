package chatreq

import (
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/tidwall/gjson"
)

// memberNames are the top-level members compared between Member and gjson's Get.
var memberNames = []string{"model", "messages", "stream", "max_tokens", "max_completion_tokens",
	"safe_prompt", "agent_id", "prompt", "suffix", "temperature", "tools", "x"}

// checkSameAsReference fails when Parse and the reference Parse disagree on body.
func checkSameAsReference(t *testing.T, kind Kind, body []byte) {
	t.Helper()
	got, gerr := Parse(kind, body)
	want, werr := refParse(kind, body)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("Parse(%s, %q): error %v, reference %v", kind, body, gerr, werr)
	}
	if gerr != nil {
		if gerr.Status != werr.Status || gerr.Type != werr.Type || gerr.Code != werr.Code ||
			gerr.Param != werr.Param || gerr.Message != werr.Message {
			t.Fatalf("Parse(%s, %q):\n got %+v\nwant %+v", kind, body, *gerr, *werr)
		}
		return
	}
	if got.Kind != want.Kind || got.Model != want.Model || got.AgentID != want.AgentID ||
		got.Stream != want.Stream || got.Messages != want.Messages || got.PromptChars != want.PromptChars {
		t.Fatalf("Parse(%s, %q):\n got %+v\nwant %+v", kind, body, got, want)
	}
	if !(len(got.Segments) == 0 && len(want.Segments) == 0) && !reflect.DeepEqual(got.Segments, want.Segments) {
		t.Fatalf("Parse(%s, %q) segments:\n got %+v\nwant %+v", kind, body, got.Segments, want.Segments)
	}
	if got.Root.Raw != want.Root.Raw || got.Root.Type != want.Root.Type {
		t.Fatalf("Parse(%s, %q): Root %+v, want %+v", kind, body, got.Root, want.Root)
	}
	for _, name := range memberNames {
		m, w := got.Member(name), want.Root.Get(name)
		if !w.Exists() {
			w.Index = 0 // Result.Get adds the root's Index even to a miss
		}
		if m.Type != w.Type || m.Raw != w.Raw || m.Str != w.Str || m.Num != w.Num || m.Index != w.Index {
			t.Fatalf("Parse(%s, %q).Member(%s) = %#v, Root.Get = %#v", kind, body, name, m, w)
		}
	}
}

var diffSeeds = []string{
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`,
	`{"model":"c","prompt":"p","suffix":"s"}`,
	`{"messages":3}`,
	` {"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":5} `,
	`{"model":"m","messages":[{"content":"x","name":"n","role":"tool","tool_calls":[{"function":{"arguments":"a"}}]}]}`,
	`{"model":"m","messages":[{"tool_calls":[{"function":{"arguments":{"q":1}}}],"role":"assistant","content":null}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":"x","function":{"arguments":"late"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"name":"f"},"function":{"arguments":"b","arguments":"c"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"id":1,"id":2,"function":{"arguments":"a","arguments":"b"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"name":"f","name":"g"}},{"function":{"arguments":"x"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"arguments":"a"}}],"tool_calls":[{"x":1,"x":2}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":["{\"function\":{\"arguments\":\"s\"}}",[{"function":{"arguments":"arr"}}],1,null]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"arguments":5}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":{"function":{"arguments":"x"}}}]}`,
	`{"model":"m","messages":{"a":{"role":"user","role":"x"}}}`,
	`{"model":"m","messages":{"a":{"content":[{"t":1,"t":2}]}}}`,
	`{"model":"m","messages":[{"role":"user","content":{"a":{"k":1,"k":2}}}]}`,
	`{"model":"m","messages":[{"role":"user","content":{"a":1}}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"t":1,"t":2}],"a":1,"a":2}],"b":1,"b":2}`,
	`{"model":"m","messages":[{"role":"user","content":[{"t":1,"t":2}],"a":1,"a":2}]}`,
	`{"model":"m","messages":[{"role":"user","content":[5,{"text":1}]}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"text":1},5]}]}`,
	`{"model":"m","messages":[{"role":"","content":5}]}`,
	`{"model":"m","messages":[{"role":"user","content":5,"name":3}]}`,
	`{"model":"m","messages":[{"role":"user","name":3,"tool_calls":7}]}`,
	`{"model":"m","messages":[{"role":"user","tool_calls":[{"function":{"arguments":true}}],"name":"n"}]}`,
	`{"model":"m","messages":[{"role":"user"},3,{"role":1}]}`,
	`{"model":"m","messages":[{"role":"user"},{"role":"u","content":[{"a":1,"a":2}]}]}`,
	`{"model":"m","messages":[{"r\u006fle":"us\u00e9r","c\u006fntent":"\ud83d\ude00 \ud800 \udc00x \n\t\"\\\/"}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":null,"max_tokens":1e3,"safe_prompt":false}`,
	`{"model":5,"messages":[]}`,
	`{"model":"","prompt":""}`,
	`{"model":"c","prompt":"p","suffix":null,"messages":[{"a":1,"a":2}]}`,
	`{"agent_id":"ag","messages":[{"role":"user","content":"hi"}],"model":null}`,
	`{"messages":[{"role":"user","content":"x"}],"messages":[]}`,
	`[{"model":"m"}]`, `"s"`, `1`, `-0.5e+3`, `true`, `null`, `{}`, ` { } `, `{"a":[}`, `{"a":1,}`, `{"a"}`,
	`{"a":01}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":tru}`, `{"a":1}x`, "{\"a\":\"\x01\"}", `{"a":-}`, `{"a":1.}`,
	`{"a":1e}`, `{"a":[1,]}`, `{,}`, `{"a":1 "b":2}`, "\t{\"a\":1}\r\n", `{"a":nul}`, `{"a":"\uD83D\uDE00"}`,
}

func TestParseMatchesReferenceSeeds(t *testing.T) {
	for _, s := range diffSeeds {
		for _, k := range []Kind{KindNone, KindChat, KindFIM, KindAgents} {
			checkSameAsReference(t, k, []byte(s))
		}
	}
}

func FuzzParseMatchesReference(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range []Kind{KindChat, KindFIM, KindAgents} {
			checkSameAsReference(t, k, body)
		}
	})
}

// TestParseMatchesReferenceRandom compares both on generated chat-like bodies: random
// key order, repeated keys, wrong types and escapes, which byte-level fuzzing rarely
// reaches from the seeds.
func TestParseMatchesReferenceRandom(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		body := []byte(genBody(rng))
		for _, k := range []Kind{KindChat, KindFIM, KindAgents} {
			checkSameAsReference(t, k, body)
		}
	}
}

func genBody(rng *rand.Rand) string {
	g := &gen{rng: rng}
	var b strings.Builder
	b.WriteString(g.ws())
	g.object(&b, []func(*strings.Builder){
		g.member("model", g.mostly(`"m"`, `""`, `5`, `null`, `"gpt-\u00e9"`)),
		g.member("messages", g.messages),
		g.member("stream", g.mostly(`true`, `false`, `null`, `"yes"`, `1`)),
		g.member("max_tokens", g.mostly(`100`, `1e3`, `null`, `"x"`, `0`)),
		g.member("max_completion_tokens", g.pick(`5`, `-1`, `1.5`)),
		g.member("safe_prompt", g.pick(`true`, `false`, `null`)),
		g.member("agent_id", g.mostly(`"ag"`, `""`, `{}`)),
		g.member("prompt", g.str),
		g.member("suffix", g.mostly(`"s"`, `null`, `[]`)),
		g.member("tools", g.pick(`[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]`)),
		g.rare(g.member("max_\\u0074okens", g.pick(`7`))),
	}, 0.85)
	b.WriteString(g.ws())
	return b.String()
}

type gen struct{ rng *rand.Rand }

func (g *gen) ws() string {
	return [...]string{"", "", "", " ", "\n  ", "\t", "\r\n"}[g.rng.Intn(7)]
}

// rare keeps m one time in 20 (escaped keys that duplicate another key).
func (g *gen) rare(m func(*strings.Builder)) func(*strings.Builder) {
	if g.rng.Intn(20) == 0 {
		return m
	}
	return nil
}

// mostly writes good nine times in ten, else one of bad.
func (g *gen) mostly(good string, bad ...string) func(*strings.Builder) {
	return func(b *strings.Builder) {
		if g.rng.Intn(10) > 0 {
			b.WriteString(good)
		} else {
			b.WriteString(bad[g.rng.Intn(len(bad))])
		}
	}
}

func (g *gen) pick(vs ...string) func(*strings.Builder) {
	return func(b *strings.Builder) { b.WriteString(vs[g.rng.Intn(len(vs))]) }
}

func (g *gen) member(key string, val func(*strings.Builder)) func(*strings.Builder) {
	return func(b *strings.Builder) {
		b.WriteString(`"` + key + `"` + g.ws() + ":" + g.ws())
		val(b)
	}
}

// object writes members chosen with probability p each, shuffled, sometimes repeated.
func (g *gen) object(b *strings.Builder, ms []func(*strings.Builder), p float64) {
	var chosen []func(*strings.Builder)
	for _, m := range ms {
		if m != nil && g.rng.Float64() < p {
			chosen = append(chosen, m)
		}
	}
	if len(chosen) > 0 && g.rng.Intn(40) == 0 {
		chosen = append(chosen, chosen[g.rng.Intn(len(chosen))])
	}
	g.rng.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	b.WriteString("{" + g.ws())
	for i, m := range chosen {
		if i > 0 {
			b.WriteString("," + g.ws())
		}
		m(b)
		b.WriteString(g.ws())
	}
	b.WriteString("}")
}

func (g *gen) array(b *strings.Builder, n int, el func(*strings.Builder)) {
	b.WriteString("[" + g.ws())
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("," + g.ws())
		}
		el(b)
	}
	b.WriteString(g.ws() + "]")
}

func (g *gen) str(b *strings.Builder) {
	b.WriteString([...]string{`"hello"`, `""`, `"caf\u00e9 \"q\" \\ \n"`, `"\ud83d\ude00"`, `"{\"a\":1}"`,
		`"ü日本"`, `"\ud800x"`}[g.rng.Intn(7)])
}

func (g *gen) messages(b *strings.Builder) {
	switch g.rng.Intn(20) {
	case 0:
		b.WriteString(`{"a":`)
		g.message(b)
		b.WriteString("}")
		return
	case 1:
		b.WriteString(`"msgs"`)
		return
	}
	n := 1 + g.rng.Intn(4)
	if g.rng.Intn(20) == 0 {
		n = 0
	}
	g.array(b, n, func(b *strings.Builder) {
		if g.rng.Intn(60) == 0 {
			g.pick(`1`, `"m"`, `null`, `[]`)(b)
			return
		}
		g.message(b)
	})
}

func (g *gen) message(b *strings.Builder) {
	g.object(b, []func(*strings.Builder){
		g.member("role", g.pick(`"user"`, `"system"`, `"assistant"`, `"tool"`, `"function"`, `"us\u0065r"`, `"user"`, `"user"`, `"tool"`, `"user"`, `"user"`, `"user"`, `"user"`, `""`, `1`)),
		g.member("content", g.content),
		g.member("name", g.pick(`"alice"`, `null`, `"b\u00f6b"`, `"alice"`, `"alice"`, `"alice"`, `3`)),
		g.member("tool_calls", g.toolCalls),
		g.member("tool_call_id", g.pick(`"c1"`)),
		g.rare(g.member("c\\u006fntent", g.str)),
	}, 0.75)
}

func (g *gen) content(b *strings.Builder) {
	switch g.rng.Intn(30) {
	case 0:
		g.pick(`null`, `5`, `true`, `{"x":{"k":1,"k":2}}`, `{"x":1}`)(b)
	case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14:
		g.str(b)
	default:
		g.array(b, g.rng.Intn(4), func(b *strings.Builder) {
			switch g.rng.Intn(16) {
			case 0:
				g.pick(`5`, `null`, `"bare"`, `[]`)(b)
			case 1:
				g.object(b, []func(*strings.Builder){
					g.member("type", g.pick(`"image_url"`)),
					g.member("image_url", g.pick(`{"url":"http://x"}`)),
				}, 0.8)
			default:
				g.object(b, []func(*strings.Builder){
					g.member("type", g.pick(`"text"`)),
					g.member("text", func(b *strings.Builder) {
						if g.rng.Intn(30) == 0 {
							g.pick(`1`, `null`, `{}`)(b)
							return
						}
						g.str(b)
					}),
				}, 0.9)
			}
		})
	}
}

func (g *gen) toolCalls(b *strings.Builder) {
	if g.rng.Intn(10) == 0 {
		g.pick(`null`, `{}`, `"x"`)(b)
		return
	}
	g.array(b, g.rng.Intn(3), func(b *strings.Builder) {
		if g.rng.Intn(10) == 0 {
			g.pick(`1`, `"{\"function\":{\"arguments\":\"s\"}}"`, `[{"function":{"arguments":"a"}}]`)(b)
			return
		}
		fn := func(b *strings.Builder) {
			g.object(b, []func(*strings.Builder){
				g.member("name", g.pick(`"f"`)),
				g.member("arguments", func(b *strings.Builder) {
					switch g.rng.Intn(6) {
					case 0:
						g.pick(`{"q":1}`, `null`, `{"q":1}`, `null`, `5`, `[]`)(b)
					default:
						g.str(b)
					}
				}),
			}, 0.7)
		}
		g.object(b, []func(*strings.Builder){
			g.member("id", g.pick(`"c`+strconv.Itoa(g.rng.Intn(9))+`"`)),
			g.member("type", g.pick(`"function"`)),
			g.member("function", func(b *strings.Builder) {
				if g.rng.Intn(8) == 0 {
					g.pick(`"f"`, `[]`, `null`)(b)
					return
				}
				fn(b)
			}),
		}, 0.8)
	})
}

// A repeated empty key used to read as "no duplicate" and end the search, so that a
// repeated max_tokens after it went through (the guard reading the first value, the
// upstream the last).
func TestParseRejectsRepeatedEmptyKey(t *testing.T) {
	body := `{"":0,"":1,"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1,"max_tokens":99999}`
	_, err := Parse(KindChat, []byte(body))
	if err == nil || err.Code != "duplicate_key" || err.Param != "" {
		t.Fatalf("Parse = %v, want duplicate_key with param \"\"", err)
	}
	body = `{"model":"m","messages":[{"role":"user","content":"x","":1,"":2}]}`
	if _, err = Parse(KindChat, []byte(body)); err == nil || err.Code != "duplicate_key" || err.Param != "messages.0." {
		t.Fatalf("Parse = %v, want duplicate_key messages.0.", err)
	}
}

// FuzzStrText checks the fused string reader against gjson (validity), jsonscan's
// decoder (unescaped text) and utf8.RuneCountInString (code points), including invalid
// UTF-8 next to escapes.
func FuzzStrText(f *testing.F) {
	for _, s := range []string{`plain`, `caf\u00e9 \"q\" \\ \n`, "\xe2\x82\\n\xe2\x82\xac", "\xc3\\u00a9", `\ud83d\ude00\ud800x\ud800\u0041`,
		"ü日本\xff\xfe", `\u`, `\x`, "a\x01", `\uDBFF\uDFFF\/\b\f\r\t`, "\xf0\x9f\x98"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		js := `"` + s + `"`
		valid := gjson.Valid(js)
		p := scanner{s: js}
		v, text, runes, ok := p.strText()
		if ok && p.i != len(js) {
			ok = false // a quote inside s ends the string early; gjson.Valid refuses the rest
		}
		if ok != valid {
			t.Fatalf("strText(%q) ok=%v, gjson.Valid %v", js, ok, valid)
		}
		q := scanner{s: js}
		if _, sok := q.str(); (sok && q.i == len(js)) != valid {
			t.Fatalf("str(%q) ok=%v, gjson.Valid %v", js, sok, valid)
		}
		if !ok {
			return
		}
		if want, _ := jsonscan.Unquote(js); text != want {
			t.Fatalf("strText(%q) = %q, jsonscan %q", js, text, want)
		}
		if want := utf8.RuneCountInString(text); runes != want {
			t.Fatalf("strText(%q) counted %d code points, RuneCountInString %d", js, runes, want)
		}
		if v.end != len(js) || v.esc != strings.Contains(s, `\`) || (&scanner{s: js}).text(v) != text {
			t.Fatalf("strText(%q) value %+v", js, v)
		}
	})
}

// TestStrTextLong covers the scratch buffer: reuse from one string to the next and its
// growth for texts longer than it, with escapes at the start, the middle and the end.
func TestStrTextLong(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var texts []string
	for _, n := range []int{10, 3000, 50, 70000, 200, 300000, 5} {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString([...]string{"abc ", `\n`, `\"`, "ü", `\u00e9`, `\ud83d\ude00`, "日本語", `\\`}[rng.Intn(8)])
		}
		texts = append(texts, `"`+b.String()+`"`)
	}
	texts = append(texts, `"`+strings.Repeat("x", 5000)+`\n"`, `"\n`+strings.Repeat("y", 5000)+`"`)
	js := " " + strings.Join(texts, " ") + " "
	p := scanner{s: js}
	for _, want := range texts {
		p.ws()
		_, text, runes, ok := p.strText()
		if w, _ := jsonscan.Unquote(want); !ok || text != w || runes != utf8.RuneCountInString(w) {
			t.Fatalf("strText of a %d-byte string: ok=%v, text equal %v, runes %d want %d", len(want), ok, text == w, runes, utf8.RuneCountInString(w))
		}
	}
}
