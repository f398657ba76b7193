package redact

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// checkSkipSound asserts that every position of text[:cut] that nextTrigger
// passes over (a quiet byte, or a trigger rejected by the quick checks) is a
// position where dispatch finds nothing in the whole text, whatever the end
// of the previous entity.
func checkSkipSound(t *testing.T, r *Redactor, text string, cut int, rc *RequestContext) {
	t.Helper()
	sc := r.newScanner(rc, false)
	head := text[:cut]
	for i := 1; i < cut; i++ {
		if nextTrigger(head, i, i+1, sc.quiet, sc.cls) == i {
			continue // not skipped
		}
		for _, floor := range []int{0, i} {
			sc.lastEnd, sc.judged, sc.queued = floor, [2]int{}, match{}
			if m, ok, _ := sc.decide(text, 0, i, len(text), true); ok {
				t.Fatalf("position %d (cut %d, floor %d) was skipped but %s matches %q in %q",
					i, cut, floor, r.names[m.kind], text[m.start:m.end], text)
			}
		}
	}
}

// TestQuickSkipSound checks the quick rejections against the detectors on
// random texts (whole and cut anywhere, as a stream sees them) and on the
// dev set.
func TestQuickSkipSound(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	for _, r := range propertyRedactors(t) {
		for iter := 0; iter < 300; iter++ {
			text := randomText(rng, 5+rng.Intn(30))
			checkSkipSound(t, r, text, len(text), rc)
			checkSkipSound(t, r, text, rng.Intn(len(text)+1), rc)
		}
		for _, text := range []string{benchText, llmBenchText(t, 8192, true)} {
			checkSkipSound(t, r, text, len(text), nil)
		}
	}
	dev, err := os.ReadFile("/work/shared/eval/pii.dev.jsonl")
	if err != nil {
		t.Skip("dev set not available:", err)
	}
	r := propertyRedactors(t)[0]
	sc := bufio.NewScanner(bytes.NewReader(dev))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct{ Text string }
		if json.Unmarshal(sc.Bytes(), &row) == nil && row.Text != "" {
			checkSkipSound(t, r, row.Text, len(row.Text), nil)
		}
	}
}

// TestNextTriggerJumps checks that nextTrigger's jumps (eight quiet bytes at
// a time, trailing-zero counts, digit runs) stop exactly where stepping one
// position at a time stops, for every trigger table: plain, with a
// prompt-leak index (spaces are triggers), with a canary that starts with a
// digit (digits are not plain digit triggers) and request side.
func TestNextTriggerJumps(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	texts := []string{benchText, llmBenchText(t, 8192, true)}
	for range 400 {
		texts = append(texts, randomText(rng, 3+rng.Intn(20)))
	}
	for _, sc := range jumpScanners(t) {
		for _, text := range texts {
			for i := 0; i < len(text); {
				lim := len(text)
				if rng.Intn(3) == 0 {
					lim = i + rng.Intn(len(text)-i+1)
				}
				i = checkJump(t, sc, text, i, lim) + 1
			}
		}
	}
}

// jumpScanners returns scanners with each kind of trigger table.
func jumpScanners(t testing.TB) []scanner {
	cfg := DefaultConfig()
	cfg.Canaries = []string{"7731-canary"}
	rc := &RequestContext{SystemPrompt: propertyPrompt}
	var out []scanner
	for _, r := range append(propertyRedactors(t), mustNew(t, cfg)) {
		out = append(out, r.newScanner(nil, false), r.newScanner(rc, false), r.newScanner(nil, true))
	}
	return out
}

// checkJump compares nextTrigger(text, i, lim) with stepping one position
// at a time and returns the stop.
func checkJump(t *testing.T, sc scanner, text string, i, lim int) int {
	t.Helper()
	got := nextTrigger(text, i, lim, sc.quiet, sc.cls)
	want := i
	for want < lim && nextTrigger(text, want, want+1, sc.quiet, sc.cls) != want {
		want++
	}
	if got != want {
		t.Fatalf("nextTrigger(%d, %d) = %d, stepping stops at %d in %q", i, lim, got, want, text)
	}
	return got
}

// TestShortNumberImpliesSkip checks that shortNumber, the inline case of
// skipDigit, only skips what skipDigit skips, on every byte after 1–8 digits
// and random bytes after that.
func TestShortNumberImpliesSkip(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	tail := "0123456789 -.:()/%,;xyzabcdefABCDEF\n\t@+"
	hits := 0
	for iter := 0; iter < 20000; iter++ {
		var b strings.Builder
		b.WriteByte(" (\n$#"[rng.Intn(5)])
		for n := 1 + rng.Intn(8); n > 0; n-- {
			b.WriteByte(byte('0' + rng.Intn(10)))
		}
		b.WriteByte(byte(rng.Intn(256)))
		for n := rng.Intn(6); n > 0; n-- {
			b.WriteByte(tail[rng.Intn(len(tail))])
		}
		text := b.String()
		e := 1
		for e < len(text) && isDigit(text[e]) {
			e++
		}
		if shortNumber(text, 1, e) {
			hits++
			if !skipDigit(text, 1) {
				t.Fatalf("shortNumber skips the number in %q, skipDigit does not", text)
			}
		}
	}
	if hits < 1000 {
		t.Fatalf("only %d of 20000 inputs took the inline path", hits)
	}
}

// classRule is nextTrigger's switch: the skip rule of the trigger class c.
func classRule(text string, i int, c uint16) bool {
	switch c {
	case tDigit:
		return skipDigit(text, i)
	case tColon:
		return skipColon(text, i)
	case tLetter:
		return skipLetter(text, i)
	case tPlus:
		return skipPlus(text, i)
	case tDash:
		return skipDash(text, i)
	case tMarkdown:
		return skipMarkdown(text, i)
	case tLt:
		return skipLt(text, i)
	case tFold:
		return skipFold(text, i)
	}
	return false
}

// TestInlineRulesImplyClassRules checks that every trigger nextTrigger skips
// by an inline rule (digit runs, shortNumber, letters inside words)
// is one its class's skip rule skips too, so the inline rules add speed and
// nothing else.
func TestInlineRulesImplyClassRules(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	texts := []string{benchText, llmBenchText(t, 8192, true), "v1.2 (3) 10-15 4B 2024-03-01 x9 J eyJ Bearer AKIA"}
	for range 1000 {
		texts = append(texts, randomText(rng, 3+rng.Intn(20)))
	}
	for _, sc := range jumpScanners(t) {
		for _, text := range texts {
			for i := 1; i < len(text); i++ {
				c := sc.cls[text[i]]
				if c == 0 || nextTrigger(text, i, i+1, sc.quiet, sc.cls) == i {
					continue // not a trigger, or not skipped
				}
				if !classRule(text, i, c) {
					t.Fatalf("nextTrigger skips %q at %d in %q, its class rule does not", text[i], i, text)
				}
			}
		}
	}
}

// TestBearerAnyCase: HTTP auth scheme names are case-insensitive.
func TestBearerAnyCase(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	for _, text := range []string{"Authorization: bearer abcDEF123456ghiJKL789", "BEARER abcDEF123456ghiJKL789",
		"auth bEaReR abcDEF123456ghiJKL789"} {
		if got := found(r, text); len(got) != 1 || got[0] != "API_KEY=abcDEF123456ghiJKL789" {
			t.Errorf("Find(%q) = %q", text, got)
		}
	}
	for _, text := range []string{"Bearers abcDEF123456ghiJKL789", "xbearer abcDEF123456ghiJKL789", "bearer aaaaaaaaaaaaaaaaaaaa"} {
		if got := found(r, text); len(got) != 0 {
			t.Errorf("Find(%q) = %q, want nothing", text, got)
		}
	}
}
