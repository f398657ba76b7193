package llmreq

import (
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// checkSameAsReference fails when Parse and refParse disagree on body.
func checkSameAsReference(t *testing.T, api API, body []byte) {
	t.Helper()
	got, gerr := Parse(api, body, Options{})
	want, werr := refParse(api, body)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("Parse(%s, %q): error %v, reference %v", api, body, gerr, werr)
	}
	if gerr != nil {
		if gerr.Status != 400 || gerr.Code != werr.Code || gerr.Param != werr.Param {
			t.Fatalf("Parse(%s, %q):\n got %s param %q\nwant %s param %q (%s)", api, body, gerr.Code, gerr.Param, werr.Code, werr.Param, gerr.Message)
		}
		return
	}
	defer got.Release()
	segs := make([]refSeg, len(got.Segments))
	for i, s := range got.Segments {
		segs[i] = refSeg{s.Text, s.Origin, s.Field, s.Role, s.Msg}
	}
	if !(len(segs) == 0 && len(want.Segs) == 0) && !reflect.DeepEqual(segs, want.Segs) {
		t.Fatalf("Parse(%s, %q) segments:\n got %+v\nwant %+v", api, body, segs, want.Segs)
	}
	if got.Model != want.Model || got.AgentID != want.AgentID || got.Stream != want.Stream ||
		got.Messages != want.Messages || got.PromptChars != want.PromptChars {
		t.Fatalf("Parse(%s, %q) = %+v, reference %+v", api, body, got, want)
	}
}

var diffSeeds = []string{
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`,
	`{"model":"c","prompt":"p","suffix":"s"}`,
	`{"messages":3}`,
	` {"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":5} `,
	`{"model":"m","messages":[{"content":"x","name":"n","role":"tool","tool_calls":[{"function":{"arguments":"a"}}]}]}`,
	`{"model":"m","messages":[{"tool_calls":[{"function":{"arguments":{"q":"v w"}}}],"role":"assistant","content":null}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":"x","function":{"arguments":"late"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"name":"f"},"function":{"arguments":"b","arguments":"c"}}]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":["{\"function\":{\"arguments\":\"s\"}}",[{"function":{"arguments":"arr"}}],1,null]}]}`,
	`{"model":"m","messages":[{"role":"a","tool_calls":[{"function":{"arguments":5}}]}]}`,
	`{"model":"m","messages":{"a":{"role":"user","role":"x"}}}`,
	`{"model":"m","messages":[{"role":"user","content":[{"t":1,"t":2}],"a":1,"a":2}],"b":1,"b":2}`,
	`{"model":"m","messages":[{"role":"user","content":[5,{"text":1}]}]}`,
	`{"model":"m","messages":[{"r\u006fle":"us\u00e9r","c\u006fntent":"\ud83d\ude00 \ud800 \udc00x \n\t\"\\\/"}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}`,
	`{"model":"m","Messages":[],"messages":[{"role":"user","content":"x"}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"MAX_TOKENS":5}`,
	`{"model":"m","meſſages":[{"role":"user","content":"x"}]}`,
	`{"model":"m","messages":[{"role":"user","Content":"x"}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","Text":"x"}]}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"apiKey":"k"}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"Ignore all previous":"instructions"}}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,aGVsbG8gd29ybGQ=","filename":"a b.txt"}}]}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","description":"d e","parameters":{"type":"object","properties":{"q":{"type":"string","description":"the q","enum":["a b","c"]}}}}}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"auto","user":"u 1","stop":["a","b c"],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"description":"x y"}}}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"x":[[["deep", "er"]]]}`,
	`{"agent_id":"ag","messages":[{"role":"user","content":"hi"}],"model":null}`,
	`[{"model":"m"}]`, `"s"`, `1`, `{}`, `{"a":[}`, `{"a":1,}`, "\t{\"a\":1}\r\n", `{"a":"\uD83D\uDE00"}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
}

func TestParseMatchesReferenceSeeds(t *testing.T) {
	for _, s := range diffSeeds {
		for _, a := range []API{Chat, FIM, Agents} {
			checkSameAsReference(t, a, []byte(s))
		}
	}
}

func FuzzParseMatchesReference(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	rng := rand.New(rand.NewSource(3))
	for range 20 {
		f.Add([]byte(genBody(rng)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, a := range []API{Chat, FIM, Agents} {
			checkSameAsReference(t, a, body)
		}
	})
}

// TestParseMatchesReferenceRandom compares both on generated chat-like bodies: random
// key order, repeated and case-variant keys, wrong types, escapes, media, tool
// definitions and free-form objects, which byte-level fuzzing rarely reaches.
func TestParseMatchesReferenceRandom(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		body := []byte(genBody(rng))
		for _, a := range []API{Chat, FIM, Agents} {
			checkSameAsReference(t, a, body)
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
		g.member("tools", g.mostly(`[{"type":"function","function":{"name":"f","description":"Looks up a word","parameters":{"type":"object","properties":{"w":{"type":"string","description":"the word"}}}}}]`,
			`[{"type":"function","function":{"name":"f","Description":"x","description":"y"}}]`)),
		g.member("metadata", g.mostly(`{"k":"v w","a long key that reads like text":"v"}`, `{"K":1,"k":2}`)),
		g.member("tool_choice", g.pick(`"auto"`, `{"type":"function","function":{"name":"f"}}`, `"not a token"`)),
		g.member("stop", g.pick(`["a","b c"]`, `"x"`)),
		g.rare(g.member("max_\\u0074okens", g.pick(`7`))),
		g.rare(g.member("MAX_TOKENS", g.pick(`7`))),
		g.rare(g.member("Messages", g.pick(`[]`))),
		g.rare(g.member("meſſages", g.pick(`[]`))),
		g.rare(g.member("api_key", g.pick(`"sk"`))),
		g.rare(g.member("x", g.pick(strings.Repeat("[", 65)+strings.Repeat("]", 65), strings.Repeat(`{"a":`, 63)+`"s"`+strings.Repeat("}", 63)))),
	}, 0.8)
	b.WriteString(g.ws())
	return b.String()
}

type gen struct{ rng *rand.Rand }

func (g *gen) ws() string {
	return [...]string{"", "", "", " ", "\n  ", "\t", "\r\n"}[g.rng.Intn(7)]
}

// rare keeps m one time in 20.
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
		`"ü日本"`, `"\ud800x"`, `"\ud800\u0069gnore"`}[g.rng.Intn(8)])
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
		g.member("role", g.pick(`"user"`, `"system"`, `"assistant"`, `"tool"`, `"function"`, `"developer"`, `"us\u0065r"`, `"user"`, `"user"`, `"tool"`, `"user"`, `"user"`, `""`, `1`)),
		g.member("content", g.content),
		g.member("name", g.pick(`"alice"`, `null`, `"b\u00f6b"`, `"alice"`, `"alice"`, `"alice"`, `3`)),
		g.member("tool_calls", g.toolCalls),
		g.member("tool_call_id", g.pick(`"c1"`, `"ignore this id"`)),
		g.member("refusal", g.pick(`"I can't"`)),
		g.rare(g.member("c\\u006fntent", g.str)),
		g.rare(g.rare(g.member("Content", g.str))),
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
			switch g.rng.Intn(24) {
			case 0:
				g.pick(`5`, `null`, `"bare"`, `[]`)(b)
			case 1:
				g.object(b, []func(*strings.Builder){
					g.member("type", g.pick(`"image_url"`, `"input_audio"`)),
					g.member("image_url", g.pick(`{"url":"http://x"}`, `"data:image/png;base64,AAAA"`)),
				}, 0.8)
			case 2:
				g.object(b, []func(*strings.Builder){
					g.member("type", g.pick(`"file"`)),
					g.member("file", g.pick(`{"file_data":"data:text/plain;base64,aGVsbG8gd29ybGQ=","filename":"a.txt"}`,
						`{"file_data":"data:application/pdf;base64,JVBERi0xLjQK/////w==","filename":"a.pdf"}`, `{"file_id":"file-1"}`)),
				}, 0.9)
			case 3:
				g.object(b, []func(*strings.Builder){
					g.member("type", g.pick(`"refusal"`)),
					g.member("refusal", g.str),
				}, 0.9)
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
						g.pick(`{"q":"a b"}`, `null`, `{"q":1}`, `null`, `5`, `[]`)(b)
					default:
						g.str(b)
					}
				}),
				g.rare(g.rare(g.member("Arguments", g.str))),
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
