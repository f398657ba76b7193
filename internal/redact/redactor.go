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
// for concurrent use; Streams and SSETransformers made from it are not.
type Redactor struct {
	on, onReq    [numBuiltin]bool
	cls, clsReq  [256]uint16
	clsLeak      [256]uint16
	quiet        [3][256]uint8 // per table above: 1 for bytes that may trigger a detector
	names        []string
	tags         []string // "[" + name + "]" per kind
	custom       []*regexp.Regexp
	canaries     []string
	allowedHosts []string
	style        Style
	xss          XSSMode
	hashKey      []byte
	entropy      float64
	minOverlap   int
	window       int
}

// New validates cfg and builds a Redactor.
func New(cfg Config) (*Redactor, error) {
	d := DefaultConfig()
	r := &Redactor{style: cfg.Style, xss: cfg.XSS, entropy: cfg.SecretEntropy, minOverlap: cfg.MinPromptOverlap,
		window: cfg.Window, hashKey: []byte(cfg.HashKey), allowedHosts: cfg.AllowedLinkHosts}
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
	for _, c := range cfg.Canaries {
		if c != "" {
			r.canaries = append(r.canaries, c)
		}
	}
	for _, n := range r.names {
		r.tags = append(r.tags, "["+n+"]")
	}
	r.enable(cfg.Disabled)
	r.buildClasses()
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
	return nil
}

// enable computes the per-kind switches for responses and requests.
func (r *Redactor) enable(disabled []string) {
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
	r.on[kCanary] = r.on[kCanary] && len(r.canaries) > 0
	r.onReq = r.on
	for k := kHTML; k < numBuiltin; k++ {
		r.onReq[k] = false
	}
}

// buildClasses fills the trigger tables from the enabled kinds.
func (r *Redactor) buildClasses() {
	r.cls = classesFor(&r.on, r.canaries)
	r.clsReq = classesFor(&r.onReq, nil)
	r.clsLeak = r.cls
	for _, c := range " \t\n\r\f\v" {
		r.clsLeak[c] |= tSpace
	}
	for i, t := range []*[256]uint16{&r.cls, &r.clsReq, &r.clsLeak} {
		for c, b := range t {
			if b != 0 {
				r.quiet[i][c] = 1
			}
		}
	}
}

func classesFor(on *[numBuiltin]bool, canaries []string) (t [256]uint16) {
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
	set("-_", tDash)     // sk-, glpat-, xoxb-, ghp_, github_pat_, PEM
	for _, c := range canaries {
		t[c[0]] |= tCanary
	}
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
	sc := r.newScanner(rc, false)
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
	sc := r.newScanner(rc, false)
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

// RedactRequest masks PII and secrets in a prompt text before it leaves the mesh
// (no output-safety rules): the rule RedactRequestJSON applies to each text.
func (r *Redactor) RedactRequest(text string) (string, Report) { return r.redactRequest(text) }

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
		mac.Write([]byte(s))
		return "[" + r.names[k] + ":" + hex.EncodeToString(mac.Sum(nil)[:3]) + "]"
	case r.style == StyleMask && k != kPEM:
		return mask(s)
	}
	return r.tags[k]
}

// mask replaces every ASCII letter and digit except the last four with '*'.
func mask(s string) string {
	keep := 0
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if isAlnum(b[i]) {
			if keep < 4 {
				keep++
				continue
			}
			b[i] = '*'
		}
	}
	return string(b)
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
