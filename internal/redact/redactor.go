package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// Entity is one detected span, in byte offsets of the scanned text.
type Entity struct {
	Type       string
	Start, End int
}

// Report summarises what a redaction did. It never contains matched text.
type Report struct {
	// Counts is the number of replaced entities by type (nil when none).
	Counts map[string]int
	// Leak is set when a canary or a long verbatim copy of the system prompt
	// was found: the plugin may refuse the response instead of passing the
	// redacted version.
	Leak bool
	// Unsafe is set when unsafe HTML, script URLs or exfiltrating links were neutralised.
	Unsafe bool
}

// Total returns the number of replaced entities.
func (rep Report) Total() int {
	n := 0
	for _, c := range rep.Counts {
		n += c
	}
	return n
}

// Merge adds o into rep.
func (rep *Report) Merge(o Report) {
	for t, c := range o.Counts {
		rep.addN(t, c)
	}
	rep.Leak = rep.Leak || o.Leak
	rep.Unsafe = rep.Unsafe || o.Unsafe
}

func (rep *Report) addN(t string, n int) {
	if rep.Counts == nil {
		rep.Counts = map[string]int{}
	}
	rep.Counts[t] += n
}

func (rep *Report) add(r *Redactor, k kind) {
	rep.addN(r.names[k], 1)
	switch k {
	case kCanary, kLeak:
		rep.Leak = true
	case kHTML, kURL, kMarkdown:
		rep.Unsafe = true
	}
}

// Redactor finds and replaces entities. It is immutable after New and safe
// for concurrent use; Streams made from it are not.
type Redactor struct {
	on, onReq    [numBuiltin]bool
	cls, clsReq  [256]uint16
	quiet        [2][256]uint8 // per table above: 1 for bytes that may trigger a detector
	names        []string
	tags         []string // "[" + name + "]" per kind
	custom       []*regexp.Regexp
	exact        []exactString // canaries and ExactSecrets
	allowedHosts []string
	style        Style
	xss          XSSMode
	hashKey      []byte
	entropy      float64
	minOverlap   int
	window       int
	leaks        *leakCache // indexes of recent system prompts
}

// New validates cfg and builds a Redactor.
func New(cfg Config) (*Redactor, error) {
	d := DefaultConfig()
	r := &Redactor{style: cfg.Style, xss: cfg.XSS, entropy: cfg.SecretEntropy, minOverlap: cfg.MinPromptOverlap,
		window: cfg.Window, hashKey: []byte(cfg.HashKey), allowedHosts: cfg.AllowedLinkHosts, leaks: &leakCache{}}
	if r.style == "" {
		r.style = d.Style
	}
	if r.xss == "" {
		r.xss = d.XSS
	}
	if r.entropy == 0 {
		r.entropy = d.SecretEntropy
	}
	if r.minOverlap == 0 {
		r.minOverlap = d.MinPromptOverlap
	}
	if r.window == 0 {
		r.window = d.Window
	}
	if err := r.check(cfg); err != nil {
		return nil, err
	}
	r.names = append(r.names, builtinNames[:]...)
	for i, cp := range cfg.Custom {
		re, err := regexp.Compile(cp.Pattern)
		if err != nil {
			return nil, fmt.Errorf("redact: custom pattern %d (%q): %v", i, cp.Name, err)
		}
		r.custom = append(r.custom, re)
		r.names = append(r.names, cp.Name)
	}
	var canaries, secrets []string
	for _, c := range cfg.Canaries {
		if c != "" {
			canaries = append(canaries, c)
		}
	}
	for _, c := range cfg.ExactSecrets {
		secrets = append(secrets, string(c))
	}
	for _, n := range r.names {
		r.tags = append(r.tags, "["+n+"]")
	}
	r.enable(cfg.Disabled, len(canaries) > 0, len(secrets) > 0)
	r.buildClasses(canaries, secrets)
	return r, nil
}

// check validates the scalar settings.
func (r *Redactor) check(cfg Config) error {
	switch r.style {
	case StyleTag, StyleMask, StyleHash:
	default:
		return fmt.Errorf("redact: Config.Style %q: want tag, mask or hash", r.style)
	}
	switch r.xss {
	case XSSStrip, XSSEscape, XSSOff:
	default:
		return fmt.Errorf("redact: Config.XSS %q: want strip, escape or off", r.xss)
	}
	if r.window < 256 || r.window > 1<<20 {
		return fmt.Errorf("redact: Config.Window %d: want 256..1048576 bytes", r.window)
	}
	if r.minOverlap > 0 && r.minOverlap < 16 {
		return fmt.Errorf("redact: Config.MinPromptOverlap %d: want >= 16 (or negative to disable)", r.minOverlap)
	}
	for i, cp := range cfg.Custom {
		if cp.Name == "" || strings.ContainsAny(cp.Name, "[]: ") {
			return fmt.Errorf("redact: custom pattern %d: name %q must be non-empty without spaces, ':' or brackets", i, cp.Name)
		}
	}
	for i, s := range cfg.ExactSecrets {
		if len(s) < 8 {
			return fmt.Errorf("redact: Config.ExactSecrets[%d]: %d bytes, want at least 8", i, len(s))
		}
		if j := strings.IndexAny(string(s[:min(len(s), maxBack)]), " \t\n\r\f\v"); j >= 0 {
			return fmt.Errorf("redact: Config.ExactSecrets[%d]: whitespace at byte %d, want none in the first %d bytes", i, j, maxBack)
		}
	}
	return nil
}

// enable computes the per-kind switches for responses and requests.
func (r *Redactor) enable(disabled []string, canaries, secrets bool) {
	for k := range r.on {
		r.on[k] = true
	}
	for _, t := range disabled {
		for k, n := range builtinNames {
			if strings.EqualFold(t, n) {
				r.on[k] = false
			}
		}
	}
	if r.xss == XSSOff {
		r.on[kHTML], r.on[kURL] = false, false
	}
	r.on[kCanary] = r.on[kCanary] && canaries
	r.on[kKnownSecret] = r.on[kKnownSecret] && secrets
	r.onReq = r.on
	for k := kHTML; k < numBuiltin; k++ {
		r.onReq[k] = false
	}
}

// buildClasses fills the trigger tables from the enabled kinds and places
// the exact strings' anchors.
func (r *Redactor) buildClasses(canaries, secrets []string) {
	r.cls = classesFor(&r.on)
	r.clsReq = classesFor(&r.onReq)
	r.exact = r.exact[:0]
	for _, c := range canaries {
		r.exact = append(r.exact, newExact(c, kCanary, &r.cls))
	}
	for _, c := range secrets {
		r.exact = append(r.exact, newExact(c, kKnownSecret, &r.cls))
	}
	for _, e := range r.exact {
		if r.on[e.kind] {
			r.cls[e.s[e.off]] |= tCanary
		}
		if r.onReq[e.kind] {
			r.clsReq[e.s[e.off]] |= tCanary
		}
	}
	for i, t := range []*[256]uint16{&r.cls, &r.clsReq} {
		for c, b := range t {
			if b != 0 {
				r.quiet[i][c] = 1
			}
		}
	}
}

func classesFor(on *[numBuiltin]bool) (t [256]uint16) {
	set := func(chars string, bit uint16) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] |= bit
		}
	}
	set("0123456789", tDigit) // IP, SSN, card, phone, IBAN check digits
	if on[kEmail] {
		set("@", tAt)
	}
	if on[kPhone] {
		set("+(", tPlus)
	}
	set(":=", tColon) // key=value secrets, ::IPv6, script schemes
	if on[kHTML] {
		set("<", tLt)
	}
	if on[kMarkdown] {
		set("[!", tMarkdown)
	}
	set("ABbJ", tLetter) // AKIA/ASIA, Bearer (any case), eyJ (JWT)
	set("-_", tDash)     // sk-, glpat-, xoxb-, ghp_, github_pat_, sk_live_, PEM
	// lead bytes of fullwidth forms, Arabic-Indic, Indic-script and
	// mathematical digits and letters (see fold.go)
	set("\xD9\xDB\xE0\xEF\xF0", tFold)
	return t
}

// Find returns the entities in text (no system-prompt leak detection: that
// needs a RequestContext), sorted and non-overlapping.
func (r *Redactor) Find(text string) []Entity {
	sc := r.newScanner(nil, false)
	ms, _ := sc.run(text, 0, true, nil)
	out := make([]Entity, len(ms))
	for i, m := range ms {
		out[i] = Entity{Type: r.names[m.kind], Start: m.start, End: m.end}
	}
	return out
}

// Redact replaces every entity in text. rc may be nil; when it carries the
// request's system prompt, long verbatim copies of it are redacted too.
func (r *Redactor) Redact(text string, rc *RequestContext) (string, Report) {
	sc := r.newOneShot(rc)
	var buf [16]match
	ms, _ := sc.run(text, 0, true, buf[:0])
	return r.apply(text, ms)
}

// AppendRedact appends the redaction of text to dst and returns the
// extended buffer; counts are added to *rep (rep may be nil). It is Redact
// for callers that reuse their buffers: in wasm, allocating the output
// string and the Report map cost more than scanning a few KiB, so reusing
// dst and one Report across calls removes the fixed cost of a text with
// entities. dst must not overlap text.
func (r *Redactor) AppendRedact(dst []byte, text string, rc *RequestContext, rep *Report) []byte {
	sc := r.newOneShot(rc)
	var buf [16]match
	ms, _ := sc.run(text, 0, true, buf[:0])
	if len(ms) == 0 {
		return append(dst, text...)
	}
	last := 0
	for _, m := range ms {
		dst = append(dst, text[last:m.start]...)
		dst = append(dst, r.replacement(m.kind, text[m.start:m.end])...)
		if rep != nil {
			rep.add(r, m.kind)
		}
		last = m.end
	}
	return append(dst, text[last:]...)
}

// redactRequest masks PII and secrets only (no output-safety rules).
func (r *Redactor) redactRequest(text string) (string, Report) {
	sc := r.newScanner(nil, true)
	var buf [16]match
	ms, _ := sc.run(text, 0, true, buf[:0])
	return r.apply(text, ms)
}

// apply builds the output for matches in absolute offsets of text.
func (r *Redactor) apply(text string, ms []match) (string, Report) {
	var rep Report
	if len(ms) == 0 {
		return text, rep
	}
	// strings.Builder, not make([]byte): Grow does not zero the buffer, and
	// zeroing 16 KiB costs more than the whole scan in wazero.
	var b strings.Builder
	b.Grow(len(text) + 16*len(ms))
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m.start])
		b.WriteString(r.replacement(m.kind, text[m.start:m.end]))
		rep.add(r, m.kind)
		last = m.end
	}
	b.WriteString(text[last:])
	return b.String(), rep
}

// replacement returns what replaces s, an entity of kind k.
func (r *Redactor) replacement(k kind, s string) string {
	switch k {
	case kHTML:
		if r.xss == XSSEscape {
			return escapeHTML(s)
		}
		return ""
	case kMarkdown:
		if strings.HasPrefix(s, "!") {
			return "[blocked image]"
		}
		return "[blocked link]"
	case kURL, kCanary, kLeak:
		return r.tags[k]
	}
	switch {
	case r.style == StyleHash:
		mac := hmac.New(sha256.New, r.hashKey)
		mac.Write([]byte(r.names[k]))
		mac.Write([]byte{0})
		mac.Write([]byte(foldString(s))) // the same digest for a folded variant
		return "[" + r.names[k] + ":" + hex.EncodeToString(mac.Sum(nil)[:3]) + "]"
	case r.style == StyleMask && k != kPEM:
		return mask(s)
	}
	return r.tags[k]
}

// mask replaces every letter and digit except the last four with '*'.
// Non-ASCII characters that fold to a letter or digit (fullwidth, other
// scripts) count as letters and digits; invisible characters are dropped.
func mask(s string) string {
	keep := 0
	b := []byte(s)
	ascii := true
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] >= 0x80 {
			ascii = false
			break
		}
		if isAlnum(b[i]) {
			if keep < 4 {
				keep++
				continue
			}
			b[i] = '*'
		}
	}
	if ascii {
		return string(b)
	}
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	keep = 0
	for i := len(rs) - 1; i >= 0; i-- {
		f := foldRune(rs[i])
		switch {
		case f == foldDrop:
			continue
		case isAlnum(f) && keep < 4:
			keep++
		case isAlnum(f):
			rs[i] = '*'
		}
		out = append(out, rs[i])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
