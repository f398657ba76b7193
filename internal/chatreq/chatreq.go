// Package chatreq reads LLM API request bodies (OpenAI-compatible and Mistral chat,
// Mistral FIM and agents) without decoding them into Go structs: it validates the shape
// the guard relies on and lists every text segment a model will read, with the sjson
// path where it lives, so that policies can measure, inspect or rewrite it in place.
//
// Parse reads the body in a single pass: one walk validates the JSON (with gjson.Valid's
// grammar), detects duplicate keys and collects the fields and segments, instead of a
// validation pass followed by gjson lookups that each rescan the body.
package chatreq

import (
	"cmp"
	"strconv"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/tidwall/gjson"
)

// Kind is the API a request path belongs to.
type Kind uint8

// Kinds of requests the guard understands.
const (
	KindNone   Kind = iota // not an inspected API: pass through
	KindChat               // POST /v1/chat/completions
	KindFIM                // POST /v1/fim/completions (Mistral)
	KindAgents             // POST /v1/agents/completions (Mistral)
)

// String names the kind for logs and metrics.
func (k Kind) String() string {
	return [...]string{"none", "chat", "fim", "agents"}[k]
}

// Field says what a text segment is.
type Field uint8

// Fields of a request that carry text.
const (
	FieldContent    Field = iota // messages[i].content (string or text part)
	FieldToolResult              // content of a tool/function-role message (indirect injection)
	FieldName                    // messages[i].name
	FieldToolArgs                // messages[i].tool_calls[j].function.arguments
	FieldPrompt                  // FIM prompt
	FieldSuffix                  // FIM suffix
)

// String names the field for logs.
func (f Field) String() string {
	return [...]string{"content", "tool_result", "name", "tool_arguments", "prompt", "suffix"}[f]
}

// Segment is one piece of text the model reads.
type Segment struct {
	Path  string // sjson path, e.g. "messages.2.content" or "messages.0.content.1.text"
	Role  string // message role ("" for FIM)
	Field Field
	Text  string
}

// Request is the validated view of a request body.
type Request struct {
	Kind        Kind
	Model       string // "" for agents
	AgentID     string // agents only
	Stream      bool
	Messages    int // number of messages (0 for FIM)
	PromptChars int // Unicode code points over all segments
	Segments    []Segment
	Root        gjson.Result // the parsed body, for policies that need other fields

	src     string   // the body as given to Parse (Root.Raw is a suffix of it)
	body    []byte   // the slice given to Parse, to recognise it in SetMember
	members []member // top-level members in body order
	close   int      // offset of the root object's closing brace
	edit    *editState
}

// member is one top-level key and its value's span.
type member struct {
	key string
	v   value
}

// Member returns the top-level member name as Root.Get(name) would (Parse rejects
// duplicate keys, so there is only one), except that Index is the byte offset of the
// value in the body given to Parse, also when the body starts with whitespace. It
// describes the body as parsed, not the result of SetMember. A Result that does not
// Exist means the member is absent.
func (r *Request) Member(name string) gjson.Result {
	if v := r.lookup(name); v.exists() {
		return result(r.src, v)
	}
	return gjson.Result{}
}

func (r *Request) lookup(name string) value {
	for i := range r.members {
		if r.members[i].key == name {
			return r.members[i].v
		}
	}
	return value{}
}

// result builds the gjson.Result that gjson's Get returns for a value.
func result(src string, v value) gjson.Result {
	raw := src[v.start:v.end]
	res := gjson.Result{Raw: raw, Index: v.start}
	switch v.kind {
	case '"':
		res.Type, res.Str = gjson.String, (&scanner{s: src}).text(v)
	case '{', '[':
		res.Type = gjson.JSON
	case '0':
		res.Type = gjson.Number
		res.Num, _ = strconv.ParseFloat(raw, 64)
	case 't':
		res.Type = gjson.True
	case 'f':
		res.Type = gjson.False
	case 'n':
		res.Type = gjson.Null
	}
	return res
}

// Parse validates body as a request of the given kind. Errors are 400s naming the field.
//
// The errors and their precedence are those of a check in stages: invalid JSON, then a
// root that is not an object, then a duplicate key (in the root first, then in the
// messages in order), then the fields of the kind in a fixed order (for chat: each
// message's role, content, name and tool calls, then model), then stream.
func Parse(kind Kind, body []byte) (*Request, *apierr.Error) {
	if len(body) == 0 {
		return nil, apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	p := parser{scanner: scanner{s: string(body)}, kind: kind, sem: kind == KindChat || kind == KindAgents}
	p.ws()
	if p.peek() != '{' {
		v, ok := p.value()
		if p.ws(); !ok || p.i != len(p.s) {
			return nil, errInvalidJSON()
		}
		return nil, apierr.Invalid("invalid_body", "", "request body must be a JSON object, got %s", typeName(v))
	}
	r := &Request{Kind: kind, Root: gjson.Parse(p.s), src: p.s, body: body,
		members: make([]member, 0, 16), Segments: make([]Segment, 0, 8)}
	p.r = r
	p.keys = p.keyBuf[:0]
	ok := p.root()
	if p.ws(); !ok || p.i != len(p.s) {
		return nil, errInvalidJSON()
	}
	if p.hasDup || p.msgDup != "" {
		key := p.msgDup
		if p.hasDup {
			key = p.dup
		}
		return nil, apierr.Invalid("duplicate_key", key, "request body repeats the key %q; each key may appear once", key)
	}
	var err *apierr.Error
	switch kind {
	case KindChat:
		if err = p.checkMessages(); err == nil {
			r.Model, err = p.requiredString("model")
		}
	case KindAgents:
		if err = p.checkMessages(); err == nil {
			r.AgentID, err = p.requiredString("agent_id")
		}
	case KindFIM:
		if r.Model, err = p.requiredString("model"); err == nil {
			err = p.parseFIM()
		}
	default:
		return nil, apierr.Invalid("invalid_body", "", "unsupported API kind %d", kind)
	}
	if err != nil {
		return nil, err
	}
	if s := r.lookup("stream"); s.exists() && s.kind != 'n' {
		if s.kind != 't' && s.kind != 'f' {
			return nil, apierr.Invalid("invalid_type", "stream", "stream must be a boolean, got %s", typeName(s))
		}
		r.Stream = s.kind == 't'
	}
	return r, nil
}

func errInvalidJSON() *apierr.Error {
	return apierr.Invalid("invalid_json", "", "request body is not valid JSON")
}

// parser holds the state of one Parse walk.
type parser struct {
	scanner
	r    *Request
	kind Kind
	sem  bool // collect messages (chat and agents); else messages are only checked for duplicates

	dup      string // first key repeated in the root object, if hasDup
	hasDup   bool
	msgDup   string        // first key repeated in a message or content part (full path)
	msgErr   *apierr.Error // first error in the messages, in the order of the old staged check
	msgsSeen bool          // the first "messages" member was walked
	nmsgs    int           // elements of messages
	keys     []string      // keys of the objects being walked, innermost last
	argSegs  []textSeg     // tool-argument segments of the current message
	fim      [2]textSeg    // FIM prompt and suffix, read during the walk
	keyBuf   [32]string
}

// textSeg is a segment text read with its code point count.
type textSeg struct {
	path, text string
	runes      int
}

// seen records key in the object whose keys start at keys[base] and reports whether it
// was already there. Objects are small, so a linear scan beats a map; a map takes over
// for objects with many keys, which would otherwise cost quadratic time.
func (p *parser) seen(base int, big *map[string]struct{}, key string) bool {
	if *big != nil {
		if _, ok := (*big)[key]; ok {
			return true
		}
		(*big)[key] = struct{}{}
		return false
	}
	for _, k := range p.keys[base:] {
		if k == key {
			return true
		}
	}
	p.keys = append(p.keys, key)
	if len(p.keys)-base > 32 {
		*big = make(map[string]struct{}, 64)
		for _, k := range p.keys[base:] {
			(*big)[k] = struct{}{}
		}
	}
	return false
}

// root walks the top-level object at p.i.
func (p *parser) root() bool {
	r := p.r
	var big map[string]struct{}
	more, ok := p.open('}')
	for more && ok {
		var k string
		if k, ok = p.key(true); !ok {
			return false
		}
		if !p.hasDup && p.seen(0, &big, k) {
			p.dup, p.hasDup = k, true // k may be ""
		}
		var v value
		switch {
		case k == "messages" && !p.msgsSeen:
			p.msgsSeen = true
			v, ok = p.messages()
		case p.kind == KindFIM && (k == "prompt" || k == "suffix") && p.peek() == '"' && !r.lookup(k).exists():
			t := &p.fim[0]
			if k == "suffix" {
				t = &p.fim[1]
			}
			v, t.text, t.runes, ok = p.strText()
		default:
			v, ok = p.value()
		}
		if !ok {
			return false
		}
		r.members = append(r.members, member{k, v})
		more, ok = p.next('}')
	}
	r.close = p.i - 1
	p.keys = p.keys[:0]
	return ok
}

// messages walks the first "messages" member. An object is walked like an array, for
// duplicate keys only: the staged check iterated whatever messages held.
func (p *parser) messages() (value, bool) {
	start := p.i
	c := p.peek()
	if c != '[' && c != '{' {
		return p.value()
	}
	kind := c
	sem := p.sem && c == '['
	closer := byte(']')
	if c == '{' {
		closer = '}'
	}
	more, ok := p.open(closer)
	n := 0
	for more && ok {
		if c == '{' {
			if _, ok = p.key(false); !ok {
				return value{}, false
			}
		}
		if ok = p.message(n, sem && p.msgErr == nil); !ok {
			return value{}, false
		}
		n++
		more, ok = p.next(closer)
	}
	p.nmsgs = n
	return value{kind: kind, start: start, end: p.i}, ok
}

// message walks messages[i]. With sem it records the message's segments, or its first
// error, checking role, content, name and tool_calls in that order whatever the order
// of the keys in the body.
func (p *parser) message(i int, sem bool) bool {
	if p.peek() != '{' {
		v, ok := p.value()
		if sem {
			base := "messages." + strconv.Itoa(i)
			p.msgErr = apierr.Invalid("invalid_type", base, "%s must be an object, got %s", base, typeName(v))
		}
		return ok
	}
	// One string for the content path; base is its prefix.
	cpath := "messages." + strconv.Itoa(i) + ".content"
	base := cpath[:len(cpath)-len(".content")]
	r := p.r
	segStart := len(r.Segments)
	p.argSegs = p.argSegs[:0]
	var (
		role, name             value
		nameText               textSeg
		haveContent, haveCalls bool
		contentErr, callsErr   *apierr.Error
		dup, partDup, callDup  string
		big                    map[string]struct{}
		kbase                  = len(p.keys)
	)
	more, ok := p.open('}')
	for more && ok {
		var k string
		if k, ok = p.key(true); !ok {
			return false
		}
		if dup == "" && p.seen(kbase, &big, k) {
			dup = base + "." + k
		}
		switch {
		case k == "role" && !role.exists():
			role, ok = p.value()
		case k == "name" && !name.exists():
			if sem && p.peek() == '"' {
				name, nameText.text, nameText.runes, ok = p.strText()
			} else {
				name, ok = p.value()
			}
		case k == "content" && !haveContent:
			haveContent = true
			ok = p.content(cpath, sem, &contentErr, &partDup)
		case k == "tool_calls" && !haveCalls:
			haveCalls = true
			ok = p.toolCalls(base, sem, &callsErr, &callDup)
		default:
			_, ok = p.value()
		}
		if !ok {
			return false
		}
		more, ok = p.next('}')
	}
	p.keys = p.keys[:kbase]
	if !ok {
		return false
	}
	if p.msgDup == "" {
		p.msgDup = cmp.Or(dup, partDup, callDup)
	}
	if !sem {
		return true
	}
	roleStr := ""
	if role.kind == '"' {
		roleStr = p.text(role)
	}
	switch {
	case roleStr == "":
		p.msgErr = apierr.Invalid("invalid_type", base+".role", "%s.role must be a non-empty string", base)
	case contentErr != nil:
		p.msgErr = contentErr
	case name.exists() && name.kind != 'n' && name.kind != '"':
		p.msgErr = apierr.Invalid("invalid_type", base+".name", "%s.name must be a string", base)
	case callsErr != nil:
		p.msgErr = callsErr
	}
	if p.msgErr != nil {
		return true
	}
	// The content segments were recorded before the role was known.
	field := FieldContent
	if roleStr == "tool" || roleStr == "function" {
		field = FieldToolResult
	}
	for j := segStart; j < len(r.Segments); j++ {
		r.Segments[j].Role, r.Segments[j].Field = roleStr, field
	}
	if name.kind == '"' {
		r.add(base+".name", roleStr, FieldName, nameText.text, nameText.runes)
	}
	for _, t := range p.argSegs {
		r.add(t.path, roleStr, FieldToolArgs, t.text, t.runes)
	}
	return true
}

// content walks a message's first "content" (at path): a string, an array of content parts, or
// null. Its first error goes to *errp and its first duplicate key to *dupp.
func (p *parser) content(path string, sem bool, errp **apierr.Error, dupp *string) bool {
	switch p.peek() {
	case '"':
		if !sem {
			_, ok := p.value()
			return ok
		}
		_, text, n, ok := p.strText()
		if ok {
			p.r.add(path, "", FieldContent, text, n)
		}
		return ok
	case '[', '{':
	default:
		v, ok := p.value()
		if sem && v.kind != 'n' {
			*errp = apierr.Invalid("invalid_type", path, "%s must be a string or an array of content parts, got %s", path, typeName(v))
		}
		return ok
	}
	obj := p.peek() == '{'
	if obj && sem {
		*errp = apierr.Invalid("invalid_type", path, "%s must be a string or an array of content parts, got an object", path)
	}
	closer := byte(']')
	if obj {
		closer = '}'
	}
	more, ok := p.open(closer)
	for j := 0; more && ok; j++ {
		if obj {
			if _, ok = p.key(false); !ok {
				return false
			}
		}
		if ok = p.part(path, j, sem && *errp == nil, errp, dupp); !ok {
			return false
		}
		more, ok = p.next(closer)
	}
	return ok
}

// part walks content part j. Text lives in "text" (OpenAI/Mistral "text" parts); a
// bare string part is accepted as text. Non-text parts (image_url, input_audio, …)
// carry no text for the guard.
func (p *parser) part(content string, j int, sem bool, errp **apierr.Error, dupp *string) bool {
	if sem && p.peek() == '"' {
		_, text, n, ok := p.strText()
		if ok {
			p.r.add(content+"."+strconv.Itoa(j), "", FieldContent, text, n)
		}
		return ok
	}
	if p.peek() != '{' {
		v, ok := p.value()
		if ok && sem {
			path := content + "." + strconv.Itoa(j)
			*errp = apierr.Invalid("invalid_type", path, "%s must be a content part object, got %s", path, typeName(v))
		}
		return ok
	}
	text, t, k, dup, ok := p.objectField("text", sem)
	if ok && dup && *dupp == "" {
		*dupp = content + "." + strconv.Itoa(j) + "." + k
	}
	if ok && sem && text.exists() {
		path := content + "." + strconv.Itoa(j) + ".text"
		if text.kind != '"' {
			*errp = apierr.Invalid("invalid_type", path, "%s.text must be a string", path[:len(path)-len(".text")])
		} else {
			p.r.add(path, "", FieldContent, t.text, t.runes)
		}
	}
	return ok
}

// toolCalls walks a message's first "tool_calls". The text of a call is what gjson's
// Get(call, "function.arguments") finds: the first "arguments" of the first "function"
// object that has one. The first repeated key of a call goes to *dupp, also when
// messages are only checked for duplicates (!sem).
func (p *parser) toolCalls(base string, sem bool, errp **apierr.Error, dupp *string) bool {
	if p.peek() != '[' {
		v, ok := p.value()
		if sem && v.kind != 'n' {
			*errp = apierr.Invalid("invalid_type", base+".tool_calls", "%s.tool_calls must be an array", base)
		}
		return ok
	}
	more, ok := p.open(']')
	for j := 0; more && ok; j++ {
		if p.peek() != '{' {
			_, ok = p.value()
		} else {
			var args value
			var t textSeg
			var dup string
			args, t, dup, ok = p.toolCall(base, j)
			if ok && *dupp == "" {
				*dupp = dup
			}
			if ok && sem && *errp == nil {
				*errp = p.addArgs(base, j, args, t)
			}
		}
		if ok {
			more, ok = p.next(']')
		}
	}
	return ok
}

// toolCall walks tool call j of message base and returns its function.arguments
// (with the text of a string) and its first repeated key: one of the tool call's own,
// else one of its function object's. A repeated "arguments" or "function" would show
// the guard the first copy and an upstream parser that keeps the last the other.
func (p *parser) toolCall(base string, j int) (value, textSeg, string, bool) {
	var (
		args       value
		t          textSeg
		dup, fnDup string
		big        map[string]struct{}
		kbase      = len(p.keys)
	)
	more, ok := p.open('}')
	for more && ok {
		var k string
		if k, ok = p.key(true); !ok {
			return args, t, "", false
		}
		if dup == "" && p.seen(kbase, &big, k) {
			dup = base + ".tool_calls." + strconv.Itoa(j) + "." + k
		}
		if k != "function" || args.exists() || p.peek() != '{' {
			_, ok = p.value()
		} else {
			var fk string
			var fdup bool
			if args, t, fk, fdup, ok = p.objectField("arguments", true); ok && fdup && fnDup == "" {
				fnDup = base + ".tool_calls." + strconv.Itoa(j) + ".function." + fk
			}
		}
		if ok {
			more, ok = p.next('}')
		}
	}
	p.keys = p.keys[:kbase]
	return args, t, cmp.Or(dup, fnDup), ok
}

// objectField walks the object at p.i and returns the value of its first member
// named name (with the text of a string when text is set) and the first key the
// object repeats (dup reports whether there is one: the key may be "").
func (p *parser) objectField(name string, text bool) (v value, t textSeg, dupKey string, dup, ok bool) {
	var big map[string]struct{}
	kbase := len(p.keys)
	more, ok := p.open('}')
	for more && ok {
		var k string
		if k, ok = p.key(true); !ok {
			return v, t, "", false, false
		}
		if !dup && p.seen(kbase, &big, k) {
			dupKey, dup = k, true
		}
		switch {
		case k != name || v.exists():
			_, ok = p.value()
		case text && p.peek() == '"':
			v, t.text, t.runes, ok = p.strText()
		default:
			v, ok = p.value()
		}
		if ok {
			more, ok = p.next('}')
		}
	}
	p.keys = p.keys[:kbase]
	return v, t, dupKey, dup, ok
}

func (p *parser) addArgs(base string, j int, args value, t textSeg) *apierr.Error {
	if !args.exists() || args.kind == 'n' {
		return nil
	}
	path := base + ".tool_calls." + strconv.Itoa(j) + ".function.arguments"
	switch args.kind {
	case '"':
		t.path = path
		p.argSegs = append(p.argSegs, t)
	case '{': // Mistral accepts an object here
		raw := p.s[args.start:args.end]
		p.argSegs = append(p.argSegs, textSeg{path, raw, utf8.RuneCountInString(raw)})
	default:
		return apierr.Invalid("invalid_type", path, "%s must be a string or object", path)
	}
	return nil
}

func (p *parser) checkMessages() *apierr.Error {
	msgs := p.r.lookup("messages")
	switch {
	case !msgs.exists():
		return apierr.Invalid("missing_field", "messages", "messages is required")
	case msgs.kind != '[':
		return apierr.Invalid("invalid_type", "messages", "messages must be an array of message objects, got %s", typeName(msgs))
	case p.msgErr != nil:
		return p.msgErr
	case p.nmsgs == 0:
		return apierr.Invalid("invalid_value", "messages", "messages must contain at least one message")
	}
	p.r.Messages = p.nmsgs
	return nil
}

func (p *parser) requiredString(key string) (string, *apierr.Error) {
	if err := p.checkString(key); err != nil {
		return "", err
	}
	return p.text(p.r.lookup(key)), nil
}

// checkString checks that the member key is a non-empty string.
func (p *parser) checkString(key string) *apierr.Error {
	v := p.r.lookup(key)
	if !v.exists() {
		return apierr.Invalid("missing_field", key, "%s is required", key)
	}
	if v.kind != '"' || v.end-v.start == 2 {
		return apierr.Invalid("invalid_type", key, "%s must be a non-empty string, got %s", key, typeName(v))
	}
	return nil
}

func (p *parser) parseFIM() *apierr.Error {
	if err := p.checkString("prompt"); err != nil {
		return err
	}
	p.r.add("prompt", "", FieldPrompt, p.fim[0].text, p.fim[0].runes)
	if s := p.r.lookup("suffix"); s.exists() && s.kind != 'n' {
		if s.kind != '"' {
			return apierr.Invalid("invalid_type", "suffix", "suffix must be a string, got %s", typeName(s))
		}
		p.r.add("suffix", "", FieldSuffix, p.fim[1].text, p.fim[1].runes)
	}
	return nil
}

// add records a segment; runes is utf8.RuneCountInString(text), counted while reading it.
func (r *Request) add(path, role string, f Field, text string, runes int) {
	r.Segments = append(r.Segments, Segment{Path: path, Role: role, Field: f, Text: text})
	r.PromptChars += runes
}

// typeName describes a JSON value's type for error messages.
func typeName(v value) string {
	switch v.kind {
	case 0:
		return "nothing"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "an unknown value"
}
