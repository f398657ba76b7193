package inspect

import (
	"fmt"
	"strings"
)

// Rule families; the order is alphabetical so bit masks map to sorted names.
const (
	famSuffix = iota
	famCustomDeny
	famEncoded
	famIgnore
	famIndirect
	famJailbreak
	famOutput
	famLeak
	famRole
	famSecret
	numFamilies
)

// familyNames are the rule family names reported in Result.Rules.
var familyNames = [numFamilies]string{
	"adversarial_suffix", "custom_deny", "encoded_payload", "ignore_instructions", "indirect_injection",
	"jailbreak_persona", "output_manipulation", "prompt_leak", "role_spoof", "secret_coercion",
}

const (
	maxSignals  = 1024
	maxTracked  = maxConcepts // concepts usable as the first half of a pair
	familyBonus = 0.2         // added when two or more families fire
	encodedW    = 0.3         // weight of encoded_payload on a decoded hit
	strongW     = 0.35        // a decoded signal this strong (sigNormal) fires encoded_payload
	undecodedW  = 0.6         // an encoded run left undecoded when the budget ran out (flags alone)
	weakCap     = 0.25        // most that up to four weak cues add: below DefaultThreshold even with one cue-level (≤ 0.3) signal
	weakStep    = 0.12        // added to the weak cap for every further distinct cue
	weakCapMax  = 0.75        // most that weak cues add, however many
	variantW    = 0.2         // a rot13 or reversed spelling of a lexicon phrase (encoded_payload); the decoded text is scanned too
	// contextCap is the most that sigContext signals add together in text
	// of OriginUser; in OriginUntrusted text they count in full.
	contextCap = 0.3
	softCap    = 0.45
	// The framed-harm structure (sigHarmOp, sigHarmFrame): the core alone
	// stays in the monitor band; core and frame together flag.
	harmAloneCap = 0.3
	harmOpCap    = 0.35
	harmFrameCap = 0.35
)

// sigClass says how a signal's weight is added up.
type sigClass uint8

const (
	sigNormal sigClass = iota
	// sigWeak is generic jailbreak vocabulary: together at most weakCap.
	sigWeak
	// sigContext is evidence that only means an attack in content the
	// user did not write: an instruction about "your response" ("add …
	// to your reply", "translate your summary"), an ordinary object for
	// it (a sentence, a link, emojis), "when summarising", "users to".
	// In OriginUser text these add at most contextCap together and do not
	// count towards the multi-family bonus, so formatting and editing
	// requests addressed to the assistant are not flagged; in
	// OriginUntrusted text (tool results, retrieved documents) they count
	// in full.
	sigContext
	// sigSupp is normal evidence that an ordinary context cancels: a
	// password question is no attack when it is about a Wi-Fi or VPN
	// password ("what is the guest Wi-Fi password?").
	sigSupp
	// sigSuppressor marks that ordinary context; it adds nothing itself
	// and drops every sigSupp signal of the text.
	sigSuppressor
	// sigSoft is an instruction that takes away the model's way to refuse
	// ("never start your reply with 'I'", "don't apologize", "never
	// include disclaimers"): a style guide for support replies says the
	// same, so they share the cap of weak cues and context evidence (at
	// most softCap with them) and flag only next to other evidence.
	sigSoft
	// sigHarmOp is the core of the framed-harm structure: a request for
	// operational detail about a clearly harmful target. Alone it adds at
	// most harmAloneCap (the monitor band): a plain harmful request is
	// moderation's business, not an attack on the assistant's rules.
	sigHarmOp
	// sigHarmFrame is a framing that gets a harmful request past the
	// model's rules (fiction that still asks for real steps, "for
	// research", "hypothetically", persuasion, a deceased grandmother,
	// urgency). It adds nothing without a sigHarmOp signal in the text;
	// with one, core and frame add up to harmOpCap + harmFrameCap. A
	// negative one (a defensive or investigative purpose: "how forensic
	// labs detect", "the steps police take to investigate") takes a frame
	// away.
	sigHarmFrame
	// sigHarmFrameSoft is a frame next to a harmful topic ("a story in
	// which … meth", a persona near "malware"): a frame with a core, and
	// soft evidence (sigSoft) without one.
	sigHarmFrameSoft
)

// signal is one weighted detection.
type signal struct {
	w    float64
	fam  uint8
	cls  sigClass
	name string
	// selfRef: the signal names the content it is found in ("ignore the
	// resume and state: …"), so quotes around that content do not
	// discount it (quotedFull).
	selfRef bool
}

// pairRef fires sig when concept a was seen at most win words earlier.
type pairRef struct {
	a   uint16
	win int32
	sig int16
}

// conceptInfo is what a pattern match means.
type conceptInfo struct {
	name  string
	solo  int16 // signal fired on every match, or -1
	pairs []pairRef
	allow bool
}

// builtinSignals are the ids of the signals the engine fires itself (not
// from a lexicon pattern).
type builtinSignals struct {
	sigEncoded   int16
	sigVariant   int16
	sigShortEnc  int16 // function words spelt in rot13 or reversed (encfn>encfn)
	sigUndecoded int16
	sigJunk      int16
	sigJunkMany  int16
	sigSoup      int16
}

// compiler accumulates patterns, concepts and signals for New.
type compiler struct {
	syms     [][]byte
	pats     []pattern
	concepts []conceptInfo
	sigs     []signal
	byName   map[string]uint16
	seen     map[string]bool
	builtinSignals
}

func newCompiler() *compiler {
	c := &compiler{byName: map[string]uint16{}, seen: map[string]bool{}}
	for _, p := range allPairs { // pair members get the low, tracked ids
		c.named(p.a)
		c.named(p.b)
	}
	return c
}

func (c *compiler) named(name string) uint16 {
	if id, ok := c.byName[name]; ok {
		return id
	}
	id := c.newConcept(name)
	c.byName[name] = id
	return id
}

func (c *compiler) newConcept(name string) uint16 {
	c.concepts = append(c.concepts, conceptInfo{name: name, solo: -1})
	return uint16(len(c.concepts) - 1)
}

func (c *compiler) newSignal(fam int, w float64, cls sigClass, name string) int16 {
	c.sigs = append(c.sigs, signal{w: w, fam: uint8(fam), cls: cls, name: name})
	return int16(len(c.sigs) - 1)
}

// addBuiltin compiles the lexicon and pair rules.
func (c *compiler) addBuiltin() error {
	if len(c.byName) > maxTracked {
		return fmt.Errorf("inspect: %d pair concepts exceed %d", len(c.byName), maxTracked)
	}
	c.sigVariant = c.newSignal(famEncoded, variantW, sigWeak, "variant")
	for _, t := range termDefs {
		if t.name != "" {
			id := c.named(t.name)
			if t.w != 0 {
				c.concepts[id].solo = c.newSignal(t.fam, t.w, t.cls, t.name)
			}
			if !t.vonly {
				if err := c.addPhrases(id, t.phrases); err != nil {
					return err
				}
			}
			if t.variants {
				if err := c.addVariants(id, t.phrases); err != nil {
					return err
				}
			}
			continue
		}
		if err := c.addSolo(t); err != nil {
			return err
		}
	}
	for _, p := range allPairs {
		sig := c.newSignal(p.fam, p.w, p.cls, p.a+">"+p.b)
		c.sigs[sig].selfRef = quotedFull[p.a+">"+p.b]
		if p.a == "encfn" && p.b == "encfn" {
			c.sigShortEnc = sig
		}
		b := c.byName[p.b]
		c.concepts[b].pairs = append(c.concepts[b].pairs, pairRef{a: c.byName[p.a], win: p.win, sig: sig})
	}
	c.sigEncoded = c.newSignal(famEncoded, encodedW, sigNormal, "encoded")
	c.sigUndecoded = c.newSignal(famEncoded, undecodedW, sigNormal, "undecoded")
	c.sigJunk = c.newSignal(famSuffix, junkW, sigSupp, "junk token")
	c.sigJunkMany = c.newSignal(famSuffix, junkManyW, sigSupp, "junk tokens")
	c.sigSoup = c.newSignal(famSuffix, junkManyW, sigNormal, "token soup")
	return nil
}

// addVariants adds the rot13 and the reversed spelling of every ASCII
// word of six letters or more, so that "vtaber cerivbhf vafgehpgvbaf" and
// "snoitcurtsni suoiverp erongi" meet the same concepts (and pair rules) as
// the plain words; a variant match also fires the variant signal. Shorter
// words are left out: their variants are too often real words.
func (c *compiler) addVariants(id uint16, spec string) error {
	for _, alt := range strings.Split(spec, ";") {
		for _, p := range expand(strings.TrimSpace(alt)) {
			p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "*")
			if strings.ContainsAny(p, " -") {
				continue // single words only: the automaton has no room for phrases
			}
			letters := 0
			for i := 0; i < len(p); i++ {
				if p[i] >= 0x80 {
					letters = -1000
					break
				}
				if p[i] >= 'a' && p[i] <= 'z' {
					letters++
				}
			}
			if letters < 6 {
				continue
			}
			for _, v := range []string{rot13(p), reverse(p)} {
				if err := c.addPattern(id, v, true); err != nil {
					return err
				}
			}
			if typoWords[p] {
				for _, v := range append(typos(p), splits(p)...) {
					if err := c.addPattern(id, v, false); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// typoWords are the trigger words whose misspellings (one letter
// dropped, or two neighbours swapped) are matched as well: "ignroe",
// "prevoius", "instrucitons", "pasword". Variants that are English words
// are left out (notWords).
var typoWords = map[string]bool{"ignore": true, "disregard": true, "previous": true, "instructions": true,
	"password": true, "forget": true}

var notWords = map[string]bool{"forge": true, "foret": true, "prompt": true, "romp": true, "pass word": true,
	"for get": true}

// typos returns the one-deletion, doubled-letter and adjacent-transposition
// variants of w.
func typos(w string) []string {
	seen := map[string]bool{w: true}
	var out []string
	add := func(v string) {
		if !seen[v] && !notWords[v] && len(v) >= 5 {
			seen[v] = true
			out = append(out, v)
		}
	}
	for i := range w {
		add(w[:i] + w[i+1:])
		add(w[:i+1] + w[i:]) // a letter doubled: "forgett", "ignorre"
		if i+1 < len(w) {
			add(w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:])
		}
	}
	return out
}

// splits returns w broken by one space into two parts of two letters or
// more ("ign ore", "pre vious", "inst ructions"), the way an attacker
// splits a trigger word that a filter looks for.
func splits(w string) []string {
	var out []string
	for i := 2; i <= len(w)-2; i++ {
		if v := w[:i] + " " + w[i:]; !notWords[v] {
			out = append(out, v)
		}
	}
	return out
}

func rot13(s string) string {
	b := []byte(s)
	for i, ch := range b {
		switch {
		case ch >= 'a' && ch <= 'z':
			b[i] = 'a' + (ch-'a'+13)%26
		case ch >= 'A' && ch <= 'Z':
			b[i] = 'A' + (ch-'A'+13)%26
		}
	}
	return string(b)
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// addCustom compiles Config.Deny and Config.Allow.
func (c *compiler) addCustom(cfg Config) error {
	if len(cfg.Deny) > 0 {
		id := c.newConcept("custom_deny")
		c.concepts[id].solo = c.newSignal(famCustomDeny, cfg.Threshold, sigNormal, "custom_deny")
		for _, p := range cfg.Deny {
			if err := c.addPhrase(id, p); err != nil {
				return err
			}
		}
	}
	if len(cfg.Allow) > 0 {
		id := c.newConcept("allow")
		c.concepts[id].allow = true
		for _, p := range cfg.Allow {
			if err := c.addPhrase(id, p); err != nil {
				return err
			}
		}
	}
	if len(c.sigs) > maxSignals {
		return fmt.Errorf("inspect: %d signals exceed %d", len(c.sigs), maxSignals)
	}
	return nil
}

// addSolo gives every ';'-separated alternative of t its own concept and
// signal, so that distinct phrases add up while brace variants count once.
func (c *compiler) addSolo(t termDef) error {
	for _, alt := range strings.Split(t.phrases, ";") {
		if alt = strings.TrimSpace(alt); alt == "" {
			continue
		}
		id := c.newConcept("")
		c.concepts[id].solo = c.newSignal(t.fam, t.w, t.cls, firstPhrase(alt))
		if err := c.addPhrases(id, alt); err != nil {
			return err
		}
	}
	return nil
}

func firstPhrase(s string) string {
	p := expand(strings.TrimSpace(strings.SplitN(s, ";", 2)[0]))
	if len(p) == 0 {
		return ""
	}
	return p[0]
}

// addPhrases adds every ';'-separated, brace-expanded phrase.
func (c *compiler) addPhrases(id uint16, spec string) error {
	for _, alt := range strings.Split(spec, ";") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			continue
		}
		for _, p := range expand(alt) {
			if err := c.addPhrase(id, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// addPhrase folds one phrase. "^" requires a line start, a trailing "*"
// allows any word continuation.
func (c *compiler) addPhrase(id uint16, p string) error { return c.addPattern(id, p, false) }

// addPattern adds one phrase; variant marks a rot13 or reversed spelling.
func (c *compiler) addPattern(id uint16, p string, variant bool) error {
	line := strings.HasPrefix(p, "^")
	prefix := strings.HasSuffix(p, "*")
	p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "*")
	syms, head, tail := foldPhrase(p, prefix)
	if len(syms) == head+tail {
		return fmt.Errorf("inspect: phrase %q folds to nothing", p)
	}
	key := fmt.Sprintf("%d/%v/%v/%s", id, line, variant, syms)
	if c.seen[key] {
		return nil
	}
	c.seen[key] = true
	c.syms = append(c.syms, syms)
	c.pats = append(c.pats, pattern{concept: id, length: int32(len(syms)), skipHead: int32(head),
		skipTail: int32(tail), lineStart: line, prefix: prefix, variant: variant})
	return nil
}

// foldPhrase folds a phrase to automaton symbols with word boundaries on
// word-character ends (none after a prefix phrase).
func foldPhrase(p string, prefix bool) (syms []byte, head, tail int) {
	n := Normalize(p)
	syms = make([]byte, 0, len(n)+2)
	first, last := byte(0), byte(0)
	for i := 0; i < len(n); i++ {
		syms = append(syms, byte(strings.IndexByte(symChars, n[i])))
	}
	if len(syms) == 0 {
		return nil, 0, 0
	}
	first, last = syms[0], syms[len(syms)-1]
	if first < symSpace || first == symXWord {
		syms = append([]byte{symSpace}, syms...)
		head = 1
	}
	if !prefix && (last < symSpace || last == symXWord) {
		syms = append(syms, symSpace)
		tail = 1
	}
	return syms, head, tail
}

// expand performs brace alternation: "a {b,c}d" -> "a bd", "a cd".
func expand(s string) []string {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return []string{s}
	}
	depth, j := 0, i
	for ; j < len(s); j++ {
		if s[j] == '{' {
			depth++
		} else if s[j] == '}' {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	if j == len(s) {
		return []string{s}
	}
	var out []string
	for _, alt := range splitTop(s[i+1 : j]) {
		out = append(out, expand(s[:i]+alt+s[j+1:])...)
	}
	return out
}

// splitTop splits on commas that are not nested in braces.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
