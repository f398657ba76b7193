package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

var unquoteCases = []string{
	`""`, `"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9"`, `"\u00E9"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00"`,
	`"\ud800\u0069gnore"`, `"\ud800\ud800"`, `"\ud800\udbff\udc00"`, `"\ud800x"`, "\"caf\xc3\xa9\"", "\"\xff\"",
	`"\u0000"`, `"\u2028"`, `"x\ud83d"`,
}

// The decoder matches encoding/json (invalid UTF-8 aside, which it copies), and
// gjson wherever gjson decodes surrogate escapes as encoding/json does.
func TestUnquoteMatchesStdlib(t *testing.T) {
	for _, c := range unquoteCases {
		checkUnquote(t, c)
	}
}

func checkUnquote(t *testing.T, lit string) {
	var want string
	stdErr := json.Unmarshal([]byte(lit), &want)
	got, ok := Unquote(lit)
	if ok != (stdErr == nil) {
		// encoding/json refuses what is not one string literal; so must Unquote
		t.Fatalf("%q: Unquote ok=%v, encoding/json err=%v", lit, ok, stdErr)
	}
	if !ok {
		return
	}
	if string([]rune(got)) != want {
		t.Fatalf("%q: Unquote %q, encoding/json %q", lit, got, want)
	}
	app, ok2 := AppendUnquote([]byte("prefix"), lit)
	if !ok2 || string(app) != "prefix"+got {
		t.Fatalf("%q: AppendUnquote %q", lit, app)
	}
	if !strings.Contains(strings.ToLower(lit), `\ud`) {
		if g := gjson.Parse(lit); g.Str != got {
			t.Fatalf("%q: Unquote %q, gjson %q", lit, got, g.Str)
		}
	}
	if !strings.Contains(lit, `\`) && len(got) > 0 && unsafe.StringData(got) != unsafe.StringData(lit[1:]) {
		t.Errorf("%q: no escape, but Unquote copied", lit)
	}
}

func FuzzUnquote(f *testing.F) {
	for _, c := range unquoteCases {
		f.Add(c[1 : len(c)-1])
	}
	f.Fuzz(func(t *testing.T, inner string) {
		checkUnquote(t, `"`+inner+`"`)
	})
}

func TestUnquoteNoAllocWithoutEscapes(t *testing.T) {
	lit := `"` + strings.Repeat("hello world ", 100) + `"`
	if n := testing.AllocsPerRun(100, func() { _, _ = Unquote(lit) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	buf := make([]byte, 0, 4096)
	esc := `"` + strings.Repeat(`a\nb\u00e9`, 100) + `"`
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendUnquote(buf[:0], esc) }); n != 0 {
		t.Errorf("%v allocations appending", n)
	}
}

func TestKeyIs(t *testing.T) {
	var tp Tape
	if err := tp.ScanString(`{"m\u0065ssages":1,"model":2,"\ud800\u0069":3}`, 0); err != nil {
		t.Fatal(err)
	}
	if !tp.KeyIs(1, "messages") || tp.KeyIs(1, "messagesx") || !tp.KeyIs(2, "model") || !tp.KeyIs(3, "\ufffdi") {
		t.Error("KeyIs")
	}
	if tp.Member(0, "messages") != 1 || tp.Member(0, "\ufffdi") != 3 {
		t.Error("Member with escaped keys")
	}
}

var foldCases = [][2]string{
	{"messages", "Messages"}, {"messages", "MESSAGES"}, {"messages", "meſſages"}, {"max_tokens", "MAX_TOKENS"},
	{"kelvin", "\u212aelvin"}, {"messages", "ｍｅｓｓａｇｅｓ"}, {"Content", "ＣＯＮＴＥＮＴ"}, {"σ", "ς"}, {"straße", "STRAßE"},
}

func TestFold(t *testing.T) {
	for _, c := range foldCases {
		if !EqualFold(c[0], c[1]) {
			t.Errorf("EqualFold(%q, %q) = false", c[0], c[1])
		}
	}
	for _, c := range [][2]string{{"messages", "message"}, {"İ", "i"}, {"max_tokens", "max-tokens"}, {"ss", "ß"}} {
		if EqualFold(c[0], c[1]) {
			t.Errorf("EqualFold(%q, %q) = true", c[0], c[1])
		}
	}
	if got := string(AppendFold(nil, "MAX_Tokens")); got != "max_tokens" {
		t.Errorf("AppendFold = %q", got)
	}
	if !IsASCIIFolded("max_tokens") || IsASCIIFolded("Max") || IsASCIIFolded("ſ") {
		t.Error("IsASCIIFolded")
	}
}

// fullwidthToASCII is the mapping AppendFold applies before case folding.
func fullwidthToASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xff01 && r <= 0xff5e {
			return r - 0xfee0
		}
		return r
	}, s)
}

// Folded forms are equal exactly when strings.EqualFold says so (after the
// fullwidth mapping).
func FuzzFold(f *testing.F) {
	for _, c := range foldCases {
		f.Add(c[0], c[1])
	}
	f.Add("İ", "i")
	f.Add("\xff", "\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // strings.EqualFold compares invalid bytes as U+FFFD; keys are compared raw there
		}
		want := strings.EqualFold(fullwidthToASCII(a), fullwidthToASCII(b))
		if got := string(AppendFold(nil, a)) == string(AppendFold(nil, b)); got != want {
			t.Fatalf("fold(%q)=%q fold(%q)=%q, EqualFold %v", a, AppendFold(nil, a), b, AppendFold(nil, b), want)
		}
	})
}
