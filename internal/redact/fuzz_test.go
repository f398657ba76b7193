package redact

import (
	"math/rand"
	"testing"
	"unicode/utf8"
)

// FuzzRedact checks invariants on arbitrary text: no panic, Find is sorted
// and non-overlapping, Redact of text without entities is the identity, and
// a stream split at the fuzzed point yields exactly Redact's output.
func FuzzRedact(f *testing.F) {
	for _, p := range propertyPieces {
		f.Add(p+" x "+p, 3)
	}
	f.Add(propertyPrompt, 10)
	r := propertyRedactors(f)[0]
	f.Fuzz(func(t *testing.T, text string, cut int) {
		rc := &RequestContext{SystemPrompt: propertyPrompt}
		want, rep := r.Redact(text, rc)
		last := 0
		for _, e := range r.Find(text) {
			if e.Start < last || e.End <= e.Start || e.End > len(text) {
				t.Fatalf("bad entity %+v after %d in %q", e, last, text)
			}
			last = e.End
		}
		if rep.Total() == 0 && want != text {
			t.Fatalf("no entities but output changed: %q -> %q", text, want)
		}
		if utf8.ValidString(text) && !utf8.ValidString(want) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", want)
		}
		if len(text) > 0 {
			cut = (cut%len(text) + len(text)) % len(text)
			if got := streamPieces(r, text, []int{cut}); got != want {
				t.Fatalf("split at %d: got %q want %q", cut, got, want)
			}
		}
	})
}

// FuzzSkip checks on arbitrary text that every position nextTrigger skips
// is one no detector matches at (checkSkipSound), and that its jumps stop
// where stepping one position at a time stops (checkJump).
func FuzzSkip(f *testing.F) {
	for _, p := range propertyPieces {
		f.Add(p + " 1.2 " + p)
	}
	r := propertyRedactors(f)[0]
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	scs := jumpScanners(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 512 {
			text = text[:512]
		}
		checkSkipSound(t, r, text, len(text), rc)
		for _, sc := range scs {
			for i := 0; i < len(text); i = checkJump(t, sc, text, i, len(text)) + 1 {
			}
		}
	})
}

// evasionVariant rewrites the inside of every PII and secret entity found
// in text, as chosen by the bits of mask: a zero-width character between
// two letters or digits, digits in another script (fullwidth,
// Arabic-Indic, Devanagari, Persian). Text around the entities is left as
// it is, so context words keep their distance. It returns the variant and
// where each byte of text went.
func evasionVariant(r *Redactor, text string, mask uint64) (string, []int) {
	inside := make([]bool, len(text))
	apart := func(i int) bool {
		return i < 0 || i >= len(text) || text[i] < 0x80 && !isWord(text[i]) && text[i] != '@'
	}
	far := func(i int) bool { return i < 0 || i >= len(text) || !isDigit(text[i]) } // no other number right next to it
	for _, e := range r.Find(text) {
		switch e.Type {
		case UnsafeHTML, UnsafeURL, MarkdownExfil, Canary, PromptLeak:
			continue
		}
		if !apart(e.Start-1) || !apart(e.End) || !far(e.Start-2) || !far(e.End+1) {
			continue // glued to its neighbours: folding may join them, and numbers next to each other regroup
		}
		for i := e.Start; i < e.End; i++ {
			inside[i] = true
		}
	}
	zeros := []rune{0xFF10, 0x660, 0x966, 0x6F0}
	bits := func(i int) uint64 { return mask >> (uint(i*3) % 61) & 7 }
	zero := zeros[mask>>61&3]
	j := -1
	return variantOf(text, func(c byte) string {
		j++
		if inside[j] && isDigit(c) && bits(j)&2 != 0 {
			return string(zero + rune(c-'0'))
		}
		return ""
	}, func(i int) string {
		if inside[i] && i+1 < len(text) && inside[i+1] && isAlnum(text[i]) && isAlnum(text[i+1]) && bits(i)&1 != 0 {
			return "\u200b"
		}
		return ""
	})
}

// checkEvasion asserts that the evasion variant of text hides nothing.
func checkEvasion(t *testing.T, r *Redactor, text string, mask uint64) {
	t.Helper()
	variant, at := evasionVariant(r, text, mask)
	checkCovered(t, r, text, variant, at)
}

// TestEvasionInsideEntities runs checkEvasion on random texts whose
// pieces are kept apart (see spacedText: glued pieces read as other
// numbers once a piece is folded).
func TestEvasionInsideEntities(t *testing.T) {
	rng := rand.New(rand.NewSource(31 + invarianceSeed()))
	r := propertyRedactors(t)[0]
	for iter := 0; iter < 500; iter++ {
		checkEvasion(t, r, spacedText(rng, 3+rng.Intn(12)), rng.Uint64())
	}
}

// FuzzEvasion checks that zero-width characters inside an entity, or its
// digits written in another script, never make it pass: every letter and
// digit the redaction of text covers is covered in the variant.
func FuzzEvasion(f *testing.F) {
	for _, p := range propertyPieces {
		f.Add("x "+p+" y", uint64(0x5555555555555555))
	}
	r := propertyRedactors(f)[0]
	f.Fuzz(func(t *testing.T, text string, mask uint64) {
		if len(text) > 256 || !utf8.ValidString(text) {
			return
		}
		checkEvasion(t, r, text, mask)
	})
}
