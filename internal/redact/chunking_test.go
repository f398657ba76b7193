package redact

import (
	"maps"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// clone copies a stream so that two continuations can be fed from one state
// (the arena gets its own backing array: appends must not be shared).
func (s *Stream) clone() *Stream {
	c := *s
	c.arena = append(make([]byte, 0, len(s.arena)+16), s.arena...)
	c.pending = append([]match(nil), s.pending...)
	c.sc.cq = append([]match(nil), s.sc.cq...)
	c.rep.Counts = maps.Clone(s.rep.Counts)
	return &c
}

// everyChunking feeds text[pos:] to st in every possible way (all 2^(n-1)
// compositions of the rest into non-empty pieces), sharing the work of
// common prefixes, and checks after every Write that the output so far is a
// prefix of want (nothing released that the whole-text redaction does not
// release: no leak) and after Flush that it equals want. It returns the
// number of chunkings checked.
func everyChunking(t *testing.T, st *Stream, text string, pos int, out, want string) int {
	if pos == len(text) {
		if got := out + st.Flush(); got != want {
			t.Fatalf("chunking of %q:\n got %q\nwant %q", text, got, want)
		}
		return 1
	}
	n := 0
	for c := pos + 1; c <= len(text); c++ {
		s := st
		if c < len(text) {
			s = st.clone()
		}
		o := out + s.Write(text[pos:c])
		if !strings.HasPrefix(want, o) {
			t.Fatalf("chunking of %q: after piece %q released %q, not a prefix of %q", text, text[pos:c], o, want)
		}
		n += everyChunking(t, s, text, c, o, want)
	}
	return n
}

// shortPieces are entities and near-misses short enough for exhaustive chunking.
var shortPieces = []string{"a@b.io", "x.y@ex.com", "1.2.3.4", "10.0.0.1", "::1", "fe80::1", "460-89-9847",
	"sk-abcdEFGH1234ijkl5678", "<b>", "<script>", "![x](", "4111111111111111", "+1 415 555 0132", "@", "1", "-",
	"é", "🙂", " ", " ", ".", "ok", "pwd=Xy7!", "javascript:", "AKIA", "Bearer ", "eyJ",
	"a＠b.io", "４１", "٣٣", "1\u200b2", "\u00a0", "ѕk-", "a@b\u200b.io", "&#x6A;", "AIza", "http://", "[r]: ", "jo@ex",
	"4111 1111 1111", "sk_live_", "key ", "ab3d"}

// TestStreamEveryChunking is the zero-leak property over every chunking: for
// random short texts with entities, every way of cutting the text into
// deltas (split at any byte, inside UTF-8 sequences too) yields exactly the
// non-streamed redaction, and no Write releases anything the non-streamed
// redaction does not contain at that point.
func TestStreamEveryChunking(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	total, texts := 0, 0
	iters, maxLen := 15, 15 // at most 2^14 chunkings per text
	if os.Getenv("REDACT_EXHAUSTIVE") != "" {
		iters, maxLen = 40, 20 // 2^19 per text: about 29 million chunkings, 2 minutes
	} else if testing.Short() {
		iters = 4
	}
	for ri, r := range propertyRedactors(t) {
		for iter := 0; iter < iters; iter++ {
			var b strings.Builder
			for b.Len() < maxLen-4+rng.Intn(8) {
				b.WriteString(shortPieces[rng.Intn(len(shortPieces))])
			}
			text := b.String()
			if len(text) > maxLen {
				text = text[:maxLen]
			}
			want, _ := r.Redact(text, rc)
			if ri == 0 && iter == 0 {
				text, want = "mail a@b.io now", "mail [EMAIL_ADDRESS] now"
			}
			total += everyChunking(t, r.NewStream(rc), text, 0, "", want)
			texts++
		}
	}
	t.Logf("%d chunkings of %d texts", total, texts)
}

// TestAppendRedactEqualsRedact: AppendRedact appends exactly Redact's output
// and adds its counts.
func TestAppendRedactEqualsRedact(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	for _, r := range propertyRedactors(t) {
		var dst []byte
		var acc Report
		total := 0
		for iter := 0; iter < 200; iter++ {
			text := randomText(rng, 3+rng.Intn(25))
			want, rep := r.Redact(text, rc)
			total += rep.Total()
			dst = r.AppendRedact(append(dst[:0], "prefix"...), text, rc, &acc)
			if string(dst) != "prefix"+want {
				t.Fatalf("AppendRedact(%q) = %q, want %q", text, dst[6:], want)
			}
			if r.AppendRedact(nil, text, rc, nil) == nil && text != "" {
				t.Fatal("nil result")
			}
		}
		if acc.Total() != total || total == 0 {
			t.Fatalf("accumulated %d entities, want %d", acc.Total(), total)
		}
	}
}
