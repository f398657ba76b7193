package sse

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// got is what a test records of an event (copies: the reader reuses its buffers).
type got struct {
	raw, data, name, id string
	hasData, hasID      bool
	retry, comments     int
	unknown, dataLines  int
	ended, bom          bool
}

func record(evs *[]got) func(*Event) {
	return func(e *Event) {
		*evs = append(*evs, got{string(e.Raw), string(e.Data), string(e.Name), string(e.ID), e.HasData, e.HasID,
			e.Retry, e.Comments, e.Unknown, e.DataLines, e.Ended, e.BOM})
	}
}

// feed runs in through a fresh reader cut at cuts and returns the events.
func feed(t testing.TB, in string, cuts []int, max int) ([]got, error) {
	t.Helper()
	r := &Reader{Max: max}
	var evs []got
	last := 0
	for _, c := range append(cuts, len(in)) {
		if err := r.Feed([]byte(in[last:c]), record(&evs)); err != nil {
			return evs, err
		}
		last = c
	}
	return evs, r.Close(record(&evs))
}

// specEvent is an event as the WHATWG algorithm dispatches it.
type specEvent struct{ name, data, id string }

// specParse is the specification's algorithm written as plainly as possible, over the
// whole input: the reference the reader is compared with. id is the field seen in
// the event itself ("" when none), not the persistent last-event-ID.
func specParse(in string) []specEvent {
	in = strings.TrimPrefix(in, "\uFEFF")
	var out []specEvent
	var data, name, id strings.Builder
	hasData := false
	dispatch := func() {
		if hasData {
			out = append(out, specEvent{name.String(), strings.TrimSuffix(data.String(), "\n"), id.String()})
		}
		data.Reset()
		name.Reset()
		id.Reset()
		hasData = false
	}
	for len(in) > 0 {
		i := strings.IndexAny(in, "\r\n")
		if i < 0 {
			break // an unterminated last line is not processed
		}
		line := in[:i]
		if in[i] == '\r' && i+1 < len(in) && in[i+1] == '\n' {
			i++
		}
		in = in[i+1:]
		switch {
		case line == "":
			dispatch()
		case line[0] == ':':
		default:
			f, v, ok := strings.Cut(line, ":")
			if ok {
				v = strings.TrimPrefix(v, " ")
			}
			switch f {
			case "data":
				data.WriteString(v + "\n")
				hasData = true
			case "event":
				name.Reset()
				name.WriteString(v)
			case "id":
				if !strings.Contains(v, "\x00") {
					id.Reset()
					id.WriteString(v)
				}
			}
		}
	}
	return out
}

// dispatched keeps the ended events with data, as the specification dispatches them.
func dispatched(evs []got) []specEvent {
	var out []specEvent
	for _, e := range evs {
		if e.ended && e.hasData {
			id := ""
			if e.hasID {
				id = e.id
			}
			out = append(out, specEvent{e.name, e.data, id})
		}
	}
	return out
}

func joinRaw(evs []got) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.raw)
	}
	return b.String()
}

// streams are inputs with every feature the reader handles.
var streams = []string{
	"data: {\"a\":1}\n\ndata: [DONE]\n\n",
	"event: message_start\r\ndata: {\"x\":\"y\"}\r\n\r\n: ping\r\n\r\nevent: delta\r\ndata: a\r\ndata: b\r\n\r\n",
	"data: one\rdata: two\r\rid: 7\rretry: 100\rdata:three\r\r",
	"\uFEFFdata: bom\n\n",
	"\uFEFF: comment first\n\ndata: x\n\n",
	": keep-alive\n\n\n\ndata:no-space\n\nfoo: bar\ndata: after unknown\n\n",
	"data: unterminated last",
	"data: a\n\ndata: cut before blank\n",
	"event: e\nid: a\x00b\ndata\n\n",
	"data: x\r\n\r\ndata: y\n\r\n",
	"\xEF\xBBdata: partial bom\n\n",
	"retry: 12x\nretry: 34\ndata: r\n\n",
}

// TestEveryChunking: every split of every stream into two and three chunks, and one
// byte per chunk, reports the same events as the whole stream; the raw bytes of the
// events give back the input; the dispatched events are the specification's.
func TestEveryChunking(t *testing.T) {
	for _, in := range streams {
		ref, err := feed(t, in, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if joinRaw(ref) != in {
			t.Fatalf("raw bytes %q, want %q", joinRaw(ref), in)
		}
		if got, want := dispatched(ref), specParse(in); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q:\n got %q\nwant %q", in, got, want)
		}
		check := func(cuts []int) {
			t.Helper()
			evs, err := feed(t, in, cuts, 0)
			if err != nil {
				t.Fatal(err)
			}
			if joinRaw(evs) != in {
				t.Fatalf("%q cut at %v: raw bytes %q", in, cuts, joinRaw(evs))
			}
			if fmt.Sprint(dispatched(evs)) != fmt.Sprint(dispatched(ref)) {
				t.Fatalf("%q cut at %v:\n got %q\nwant %q", in, cuts, dispatched(evs), dispatched(ref))
			}
		}
		var every []int
		for a := 1; a < len(in); a++ {
			every = append(every, a)
			for b := a; b < len(in); b++ {
				check([]int{a, b})
			}
		}
		check(every)
	}
}

// TestAllCompositions checks every way of cutting short streams full of line ends,
// colons and BOM bytes into chunks (2^(n-1) each).
func TestAllCompositions(t *testing.T) {
	alphabet := []string{"\r", "\n", "d", "data:", ":", " ", "\uFEFF", "x", "event:e", "\r\n"}
	rng := rand.New(rand.NewSource(1))
	n := 0
	for iter := 0; iter < 60; iter++ {
		var b strings.Builder
		for b.Len() < 10 {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		in := b.String()
		if len(in) > 13 {
			in = in[:13]
		}
		ref, _ := feed(t, in, nil, 0)
		want := fmt.Sprint(dispatched(ref))
		if w := fmt.Sprint(specParse(in)); w != want {
			t.Fatalf("%q: reader %s, specification %s", in, want, w)
		}
		for mask := 0; mask < 1<<(len(in)-1); mask++ {
			var cuts []int
			for i := 0; i < len(in)-1; i++ {
				if mask&(1<<i) != 0 {
					cuts = append(cuts, i+1)
				}
			}
			evs, _ := feed(t, in, cuts, 0)
			if joinRaw(evs) != in || fmt.Sprint(dispatched(evs)) != want {
				t.Fatalf("%q cut at %v: raw %q events %v, want %s", in, cuts, joinRaw(evs), dispatched(evs), want)
			}
			n++
		}
	}
	t.Logf("%d chunkings", n)
}

// TestFields pins the parsed fields of one event.
func TestFields(t *testing.T) {
	in := ": c1\nevent: delta\nid: 42\nretry: 3000\nx-vendor: 1\ndata: {\"a\":\ndata:  2}\n\n"
	evs, err := feed(t, in, nil, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	e := evs[0]
	want := got{raw: in, data: "{\"a\":\n 2}", name: "delta", id: "42", hasData: true, hasID: true, retry: 3000,
		comments: 1, unknown: 1, dataLines: 2, ended: true}
	if e != want {
		t.Fatalf("got  %+v\nwant %+v", e, want)
	}
}

// TestMax: an event longer than the limit is an error whether it arrives whole or in
// pieces, and nothing of it is reported; events before it are.
func TestMax(t *testing.T) {
	big := "data: " + strings.Repeat("x", 100) + "\n\n"
	in := "data: small\n\n" + big + "data: after\n\n"
	for _, cuts := range [][]int{nil, {20}, {13, 50, 90}, {3, 14, 15, 16}} {
		evs, err := feed(t, in, cuts, 64)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("cuts %v: err %v", cuts, err)
		}
		if len(evs) != 1 || evs[0].data != "small" {
			t.Fatalf("cuts %v: events %v", cuts, evs)
		}
	}
	// a line that never ends is bounded too
	r := &Reader{Max: 64}
	for i := 0; i < 10; i++ {
		if err := r.Feed([]byte(strings.Repeat("y", 10)), func(*Event) { t.Fatal("event reported") }); err != nil {
			if r.Pending() != 0 {
				t.Fatal("buffer kept after the error")
			}
			return
		}
	}
	t.Fatal("no error for an unbounded line")
}

// TestRewriteUnchanged: rewriting every event with its own data and no line function
// gives back the input byte for byte, however it was cut.
func TestRewriteUnchanged(t *testing.T) {
	for _, in := range streams {
		for _, cuts := range [][]int{nil, {1}, {len(in) / 2}, {len(in) - 1}} {
			var out []byte
			r := &Reader{}
			emit := func(e *Event) {
				if e.HasData {
					out = AppendRewrite(out, e, string(e.Data), nil)
				} else {
					out = append(out, e.Raw...)
				}
			}
			last := 0
			for _, c := range append(cuts, len(in)) {
				if c < last {
					continue
				}
				if err := r.Feed([]byte(in[last:c]), emit); err != nil {
					t.Fatal(err)
				}
				last = c
			}
			if err := r.Close(emit); err != nil {
				t.Fatal(err)
			}
			if string(out) != in {
				t.Fatalf("%q cut at %v: rewrote to %q", in, cuts, out)
			}
		}
	}
}

// TestRewriteChanged: a rewritten event parses back to the new data, with its name,
// id and comment lines kept and comments passed through the line function.
func TestRewriteChanged(t *testing.T) {
	in := "\uFEFF: note a@b.c\r\nevent: delta\r\nid: 9\r\ndata: one\r\ndata: two\r\n\r\n"
	r := &Reader{}
	var ev *Event
	if err := r.Feed([]byte(in), func(e *Event) { c := *e; c.Raw = bytes.Clone(e.Raw); ev = &c }); err != nil {
		t.Fatal(err)
	}
	upper := func(dst, line []byte) []byte { return append(dst, bytes.ToUpper(line)...) }
	for _, data := range []string{"x", "multi\nline\r\ndata", ""} {
		out := AppendRewrite(nil, ev, data, upper)
		back, err := feed(t, string(out), nil, 0)
		if err != nil || len(back) != 1 {
			t.Fatalf("%q: %v %v", out, back, err)
		}
		b := back[0]
		wantData := strings.ReplaceAll(data, "\r\n", "\n")
		if b.data != wantData || b.name != "delta" || b.id != "9" || b.comments != 1 || !b.bom || !strings.Contains(string(out), ": NOTE A@B.C\r\n") {
			t.Fatalf("rewrote %q to %q: %+v", in, out, b)
		}
	}
	// single data line, single-line data: only the value changes
	r2 := &Reader{}
	err := r2.Feed([]byte("event: x\ndata: {\"v\":1}\nid: 3\n\n"), func(e *Event) {
		if got := string(AppendRewrite(nil, e, `{"v":2}`, nil)); got != "event: x\ndata: {\"v\":2}\nid: 3\n\n" {
			t.Fatalf("in-place rewrite: %q", got)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAppendEvent checks the framing of new events.
func TestAppendEvent(t *testing.T) {
	if got := string(AppendEvent(nil, "error", "a\nb")); got != "event: error\ndata: a\ndata: b\n\n" {
		t.Fatalf("%q", got)
	}
	if got := string(AppendEvent(nil, "", "[DONE]")); got != "data: [DONE]\n\n" {
		t.Fatalf("%q", got)
	}
}

// FuzzReader: any bytes, cut anywhere, never panic; the events' raw bytes give back
// the input; the split does not change the events; dispatched events match the
// specification; rewriting unchanged events is the identity.
func FuzzReader(f *testing.F) {
	for _, s := range streams {
		f.Add([]byte(s), 3, 7)
	}
	f.Fuzz(func(t *testing.T, in []byte, a, b int) {
		s := string(in)
		ref, err := feed(t, s, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if joinRaw(ref) != s {
			t.Fatalf("raw %q", joinRaw(ref))
		}
		if g, w := fmt.Sprint(dispatched(ref)), fmt.Sprint(specParse(s)); g != w {
			t.Fatalf("reader %s\nspecification %s", g, w)
		}
		if len(s) > 1 {
			a = (a%len(s) + len(s)) % len(s)
			b = (b%len(s) + len(s)) % len(s)
			if a > b {
				a, b = b, a
			}
			evs, _ := feed(t, s, []int{a, b}, 0)
			if joinRaw(evs) != s || fmt.Sprint(dispatched(evs)) != fmt.Sprint(dispatched(ref)) {
				t.Fatalf("cut at %d,%d: %v vs %v", a, b, evs, ref)
			}
		}
		var out []byte
		r := &Reader{}
		emit := func(e *Event) { out = AppendRewrite(out, e, string(e.Data), nil) }
		if err := r.Feed(in, emit); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(emit); err != nil {
			t.Fatal(err)
		}
		if string(out) != s {
			t.Fatalf("rewrite changed %q into %q", s, out)
		}
	})
}
