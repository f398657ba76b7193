package llmreq

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/swar"
)

// context is who wrote a part of the body; it applies to a node's whole subtree
// unless a descendant has its own.
type context struct {
	origin Origin
	role   string
	msg    int32
	opaque bool // media payload: its strings are not text
}

// decodedText is the text of a base64 file, found by media.
type decodedText struct {
	node int32
	text string
}

// parser is one Parse: the request, its tape and the per-node annotations the
// adapter and the generic passes make.
type parser struct {
	r       *Request
	t       *jsonscan.Tape
	st      *state
	opt     Options
	ad      *adapter
	decoded []decodedText
}

func newParser(r *Request, opt Options) *parser {
	st := statePool.Get().(*state)
	n := len(r.tape.Nodes)
	st.ctx = resize(st.ctx, n)
	st.fields = resize(st.fields, n)
	st.set = resize(st.set, n)
	st.ctxs = append(st.ctxs[:0], context{msg: -1})
	st.p = parser{r: r, t: r.tape, st: st, opt: opt, ad: r.ad, decoded: st.p.decoded[:0]}
	return &st.p
}

// resize returns s with length n, zeroed.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// run is the pipeline: keys, the adapter's fields, media, then the texts.
func (p *parser) run() *apierr.Error {
	if err := p.checkKeys(); err != nil {
		return err
	}
	if err := p.checkCredentials(); err != nil {
		return err
	}
	if err := p.known(0, p.ad.root); err != nil {
		return err
	}
	if err := p.ad.parse(p); err != nil {
		return err
	}
	if err := p.common(); err != nil {
		return err
	}
	if err := p.media(); err != nil {
		return err
	}
	p.collect()
	p.join()
	return nil
}

// common reads what every API shares: the model and stream.
func (p *parser) common() *apierr.Error {
	r, t := p.r, p.t
	if m := t.Member(0, "model"); m >= 0 && t.Nodes[m].Kind == jsonscan.String {
		r.Model = t.Str(m)
	}
	if r.Model == "" {
		r.Model = p.opt.Deployment
	}
	if s := t.Member(0, "stream"); s >= 0 && t.Nodes[s].Kind != jsonscan.Null {
		k := t.Nodes[s].Kind
		if k != jsonscan.True && k != jsonscan.False {
			return apierr.Invalid("invalid_type", "stream", "stream must be a boolean, got %s", k)
		}
		r.Stream = k == jsonscan.True
	}
	return nil
}

// requireString checks that the top-level member key is a non-empty string and
// returns it.
func (p *parser) requireString(key string) (string, *apierr.Error) {
	t := p.t
	v := t.Member(0, key)
	if v < 0 {
		return "", apierr.Invalid("missing_field", key, "%s is required", key)
	}
	if t.Nodes[v].Kind != jsonscan.String || t.Nodes[v].End-t.Nodes[v].Start == 2 {
		return "", apierr.Invalid("invalid_type", key, "%s must be a non-empty string, got %s", key, t.Nodes[v].Kind)
	}
	return t.Str(v), nil
}

// requireModel is requireString("model"), except that a deployment named by the
// path (Azure OpenAI) stands for it.
func (p *parser) requireModel() *apierr.Error {
	if p.opt.Deployment != "" && p.t.Member(0, "model") < 0 {
		return nil
	}
	_, err := p.requireString("model")
	return err
}

// optionalString checks that the top-level member key, when present and not null,
// is a string.
func (p *parser) optionalString(key string) (string, *apierr.Error) {
	t := p.t
	v := t.Member(0, key)
	if v < 0 || t.Nodes[v].Kind == jsonscan.Null {
		return "", nil
	}
	if t.Nodes[v].Kind != jsonscan.String {
		return "", apierr.Invalid("invalid_type", key, "%s must be a string, got %s", key, t.Nodes[v].Kind)
	}
	return t.Str(v), nil
}

// setCtx gives node i (and its subtree) a context.
func (p *parser) setCtx(i int, c context) {
	p.st.ctxs = append(p.st.ctxs, c)
	p.st.ctx[i] = int32(len(p.st.ctxs) - 1)
}

// ctxOf returns the context node i was given, walking up to the nearest ancestor
// that has one (the root's is the default: user, outside messages).
func (p *parser) ctxOf(i int) context {
	for ; i >= 0; i = int(p.t.Nodes[i].Parent) {
		if c := p.st.ctx[i]; c != 0 {
			return p.st.ctxs[c]
		}
	}
	return p.st.ctxs[0]
}

// within gives node i the context of its enclosing message, with origin o.
func (p *parser) within(i int, o Origin, role string) {
	c := p.ctxOf(i)
	c.origin, c.role = o, role
	p.setCtx(i, c)
}

// opaque marks node i's strings as media payload.
func (p *parser) opaque(i int) {
	c := p.ctxOf(i)
	c.opaque = true
	p.setCtx(i, c)
}

// mark names the field of string node i.
func (p *parser) mark(i int, f Field) {
	p.st.fields[i], p.st.set[i] = f, true
}

// path names node i for error messages.
func (p *parser) path(i int) string { return p.t.Path(i) }

// kind returns node i's kind (0 when i < 0).
func (p *parser) kind(i int) jsonscan.Kind {
	if i < 0 {
		return 0
	}
	return p.t.Nodes[i].Kind
}

// typeOf returns the "type" member of object i when it is a string.
func (p *parser) typeOf(i int) string {
	if ty := p.t.Member(i, "type"); ty >= 0 {
		return p.t.Str(ty)
	}
	return ""
}

// collect turns every string value into a segment, in document order, unless it is
// media payload, or an inert key's short token value; keys that read like text are
// segments too.
func (p *parser) collect() {
	t, st, r := p.t, p.st, p.r
	// contexts: one forward pass (parents precede their children), counting the
	// strings on the way (the root is an object)
	strs := 0
	for i := 1; i < len(t.Nodes); i++ {
		if st.ctx[i] == 0 {
			st.ctx[i] = st.ctx[t.Nodes[i].Parent]
		}
		if t.Nodes[i].Kind == jsonscan.String {
			strs++
		}
	}
	r.Segments = slices.Grow(r.Segments, strs) // one allocation, not one per doubling
	dec := 0
	for i := range t.Nodes {
		n := &t.Nodes[i]
		c := &st.ctxs[st.ctx[i]]
		if c.opaque {
			if dec < len(p.decoded) && int(p.decoded[dec].node) == i {
				r.add(Segment{Text: p.decoded[dec].text, Origin: OriginDocument, Field: FieldDecoded, Role: c.role, Msg: int(c.msg), node: int32(i)})
				dec++
			}
			continue
		}
		if n.KeyStart >= 0 && keyReadsAsText(t.KeyRaw(i)) {
			r.add(Segment{Text: t.Key(i), Origin: c.origin, Field: FieldKey, Role: c.role, Msg: int(c.msg), node: int32(i)})
		}
		if n.Kind != jsonscan.String {
			continue
		}
		field := FieldData
		if st.set[i] {
			field = st.fields[i]
		} else if p.inert(i) {
			continue
		}
		r.add(Segment{Text: t.Str(i), Origin: c.origin, Field: field, Role: c.role, Msg: int(c.msg), node: int32(i)})
	}
	for i := range r.Segments {
		r.PromptChars += runeCount(r.Segments[i].Text)
	}
}

// runeCount is utf8.RuneCountInString (an invalid byte counts as one rune) taking
// eight ASCII bytes per step: prompt text is mostly ASCII, and in the VM every loop
// iteration costs several instructions of Go's generated code.
func runeCount(s string) int {
	n, i := 0, 0
	for i < len(s) {
		if i+8 <= len(s) {
			if swar.Load8(s, i)&swar.High == 0 { // eight ASCII bytes
				n, i = n+8, i+8
				continue
			}
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		n++
	}
	return n
}

func (r *Request) add(s Segment) { r.Segments = append(r.Segments, s) }

// inert reports whether string node i is not text: the value of a key the adapter
// lists as inert (or an element of an array under one) that is a short token, or
// a provider-signed blob.
func (p *parser) inert(i int) bool {
	t := p.t
	n := &t.Nodes[i]
	k := i
	if n.KeyStart < 0 {
		if n.Parent < 0 || t.Nodes[n.Parent].Kind != jsonscan.Array || t.Nodes[n.Parent].KeyStart < 0 {
			return false
		}
		k = int(n.Parent)
	}
	key := t.KeyRaw(k)
	key = key[1 : len(key)-1] // an escaped inert key is not recognised: its value is then text
	if signedKeys.has(key) {
		return true
	}
	return inertKeys.has(key) && tokenLike(t.Raw(i))
}

// signedKeys hold blobs the provider issued and verifies (encrypted reasoning,
// thinking signatures): a client cannot put readable text there.
var signedKeys = newNameTable([]string{"encrypted_content", "signature"}, nil)

// tokenLike reports whether the string literal lit is a short token: an id, a
// name or an enum value, at most 128 bytes without whitespace, escapes or control
// bytes. Anything else under an inert key is inspected as text anyway.
func tokenLike(lit string) bool {
	if len(lit) > 130 {
		return false
	}
	for i := 1; i < len(lit)-1; i++ {
		if c := lit[i]; c <= ' ' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return true
}

// keyReadsAsText reports whether a key literal looks like prose rather than a
// field name: long, or with whitespace or escapes. Such keys are inspected (JSON
// schema property names and free-form objects are read by the model).
func keyReadsAsText(lit string) bool {
	if len(lit) > 66 {
		return true
	}
	for i := 1; i < len(lit)-1; i++ {
		if c := lit[i]; c <= ' ' || c == '\\' {
			return true
		}
	}
	return false
}

// join adds, for every message with several content texts of one origin, their
// concatenation: directly, and with a newline between parts.
func (p *parser) join() {
	r := p.r
	segs := r.Segments
	for i := 0; i < len(segs); {
		if segs[i].Msg < 0 {
			i++
			continue
		}
		// the run of segments of one message
		j := i + 1
		for j < len(segs) && segs[j].Msg == segs[i].Msg {
			j++
		}
		for o := OriginUser; o <= OriginToolDef; o++ {
			n := 0
			for k := i; k < j; k++ {
				if segs[k].Field == FieldContent && segs[k].Origin == o {
					n++
				}
			}
			if n < 2 {
				continue
			}
			for _, sep := range []string{"", "\n"} {
				jn := Joined{First: -1}
				var b []byte
				for k := i; k < j; k++ {
					if segs[k].Field != FieldContent || segs[k].Origin != o {
						continue
					}
					if jn.First < 0 {
						jn.First = k
					} else {
						b = append(b, sep...)
					}
					jn.Parts = append(jn.Parts, JoinedPart{Segment: k, Start: len(b), End: len(b) + len(segs[k].Text)})
					b = append(b, segs[k].Text...)
				}
				jn.Text = string(b)
				r.Joined = append(r.Joined, jn)
			}
		}
		i = j
	}
}

// checkKeys refuses, in every object (the root first, then in document order), a
// key that appears twice (duplicate_key) or two keys that a case-insensitive
// decoder could read as one (ambiguous_key). Objects are small: their folded keys
// are compared pairwise, and through a map beyond 16 members. Plain ASCII keys
// (see plainKeys), the usual case, are their own folded form and are compared
// in place.
func (p *parser) checkKeys() *apierr.Error {
	t, st := p.t, p.st
	for i := range t.Nodes {
		if t.Nodes[i].Kind != jsonscan.Object {
			continue
		}
		n := t.Len(i)
		if n < 2 {
			continue
		}
		if n <= 16 && p.plainKeys(i) {
			if a, b := p.repeatedKey(i); b >= 0 {
				return p.keyClash(a, b)
			}
			continue
		}
		if n > 16 {
			seen := make(map[string]int, n)
			for j := t.First(i); j >= 0; j = t.Next(j) {
				k := string(p.appendFoldedKey(st.fold[:0], j))
				if prev, ok := seen[k]; ok {
					return p.keyClash(prev, j)
				}
				seen[k] = j
			}
			continue
		}
		st.fold, st.offs = st.fold[:0], st.offs[:0]
		for j := t.First(i); j >= 0; j = t.Next(j) {
			start := len(st.fold)
			st.fold = p.appendFoldedKey(st.fold, j)
			cur := st.fold[start:]
			for k := 0; k < len(st.offs); k += 3 {
				if string(st.fold[st.offs[k]:st.offs[k+1]]) == string(cur) {
					return p.keyClash(int(st.offs[k+2]), j)
				}
			}
			st.offs = append(st.offs, int32(start), int32(len(st.fold)), int32(j))
		}
	}
	return nil
}

// plainKeys reports whether every key of object i is its own folded form: plain
// ASCII without escapes or upper case, the usual shape of an API's keys.
func (p *parser) plainKeys(i int) bool {
	t := p.t
	for j := t.First(i); j >= 0; j = t.Next(j) {
		if t.Nodes[j].Flags&jsonscan.KeyEscaped != 0 || !jsonscan.IsASCIIFolded(t.KeyRaw(j)) {
			return false
		}
	}
	return true
}

// repeatedKey returns the first pair of members of object i (a before b) whose key
// literals are equal, or b = -1. For plain keys (see plainKeys) that is exactly a
// pair that folds alike, compared in place without a folded copy.
func (p *parser) repeatedKey(i int) (a, b int) {
	t := p.t
	for j := t.First(i); j >= 0; j = t.Next(j) {
		nj := &t.Nodes[j]
		lj := nj.KeyEnd - nj.KeyStart
		for k := t.First(i); k != j; k = t.Next(k) {
			nk := &t.Nodes[k]
			if nk.KeyEnd-nk.KeyStart == lj && t.KeyRaw(k) == t.KeyRaw(j) {
				return k, j
			}
		}
	}
	return -1, -1
}

// appendFoldedKey appends the folded key of member j.
func (p *parser) appendFoldedKey(dst []byte, j int) []byte {
	t := p.t
	lit := t.KeyRaw(j)
	if t.Nodes[j].Flags&jsonscan.KeyEscaped == 0 {
		return jsonscan.AppendFold(dst, lit[1:len(lit)-1])
	}
	p.st.runeBuf, _ = jsonscan.AppendUnquote(p.st.runeBuf[:0], lit)
	return jsonscan.AppendFold(dst, string(p.st.runeBuf))
}

// keyClash is the error for members a and b (b later) whose keys fold alike.
func (p *parser) keyClash(a, b int) *apierr.Error {
	t := p.t
	ka, kb := t.Key(a), t.Key(b)
	path := t.Path(b)
	if ka == kb {
		return apierr.Invalid("duplicate_key", path, "request body repeats the key %q; each key may appear once", path)
	}
	return apierr.Invalid("ambiguous_key", path,
		"request body has the keys %q and %q in one object, which differ only by case or Unicode folding; a provider may read either", ka, kb)
}

// checkCredentials refuses a top-level field that carries a credential: the guard
// does not forward client credentials in bodies.
func (p *parser) checkCredentials() *apierr.Error {
	t := p.t
	for j := t.First(0); j >= 0; j = t.Next(j) {
		if t.Nodes[j].Flags&jsonscan.KeyEscaped == 0 && !credentialLetters(t.KeyRaw(j)) {
			continue
		}
		p.st.fold = p.appendFoldedKey(p.st.fold[:0], j)
		n := 0
		for _, c := range p.st.fold {
			if c != '_' && c != '-' {
				p.st.fold[n] = c
				n++
			}
		}
		if f := string(p.st.fold[:n]); f == "apikey" || f == "xapikey" {
			return apierr.Invalid("credential_in_body", t.Key(j),
				"request body carries a credential field %q; the guard does not forward credentials in request bodies (send the key in a header)", t.Key(j))
		}
	}
	return nil
}

// credentialLetters reports whether the key literal lit could fold to "apikey" or
// "xapikey" once '_' and '-' are dropped: it has no ASCII byte outside those
// letters (either case) and separators. Non-ASCII bytes (a Kelvin sign folds to
// "k") leave it to the full check.
func credentialLetters(lit string) bool {
	for i := 1; i < len(lit)-1; i++ {
		switch c := lit[i]; c | 0x20 {
		case 'a', 'p', 'i', 'k', 'e', 'y', 'x', '_' | 0x20, '-' | 0x20:
		default:
			if c < 0x80 {
				return false
			}
		}
	}
	return true
}

// object checks that node i is a JSON object whose keys are all in ks (see known).
func (p *parser) object(i int, ks *keySet) *apierr.Error {
	if k := p.t.Nodes[i].Kind; k != jsonscan.Object {
		path := p.path(i)
		return apierr.Invalid("invalid_type", path, "%s must be an object, got %s", path, k)
	}
	return p.known(i, ks)
}

// known refuses members of object i whose key is not one the adapter knows at this
// position but folds like one (e.g. "Messages", "MAX_TOKENS", "meſſages").
func (p *parser) known(i int, ks *keySet) *apierr.Error {
	t := p.t
	if i < 0 || t.Nodes[i].Kind != jsonscan.Object || ks == nil {
		return nil
	}
	for j := t.First(i); j >= 0; j = t.Next(j) {
		lit := t.KeyRaw(j)
		if t.Nodes[j].Flags&jsonscan.KeyEscaped == 0 {
			if ks.exact.has(lit[1 : len(lit)-1]) {
				continue
			}
		} else if ks.exact.has(t.Key(j)) {
			continue
		}
		p.st.fold = p.appendFoldedKey(p.st.fold[:0], j)
		if want, ok := ks.folded.get(string(p.st.fold)); ok {
			path := t.Path(j)
			return apierr.Invalid("ambiguous_key", path,
				"request body has the key %q where %q is expected; they differ only by case or Unicode folding, and a provider may read one as the other", t.Key(j), want)
		}
	}
	return nil
}

// keySet is the keys an adapter knows at one position.
type keySet struct {
	names  []string
	exact  *nameTable // the names
	folded *nameTable // folded name → name
}

func keys(names ...string) *keySet {
	folded := make([]string, len(names))
	for i, n := range names {
		folded[i] = string(jsonscan.AppendFold(nil, n))
	}
	return &keySet{names: names, exact: newNameTable(names, nil), folded: newNameTable(folded, names)}
}

// with returns a set with more keys.
func (ks *keySet) with(names ...string) *keySet {
	return keys(append(append([]string(nil), ks.names...), names...)...)
}

// each calls fn for every element of array i with its index; it stops at the
// first error.
func (p *parser) each(i int, fn func(j, k int) *apierr.Error) *apierr.Error {
	k := 0
	for j := p.t.First(i); j >= 0; j = p.t.Next(j) {
		if err := fn(j, k); err != nil {
			return err
		}
		k++
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
