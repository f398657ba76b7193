package evalset

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Perturbation rewrites an attack to evade naive matching.
type Perturbation struct {
	Name  string
	Apply func(text string, seed uint64) string
}

// Perturbations are the evasions used for the retention table. They are
// deterministic for a given seed.
var Perturbations = []Perturbation{
	{"zero-width", ZeroWidth},
	{"homoglyph", Homoglyph},
	{"leet", Leet},
	{"base64", Base64},
}

// invisibles are inserted by ZeroWidth.
var invisibles = []rune{'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'}

// ZeroWidth inserts an invisible character after about half of the letters.
func ZeroWidth(text string, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for _, r := range text {
		b.WriteRune(r)
		if unicode.IsLetter(r) && rng.IntN(2) == 0 {
			b.WriteRune(invisibles[rng.IntN(len(invisibles))])
		}
	}
	return b.String()
}

// homoglyphs maps Latin letters to Cyrillic/Greek look-alikes (Unicode
// confusables).
var homoglyphs = map[rune][]rune{
	'a': {'а', 'α'}, 'c': {'с', 'ϲ'}, 'e': {'е'}, 'i': {'і', 'ι'}, 'j': {'ј'}, 'o': {'о', 'ο'},
	'p': {'р', 'ρ'}, 's': {'ѕ'}, 'x': {'х', 'χ'}, 'y': {'у'}, 'h': {'һ'}, 'd': {'ԁ'},
	'A': {'А', 'Α'}, 'B': {'В', 'Β'}, 'C': {'С'}, 'E': {'Е', 'Ε'}, 'H': {'Н', 'Η'}, 'I': {'І', 'Ι'},
	'K': {'К', 'Κ'}, 'M': {'М', 'Μ'}, 'O': {'О', 'Ο'}, 'P': {'Р', 'Ρ'}, 'T': {'Т', 'Τ'}, 'X': {'Х', 'Χ'},
	'Y': {'У', 'Υ'}, 'N': {'Ν'}, 'Z': {'Ζ'},
}

// Homoglyph replaces about half of the replaceable letters by look-alikes.
func Homoglyph(text string, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	var b strings.Builder
	for _, r := range text {
		if alts, ok := homoglyphs[r]; ok && rng.IntN(2) == 0 {
			r = alts[rng.IntN(len(alts))]
		}
		b.WriteRune(r)
	}
	return b.String()
}

var leet = map[rune]rune{'a': '4', 'e': '3', 'i': '1', 'o': '0', 's': '5', 't': '7', 'A': '4', 'E': '3',
	'I': '1', 'O': '0', 'S': '5', 'T': '7', 'g': '9', 'b': '8'}

// Leet replaces about half of the a/e/i/o/s/t/g/b letters by digits.
func Leet(text string, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 3))
	var b strings.Builder
	for _, r := range text {
		if d, ok := leet[r]; ok && rng.IntN(2) == 0 {
			r = d
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Base64 encodes the whole text (standard alphabet, padded).
func Base64(text string, _ uint64) string {
	return base64.StdEncoding.EncodeToString([]byte(text))
}
