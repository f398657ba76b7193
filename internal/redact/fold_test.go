package redact

import (
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestFoldedEvasions: the evasions the request side folds are caught in
// responses too, and the redaction covers the original bytes (no stray
// zero-width or fullwidth remnant of the entity is left in the output).
func TestFoldedEvasions(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	const zw, nbsp = "\u200b", "\u00a0"
	cases := []struct {
		name, text, want string
	}{
		// cards
		{"card dots", "card 4111.1111.1111.1111 ok", "card [CREDIT_CARD] ok"},
		{"card nbsp", "card 4111" + nbsp + "1111" + nbsp + "1111" + nbsp + "1111 ok", "card [CREDIT_CARD] ok"},
		{"card narrow nbsp", "card 4111\u202f1111\u202f1111\u202f1111 ok", "card [CREDIT_CARD] ok"},
		{"card zero-width", "card 4111" + zw + "1111" + zw + "1111" + zw + "1111 ok", "card [CREDIT_CARD] ok"},
		{"card word joiner", "card 4111\u20601111\u20601111\u20601111.", "card [CREDIT_CARD]."},
		{"card soft hyphen", "card 4111\u00ad1111\u00ad1111\u00ad1111 ok", "card [CREDIT_CARD] ok"},
		{"card bom inside", "card 41111111\ufeff11111111 ok", "card [CREDIT_CARD] ok"},
		{"card zero-width in group", "card 4111 11" + zw + "11 1111 1111 ok", "card [CREDIT_CARD] ok"},
		{"card fullwidth", "card ４１１１ １１１１ １１１１ １１１１ ok", "card [CREDIT_CARD] ok"},
		{"card fullwidth run", "card ４１１１１１１１１１１１１１１１ ok", "card [CREDIT_CARD] ok"},
		{"card arabic-indic", "card ٤١١١ ١١١١ ١١١١ ١١١١ ok", "card [CREDIT_CARD] ok"},
		{"card persian", "card ۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱ ok", "card [CREDIT_CARD] ok"},
		{"card devanagari", "card ४१११ ११११ ११११ ११११ ok", "card [CREDIT_CARD] ok"},
		{"card mixed scripts", "card 4111 １１１１ ١١١١ 1111 ok", "card [CREDIT_CARD] ok"},
		{"card math digits", "card 𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 ok", "card [CREDIT_CARD] ok"},
		// phones, SSNs, IBANs, IPs
		{"phone nbsp", "call +1" + nbsp + "415" + nbsp + "555" + nbsp + "0132 now", "call [PHONE_NUMBER] now"},
		{"phone fullwidth", "call ＋１ ４１５ ５５５ ０１３２ now", "call [PHONE_NUMBER] now"},
		{"phone figure dash", "call 415\u2012555\u20120132 now", "call [PHONE_NUMBER] now"},
		{"ssn zero-width", "ssn 460-" + zw + "89-9847 ok", "ssn [US_SSN] ok"},
		{"ssn devanagari", "ssn ४६०-८९-९८४७ ok", "ssn [US_SSN] ok"},
		{"iban fullwidth", "pay ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００ now", "pay [IBAN_CODE] now"},
		{"iban nbsp", "pay DE89" + nbsp + "3704" + nbsp + "0044" + nbsp + "0532" + nbsp + "0130" + nbsp + "00 now", "pay [IBAN_CODE] now"},
		{"ip fullwidth dots", "host 81．2．69．7 now", "host [IP_ADDRESS] now"},
		// e-mail
		{"email fullwidth at", "mail jane.doe＠example.com now", "mail [EMAIL_ADDRESS] now"},
		{"email small at", "mail jane.doe\ufe6bexample.com now", "mail [EMAIL_ADDRESS] now"},
		{"email fullwidth dot", "mail jane.doe@example．com now", "mail [EMAIL_ADDRESS] now"},
		{"email ideographic dot", "mail jane.doe@example。com now", "mail [EMAIL_ADDRESS] now"},
		{"email zero-width local", "mail ja" + zw + "ne.d" + zw + "oe@example.com now", "mail [EMAIL_ADDRESS] now"},
		{"email zero-width domain", "mail jane@exa" + zw + "mple.co" + zw + "m now", "mail [EMAIL_ADDRESS] now"},
		{"email all fullwidth", "mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ now", "mail [EMAIL_ADDRESS] now"},
		{"email cyrillic local", "mail jаne.dоe@example.com now", "mail [EMAIL_ADDRESS] now"},
		{"email accents", "mail josé.müller@example.com now", "mail [EMAIL_ADDRESS] now"},
		{"email greek domain letter", "mail jane@εxample.com now", "mail jane@εxample.com now"}, // ε is not a look-alike we fold
		// secrets
		{"openai zero-width", "key sk-proj-" + zw + "abc123DEF456ghi789JKL012mno345 ok", "key [API_KEY] ok"},
		{"openai zero-width late", "key sk-proj-abc123DEF456ghi789JKL" + zw + "012mno345PQR ok", "key [API_KEY] ok"},
		{"openai cyrillic s", "key ѕk-proj-abc123DEF456ghi789JKL012mno345 ok", "key [API_KEY] ok"},
		{"openai fullwidth", "key ｓｋ－ｐｒｏｊ－ａｂｃ１２３ＤＥＦ４５６ｇｈｉ７８９ＪＫＬ０１２ ok", "key [API_KEY] ok"},
		{"aws zero-width", "id AKIA" + zw + "IOSFODNN7EXAMPLE ok", "id [AWS_ACCESS_KEY] ok"},
		{"aws greek kappa", "id AΚIAIOSFODNN7EXAMPLE ok", "id [AWS_ACCESS_KEY] ok"},
		{"github zero-width", "ghp_0123456789ab" + zw + "cdefghijABCDEFGHIJ012345 ok", "[GITHUB_TOKEN] ok"},
		{"jwt zero-width", "t eyJhbGciOiJIUzI1NiJ9" + zw + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok", "t [JWT] ok"},
		{"password zero-width", "password=Tr0ub" + zw + "4dor&3 end", "password=[SECRET] end"},
		{"keyword cyrillic", "tokеn: a8Fk29Dm3Lq7Zx1Vb5Nw end", "tokеn: [SECRET] end"},
		// ordinary non-ASCII text stays
		{"cjk date", "会议在2024年3月1日举行，电话会议", "会议在2024年3月1日举行，电话会议"},
		{"arabic words", "مرحبا بكم في الموقع", "مرحبا بكم في الموقع"},
		{"hindi words", "नमस्ते, आप कैसे हैं? 12 बजे", "नमस्ते, आप कैसे हैं? 12 बजे"},
		{"french nbsp", "Prix\u00a0: 12\u00a0000\u00a0€ le 3\u00a0mars", "Prix\u00a0: 12\u00a0000\u00a0€ le 3\u00a0mars"},
		{"en dash range", "pages 10–20 and 2019–2024", "pages 10–20 and 2019–2024"},
		{"emoji", "ok 👍 4 🙂 done", "ok 👍 4 🙂 done"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := r.Redact(c.text, nil)
			if got != c.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", c.text, got, c.want)
			}
			if st := streamPieces(r, c.text, everyThird(len(c.text))); st != got {
				t.Errorf("streamed %q, whole %q", st, got)
			}
		})
	}
}

func everyThird(n int) []int {
	var cuts []int
	for i := 3; i < n; i += 3 {
		cuts = append(cuts, i)
	}
	return cuts
}

// TestFoldRune checks the fold table against Unicode: every decimal digit
// folds to its value, fullwidth forms to ASCII, invisible characters away,
// and nothing folds to a byte that is not ASCII or a marker.
func TestFoldRune(t *testing.T) {
	for r := rune(0x80); r <= 0x1FFFF; r++ {
		b := foldRune(r)
		if b >= 0x80 && b != foldOther && b != foldDrop {
			t.Fatalf("foldRune(%U) = %#x", r, b)
		}
		if unicode.Is(unicode.Nd, r) {
			if !isDigit(b) {
				t.Fatalf("decimal digit %U folds to %q", r, b)
			}
		}
		if r >= 0xFF10 && r <= 0xFF19 && b != byte('0'+r-0xFF10) {
			t.Fatalf("fullwidth digit %U folds to %q", r, b)
		}
	}
	for _, r := range []rune{0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD} {
		if foldRune(r) != foldDrop {
			t.Errorf("%U is not dropped", r)
		}
	}
	for _, r := range []rune{0xA0, 0x2007, 0x202F, 0x3000} {
		if foldRune(r) != ' ' {
			t.Errorf("%U is not a space", r)
		}
	}
	for r, want := range map[rune]byte{'٣': '3', '۷': '7', '९': '9', '๕': '5', '＠': '@', '．': '.', 'А': 'A', 'а': 'a', 'ѕ': 's', 'Κ': 'K', 'é': 'e', 'Ł': 'L'} {
		if got := foldRune(r); got != want {
			t.Errorf("foldRune(%q) = %q, want %q", r, got, want)
		}
	}
}

// TestFoldOffsets checks that the folded copy maps back onto whole source
// runes and that mapBack never returns a span that splits one.
func TestFoldOffsets(t *testing.T) {
	src := "a\u200bб４\u00a0𝟏é\xffz"
	var fb foldBuf
	k := fb.fold(src, strings.Index(src, "４"), true)
	if got := fb.str(); got != "a\x804 1e\x80z" {
		t.Fatalf("fold = %q", got)
	}
	if fb.s[k] != '4' {
		t.Fatalf("trigger index %d -> %q", k, fb.s[k])
	}
	for i := range fb.s {
		from, to := int(fb.from[i]), int(fb.to[i])
		if !utf8.RuneStart(src[from]) || to < len(src) && !utf8.RuneStart(src[to]) {
			t.Fatalf("folded byte %d maps to %d..%d, not rune bounds", i, from, to)
		}
	}
	// a rune cut at the end of the bytes at hand is left out unless the text is final
	if k := fb.fold("ab\xef\xbc", 2, false); k != -1 || fb.str() != "ab" {
		t.Fatalf("cut rune: k=%d fold=%q", k, fb.str())
	}
}

// spacedText is randomText with the pieces always separated by punctuation
// or a newline (two number pieces joined by a space read as one longer
// number, which the phone heuristics then cut differently when a piece is
// folded) and without accented letters: an accented letter ends a word
// for the source-byte detectors but continues it once folded, so an entity
// next to one may be judged differently (documented in docs/redaction.md).
func spacedText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		p := propertyPieces[rng.Intn(len(propertyPieces))]
		if rng.Intn(25) == 0 {
			p = propertyPrompt[:60+rng.Intn(len(propertyPrompt)-60)]
		}
		if strings.ContainsAny(p, "üéÜ") {
			continue // accented letters fold to letters (see the comment above)
		}
		b.WriteString(p)
		b.WriteString([]string{" ; ", "\n", " . "}[rng.Intn(3)])
	}
	return b.String()
}

// variantOf builds a variant of text: each byte is replaced by sub(byte)
// (the byte itself when sub returns "") and ins(i) is inserted after byte i.
// It returns the variant and where each source byte went.
func variantOf(text string, sub func(byte) string, ins func(int) string) (string, []int) {
	var b strings.Builder
	at := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		at[i] = b.Len()
		if s := sub(text[i]); s != "" {
			b.WriteString(s)
		} else {
			b.WriteByte(text[i])
		}
		b.WriteString(ins(i))
	}
	return b.String(), at
}

// checkCovered asserts that every letter and digit of every entity found
// in text is, in variant, inside an entity found there too: the variant
// hides nothing (a separator between two entities may be released).
func checkCovered(t *testing.T, r *Redactor, text, variant string, at []int) {
	t.Helper()
	vs := r.Find(variant)
	covered := func(p int) bool {
		for _, e := range vs {
			if p >= e.Start && p < e.End {
				return true
			}
		}
		return false
	}
	for _, e := range r.Find(text) {
		for i := e.Start; i < e.End; i++ {
			if isAlnum(text[i]) && !covered(at[i]) {
				t.Fatalf("%s %q in %q is not covered in the variant %q (found %v)", e.Type, text[e.Start:e.End], text, variant, found(r, variant))
			}
		}
	}
}

// TestDigitScriptInvariance: writing every digit of a text in another
// script (fullwidth, Arabic-Indic, Devanagari, mathematical) releases
// nothing that the ASCII text's redaction covers.
func TestDigitScriptInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(21 + invarianceSeed()))
	r := mustNew(t, DefaultConfig())
	for iter := 0; iter < 400; iter++ {
		text := spacedText(rng, 4+rng.Intn(12))
		for _, zero := range []rune{0xFF10, 0x660, 0x966, 0x1D7CE} {
			variant, at := variantOf(text, func(c byte) string {
				if isDigit(c) {
					return string(zero + rune(c-'0'))
				}
				return ""
			}, func(int) string { return "" })
			checkCovered(t, r, text, variant, at)
		}
	}
}

// TestZeroWidthInvariance: zero-width characters and soft hyphens between
// two letters or digits hide nothing.
func TestZeroWidthInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(22 + invarianceSeed()))
	r := mustNew(t, DefaultConfig())
	invisible := []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
	for iter := 0; iter < 400; iter++ {
		text := spacedText(rng, 4+rng.Intn(12))
		variant, at := variantOf(text, func(byte) string { return "" }, func(i int) string {
			if i+1 < len(text) && isAlnum(text[i]) && isAlnum(text[i+1]) && rng.Intn(3) == 0 {
				return invisible[rng.Intn(len(invisible))]
			}
			return ""
		})
		checkCovered(t, r, text, variant, at)
	}
}

// TestSpaceInvariance: a no-break or other Unicode space instead of an
// ASCII space inside a number or between words hides nothing.
func TestSpaceInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(23 + invarianceSeed()))
	r := mustNew(t, DefaultConfig())
	spaces := []string{"\u00a0", "\u202f", "\u2007", "\u2009"}
	for iter := 0; iter < 400; iter++ {
		text := spacedText(rng, 4+rng.Intn(12))
		sep := func(i int) bool {
			return i >= 0 && i < len(text) && (text[i] == ';' || text[i] == '.' || text[i] == '\n')
		}
		i := -1
		variant, at := variantOf(text, func(c byte) string {
			i++
			// spaces inside pieces only: a wider separator between pieces
			// would push a keyword out of a context window measured in
			// source bytes, which padding of any kind does as well
			if c == ' ' && !sep(i-1) && !sep(i+1) && rng.Intn(2) == 0 {
				return spaces[rng.Intn(len(spaces))]
			}
			return ""
		}, func(int) string { return "" })
		checkCovered(t, r, text, variant, at)
	}
}

// invarianceSeed varies the invariance tests' random texts
// (REDACT_SEED=n); 0 by default so runs repeat.
func invarianceSeed() int64 {
	n, _ := strconv.ParseInt(os.Getenv("REDACT_SEED"), 10, 64)
	return n
}
