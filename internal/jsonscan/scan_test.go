package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

var validityCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
	`{"a":1,"a":2}`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0069"`, "\"\xff\xfe\"", `[1,[2,[3]]]`,
	``, ` `, `{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{1:2}`, `01`, `1.`, `.1`,
	`-`, `1e`, `1e+`, `+1`, `tru`, `nul`, `falsey`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\x00\"",
	`{"a":1}}`, `[1]]`, `[1] [2]`, `{"a" 1}`, `{"a":1 "b":2}`, `[1 2]`, `"\`, `"\u"`, `nulll`, `[-]`, `[01]`,
	"\ufeff{}", `{"a":[]}`, `[{}]`, `[[]]`, `{"":""}`,
}

func TestValidityMatchesStdlibAndGjson(t *testing.T) {
	var tp Tape
	for _, c := range validityCases {
		err := tp.ScanString(c, 0)
		std, gj := json.Valid([]byte(c)), gjson.Valid(c)
		if std != gj {
			t.Logf("%q: encoding/json %v, gjson %v", c, std, gj)
		}
		if (err == nil) != std {
			t.Errorf("%q: Scan error %v, encoding/json.Valid %v", c, err, std)
		}
	}
}

func TestTapeStructure(t *testing.T) {
	src := ` {"a": [1, "x\n", {"b": null}], "c\u0041": true, "d": {}} `
	var tp Tape
	if err := tp.ScanString(src, 0); err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind   Kind
		raw    string
		key    string
		parent int32
		skip   int32
		depth  int32
		index  int32
	}
	want := []row{
		{Object, src[1 : len(src)-1], "", -1, 8, 0, 0},
		{Array, `[1, "x\n", {"b": null}]`, "a", 0, 6, 1, 0},
		{Number, `1`, "", 1, 3, 2, 0},
		{String, `"x\n"`, "", 1, 4, 2, 1},
		{Object, `{"b": null}`, "", 1, 6, 2, 2},
		{Null, `null`, "b", 4, 6, 3, 0},
		{True, `true`, "cA", 0, 7, 1, 1},
		{Object, `{}`, "d", 0, 8, 1, 2},
	}
	if len(tp.Nodes) != len(want) {
		t.Fatalf("%d nodes, want %d", len(tp.Nodes), len(want))
	}
	for i, w := range want {
		n := tp.Nodes[i]
		got := row{n.Kind, tp.Raw(i), tp.Key(i), n.Parent, n.Skip, n.Depth, n.Index}
		if got != w {
			t.Errorf("node %d = %+v, want %+v", i, got, w)
		}
	}
	if tp.Str(3) != "x\n" || tp.Nodes[3].Flags&Escaped == 0 || tp.Nodes[6].Flags&KeyEscaped == 0 {
		t.Errorf("escapes: %q flags %d/%d", tp.Str(3), tp.Nodes[3].Flags, tp.Nodes[6].Flags)
	}
	if m := tp.Member(0, "cA"); m != 6 {
		t.Errorf("Member(cA) = %d", m)
	}
	if m := tp.Member(0, "zz"); m != -1 {
		t.Errorf("Member(zz) = %d", m)
	}
	if tp.Len(0) != 3 || tp.Len(1) != 3 || tp.Len(7) != 0 || tp.First(7) != -1 || tp.Next(7) != -1 {
		t.Errorf("Len/First/Next wrong")
	}
	if e := tp.Elem(1, 2); e != 4 {
		t.Errorf("Elem(1,2) = %d", e)
	}
	if p := tp.Path(5); p != "a.2.b" {
		t.Errorf("Path = %q", p)
	}
}

func TestErrorsNameTheOffset(t *testing.T) {
	cases := []struct {
		src    string
		kind   ErrorKind
		offset int
		detail string
	}{
		{`{"a":1,}`, ErrSyntax, 7, "expected a member key"},
		{`{"a" 1}`, ErrSyntax, 5, "expected ':'"},
		{`[1 2]`, ErrSyntax, 3, "expected ','"},
		{`"abc`, ErrSyntax, 0, "unterminated string"},
		{`["a\qb"]`, ErrSyntax, 3, "invalid escape"},
		{"[\"a\x01\"]", ErrSyntax, 3, "control character"},
		{`[1] x`, ErrSyntax, 4, "after the top-level value"},
		{``, ErrSyntax, 0, "unexpected end of input"},
		{`[[[1]]]`, ErrTooDeep, 2, ""},
	}
	var tp Tape
	for _, c := range cases {
		err := tp.ScanString(c.src, 2)
		if err == nil {
			t.Errorf("%q: no error", c.src)
			continue
		}
		if err.Kind != c.kind || err.Offset != c.offset || !strings.Contains(err.Error(), c.detail) {
			t.Errorf("%q: got %v (kind %d offset %d), want kind %d offset %d %q", c.src, err, err.Kind, err.Offset, c.kind, c.offset, c.detail)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("byte %d", c.offset)) {
			t.Errorf("%q: error %q does not name the offset", c.src, err)
		}
	}
}

// Deep input costs no stack: with a 256 KiB stack limit a recursive scanner of
// 100,000 levels would crash the test binary.
func TestDeepInputIterative(t *testing.T) {
	const n = 100_000
	deep := strings.Repeat("[", n) + strings.Repeat("]", n)
	deepObj := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
	old := debug.SetMaxStack(256 << 10)
	defer debug.SetMaxStack(old)
	var tp Tape
	for _, src := range []string{deep, deepObj} {
		if err := tp.ScanString(src, 0); err != nil {
			t.Fatalf("unbounded depth: %v", err)
		}
		last := len(tp.Nodes) - 1
		if int(tp.Nodes[last].Depth) != n-1+strings.Count(src[:5], "{") || tp.Nodes[0].Skip != int32(len(tp.Nodes)) {
			t.Errorf("deep tape: depth %d, root skip %d of %d", tp.Nodes[last].Depth, tp.Nodes[0].Skip, len(tp.Nodes))
		}
		_ = tp.Path(last)
		err := tp.ScanString(src, 64)
		if err == nil || err.Kind != ErrTooDeep || err.Limit != 64 {
			t.Fatalf("depth 64: got %v", err)
		}
		if !strings.Contains(err.Error(), "deeper than 64") {
			t.Errorf("message %q", err)
		}
	}
	// unterminated deep input is a syntax error at the end, not a crash
	if err := tp.ScanString(strings.Repeat("[", n), 0); err == nil || err.Kind != ErrSyntax || err.Offset != n {
		t.Errorf("unterminated: %v", err)
	}
}

func TestScanAllocatesNothingOnceGrown(t *testing.T) {
	body := []byte(chatBody(8 << 10))
	tp := Get()
	defer tp.Release()
	if err := tp.Scan(body, 64); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if err := tp.Scan(body, 64); err != nil {
			t.Fatal(err)
		}
		for i := range tp.Nodes {
			if tp.Nodes[i].Kind == String && tp.Nodes[i].Flags&Escaped == 0 {
				_ = tp.Str(i)
			}
		}
		_ = tp.Member(0, "messages")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per scan", allocs)
	}
}

// fromTape rebuilds the value at node i as encoding/json would decode it (numbers
// as json.Number, invalid UTF-8 as U+FFFD, the last of repeated keys).
func fromTape(tp *Tape, i int) any {
	switch n := tp.Nodes[i]; n.Kind {
	case Object:
		m := map[string]any{}
		for j := tp.First(i); j >= 0; j = tp.Next(j) {
			m[string([]rune(tp.Key(j)))] = fromTape(tp, j)
		}
		return m
	case Array:
		a := []any{}
		for j := tp.First(i); j >= 0; j = tp.Next(j) {
			a = append(a, fromTape(tp, j))
		}
		return a
	case String:
		return string([]rune(tp.Str(i)))
	case Number:
		return json.Number(tp.Raw(i))
	case True:
		return true
	case False:
		return false
	}
	return nil
}

func checkAgainstStdlib(t *testing.T, data []byte) {
	var tp Tape
	err := tp.Scan(data, 0)
	if (err == nil) != json.Valid(data) {
		t.Fatalf("%q: Scan error %v, json.Valid %v", data, err, json.Valid(data))
	}
	if (err == nil) != gjson.ValidBytes(data) {
		t.Fatalf("%q: Scan error %v, gjson.Valid %v", data, err, gjson.ValidBytes(data))
	}
	if err != nil {
		if err.Offset < 0 || err.Offset > len(data) {
			t.Fatalf("%q: offset %d out of range", data, err.Offset)
		}
		return
	}
	if tp.Nodes[0].Depth > 500 { // the reference decoders below recurse
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%q: encoding/json: %v", data, err)
	}
	if got := fromTape(&tp, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ntape     %#v\nencoding %#v", data, got, want)
	}
	checkGjsonSpans(t, &tp, 0, gjson.ParseBytes(data), string(data))
}

// checkGjsonSpans compares kinds, raw spans and member keys with gjson's view, and
// strings wherever gjson decodes as encoding/json does (not after a lone high
// surrogate escape, where gjson swallows the next escape).
func checkGjsonSpans(t *testing.T, tp *Tape, i int, g gjson.Result, src string) {
	n := tp.Nodes[i]
	if strings.Trim(g.Raw, " \t\r\n") != tp.Raw(i) {
		t.Fatalf("node %d raw %q, gjson %q", i, tp.Raw(i), g.Raw)
	}
	switch n.Kind {
	case String:
		if !strings.Contains(strings.ToLower(tp.Raw(i)), `\ud`) && g.Str != tp.Str(i) {
			t.Fatalf("node %d string %q, gjson %q", i, tp.Str(i), g.Str)
		}
	case Object, Array:
		j := tp.First(i)
		g.ForEach(func(k, v gjson.Result) bool {
			if j < 0 {
				t.Fatalf("node %d: gjson has more children", i)
			}
			if n.Kind == Object && !strings.Contains(strings.ToLower(tp.KeyRaw(j)), `\ud`) && k.Str != tp.Key(j) {
				t.Fatalf("node %d key %q, gjson %q", j, tp.Key(j), k.Str)
			}
			checkGjsonSpans(t, tp, j, v, src)
			j = tp.Next(j)
			return true
		})
		if j >= 0 {
			t.Fatalf("node %d: tape has more children", i)
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, c := range validityCases {
		f.Add([]byte(c))
	}
	f.Add([]byte(chatBody(2 << 10)))
	f.Fuzz(func(t *testing.T, data []byte) { checkAgainstStdlib(t, data) })
}

func TestDepthLimit(t *testing.T) {
	var tp Tape
	for depth := 1; depth <= 5; depth++ {
		src := strings.Repeat(`{"k":[`, depth) + strings.Repeat("]}", depth) // 2*depth levels
		for limit := 1; limit <= 11; limit++ {
			err := tp.ScanString(src, limit)
			if ok := limit >= 2*depth; (err == nil) != ok {
				t.Errorf("depth %d limit %d: %v", 2*depth, limit, err)
			}
			// container c (0-based) opens at 6*(c/2), or 6*(c/2)+5 for the arrays
			want := 6*(limit/2) + 5*(limit%2)
			if err != nil && (err.Kind != ErrTooDeep || err.Offset != want) {
				t.Errorf("depth %d limit %d: %v", 2*depth, limit, err)
			}
		}
	}
}

// TestStrRunMatchesBytewise checks the eight-byte strRun against a byte loop at
// every start offset, with every stop byte and its neighbours at every position of
// a word (a borrow from one byte must not hide or fake a stop in the next).
func TestStrRunMatchesBytewise(t *testing.T) {
	bytewise := func(s string, i int) int {
		for i < len(s) && strStop[s[i]] == 0 {
			i++
		}
		return i
	}
	fill := []byte{'a', ' ', '!', '#', '[', ']', 0x7f, 0x80, 0xa2, 0xdc, 0xff, 0x21, 0x5b, 0x5d, 0x1f, 0x20}
	for _, c := range []byte{0, 0x01, 0x1f, 0x20, 0x21, '"', '#', '\\', ']', '[', 0x7f, 0x80, 0x9f, 0xa0, 0xa2, 0xdc, 0xff} {
		for _, f := range fill {
			for pos := 0; pos < 20; pos++ {
				b := make([]byte, 20)
				for k := range b {
					b[k] = f
				}
				b[pos] = c
				s := string(b)
				for i := 0; i <= len(s); i++ {
					if got, want := strRun(s, i), bytewise(s, i); got != want {
						t.Fatalf("strRun(%q, %d) = %d, want %d", s, i, got, want)
					}
				}
			}
		}
	}
}
