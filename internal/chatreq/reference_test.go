package chatreq

// The Parse of commit 588e4ad (gjson.ValidBytes, then gjson lookups), kept as the
// oracle for the single-pass Parse: FuzzParseMatchesReference checks that both accept
// the same bodies with the same fields and segments and refuse the others with the same
// error.
//
// One deliberate difference, fixed here too: the old dupIn returned the repeated key
// itself, so a repeated empty key at the top level ("" twice) read as "no duplicate" and
// also stopped the search, letting a later repeated key such as max_tokens through.
// Parse reports it (duplicate_key, param "").

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/tidwall/gjson"
)

// Request is the validated view of a request body.
type refRequest struct {
	Kind        Kind
	Model       string // "" for agents
	AgentID     string // agents only
	Stream      bool
	Messages    int // number of messages (0 for FIM)
	PromptChars int // Unicode code points over all segments
	Segments    []Segment
	Root        gjson.Result // the parsed body, for policies that need other fields
}

// Parse validates body as a request of the given kind. Errors are 400s naming the field.
func refParse(kind Kind, body []byte) (*refRequest, *apierr.Error) {
	if len(body) == 0 {
		return nil, apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	if !gjson.ValidBytes(body) {
		return nil, apierr.Invalid("invalid_json", "", "request body is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, apierr.Invalid("invalid_body", "", "request body must be a JSON object, got %s", refTypeName(root))
	}
	if key, dup := refDuplicateKey(root); dup {
		return nil, apierr.Invalid("duplicate_key", key, "request body repeats the key %q; each key may appear once", key)
	}
	r := &refRequest{Kind: kind, Root: root}
	var err *apierr.Error
	switch kind {
	case KindChat:
		if err = r.refParseMessages(root); err == nil {
			r.Model, err = refRequiredString(root, "model")
		}
	case KindAgents:
		if err = r.refParseMessages(root); err == nil {
			r.AgentID, err = refRequiredString(root, "agent_id")
		}
	case KindFIM:
		if r.Model, err = refRequiredString(root, "model"); err == nil {
			err = r.refParseFIM(root)
		}
	default:
		return nil, apierr.Invalid("invalid_body", "", "unsupported API kind %d", kind)
	}
	if err != nil {
		return nil, err
	}
	if s := root.Get("stream"); s.Exists() && s.Type != gjson.Null {
		if s.Type != gjson.True && s.Type != gjson.False {
			return nil, apierr.Invalid("invalid_type", "stream", "stream must be a boolean, got %s", refTypeName(s))
		}
		r.Stream = s.Bool()
	}
	return r, nil
}

// jstr is a gjson string's contents as the repository's decoder reads them (gjson
// swallows the escape after a lone high surrogate; jsonscan.Unquote does not).
func jstr(v gjson.Result) string {
	if v.Type != gjson.String {
		return v.Str
	}
	s, _ := jsonscan.Unquote(v.Raw)
	return s
}

func refRequiredString(root gjson.Result, key string) (string, *apierr.Error) {
	v := root.Get(key)
	if !v.Exists() {
		return "", apierr.Invalid("missing_field", key, "%s is required", key)
	}
	if v.Type != gjson.String || jstr(v) == "" {
		return "", apierr.Invalid("invalid_type", key, "%s must be a non-empty string, got %s", key, refTypeName(v))
	}
	return jstr(v), nil
}

func (r *refRequest) refAdd(path, role string, f Field, text string) {
	r.Segments = append(r.Segments, Segment{Path: path, Role: role, Field: f, Text: text})
	r.PromptChars += utf8.RuneCountInString(text)
}

func (r *refRequest) refParseFIM(root gjson.Result) *apierr.Error {
	if _, err := refRequiredString(root, "prompt"); err != nil {
		return err
	}
	r.refAdd("prompt", "", FieldPrompt, jstr(root.Get("prompt")))
	if s := root.Get("suffix"); s.Exists() && s.Type != gjson.Null {
		if s.Type != gjson.String {
			return apierr.Invalid("invalid_type", "suffix", "suffix must be a string, got %s", refTypeName(s))
		}
		r.refAdd("suffix", "", FieldSuffix, jstr(s))
	}
	return nil
}

func (r *refRequest) refParseMessages(root gjson.Result) *apierr.Error {
	msgs := root.Get("messages")
	if !msgs.Exists() {
		return apierr.Invalid("missing_field", "messages", "messages is required")
	}
	if !msgs.IsArray() {
		return apierr.Invalid("invalid_type", "messages", "messages must be an array of message objects, got %s", refTypeName(msgs))
	}
	var err *apierr.Error
	i := 0
	msgs.ForEach(func(_, m gjson.Result) bool {
		err = r.refParseMessage(i, m)
		i++
		return err == nil
	})
	if err != nil {
		return err
	}
	if i == 0 {
		return apierr.Invalid("invalid_value", "messages", "messages must contain at least one message")
	}
	r.Messages = i
	return nil
}

func (r *refRequest) refParseMessage(i int, m gjson.Result) *apierr.Error {
	base := "messages." + strconv.Itoa(i)
	if !m.IsObject() {
		return apierr.Invalid("invalid_type", base, "%s must be an object, got %s", base, refTypeName(m))
	}
	role := m.Get("role")
	if role.Type != gjson.String || jstr(role) == "" {
		return apierr.Invalid("invalid_type", base+".role", "%s.role must be a non-empty string", base)
	}
	field := FieldContent
	if jstr(role) == "tool" || jstr(role) == "function" {
		field = FieldToolResult
	}
	if err := r.refParseContent(base+".content", jstr(role), field, m.Get("content")); err != nil {
		return err
	}
	if n := m.Get("name"); n.Exists() && n.Type != gjson.Null {
		if n.Type != gjson.String {
			return apierr.Invalid("invalid_type", base+".name", "%s.name must be a string", base)
		}
		r.refAdd(base+".name", jstr(role), FieldName, jstr(n))
	}
	return r.refParseToolCalls(base, jstr(role), m.Get("tool_calls"))
}

// parseContent accepts a string, an array of content parts, or null/absent.
func (r *refRequest) refParseContent(path, role string, f Field, c gjson.Result) *apierr.Error {
	switch {
	case !c.Exists() || c.Type == gjson.Null:
		return nil
	case c.Type == gjson.String:
		r.refAdd(path, role, f, jstr(c))
		return nil
	case !c.IsArray():
		return apierr.Invalid("invalid_type", path, "%s must be a string or an array of content parts, got %s", path, refTypeName(c))
	}
	var err *apierr.Error
	j := 0
	c.ForEach(func(_, part gjson.Result) bool {
		err = r.refParsePart(path+"."+strconv.Itoa(j), role, f, part)
		j++
		return err == nil
	})
	return err
}

// parsePart reads one content part. Text lives in "text" (OpenAI/Mistral "text" parts);
// a bare string part is accepted as text. Non-text parts (image_url, input_audio, …) carry
// no text for the guard.
func (r *refRequest) refParsePart(path, role string, f Field, part gjson.Result) *apierr.Error {
	if part.Type == gjson.String {
		r.refAdd(path, role, f, jstr(part))
		return nil
	}
	if !part.IsObject() {
		return apierr.Invalid("invalid_type", path, "%s must be a content part object, got %s", path, refTypeName(part))
	}
	if t := part.Get("text"); t.Exists() {
		if t.Type != gjson.String {
			return apierr.Invalid("invalid_type", path+".text", "%s.text must be a string", path)
		}
		r.refAdd(path+".text", role, f, jstr(t))
	}
	return nil
}

func (r *refRequest) refParseToolCalls(base, role string, calls gjson.Result) *apierr.Error {
	if !calls.Exists() || calls.Type == gjson.Null {
		return nil
	}
	if !calls.IsArray() {
		return apierr.Invalid("invalid_type", base+".tool_calls", "%s.tool_calls must be an array", base)
	}
	var err *apierr.Error
	j := 0
	calls.ForEach(func(_, call gjson.Result) bool {
		path := fmt.Sprintf("%s.tool_calls.%d.function.arguments", base, j)
		j++
		args := call.Get("function.arguments")
		switch {
		case !args.Exists() || args.Type == gjson.Null:
		case args.Type == gjson.String:
			r.refAdd(path, role, FieldToolArgs, jstr(args))
		case args.IsObject(): // Mistral accepts an object here
			r.refAdd(path, role, FieldToolArgs, args.Raw)
		default:
			err = apierr.Invalid("invalid_type", path, "%s must be a string or object", path)
		}
		return err == nil
	})
	return err
}

// duplicateKey returns the first key that appears twice in the top-level object, a
// message object, a content part, a tool call or its function object ("" if none). JSON parsers disagree on which copy
// wins (gjson takes the first, most upstream parsers the last), so a duplicate would let
// a request show the guard one value and the model another.
func refDuplicateKey(root gjson.Result) (string, bool) {
	if k, ok := refDupIn(root, ""); ok {
		return k, true
	}
	var found string
	var dup bool
	i := 0
	root.Get("messages").ForEach(func(_, m gjson.Result) bool {
		base := "messages." + strconv.Itoa(i)
		i++
		if found, dup = refDupIn(m, base+"."); dup {
			return false
		}
		j := 0
		m.Get("content").ForEach(func(_, p gjson.Result) bool {
			found, dup = refDupIn(p, base+".content."+strconv.Itoa(j)+".")
			j++
			return !dup
		})
		if calls := m.Get("tool_calls"); !dup && calls.IsArray() {
			j = 0
			calls.ForEach(func(_, c gjson.Result) bool {
				prefix := base + ".tool_calls." + strconv.Itoa(j) + "."
				j++
				if found, dup = refDupIn(c, prefix); !dup {
					found, dup = refDupIn(c.Get("function"), prefix+"function.")
				}
				return !dup
			})
		}
		return !dup
	})
	return found, dup
}

// dupIn checks one object; objects are small, so a linear scan beats a map.
// (Fixed: it reports found separately, see the file comment.)
func refDupIn(obj gjson.Result, prefix string) (string, bool) {
	if !obj.IsObject() {
		return "", false
	}
	var keys []string
	var dup string
	var found bool
	obj.ForEach(func(k, _ gjson.Result) bool {
		for _, seen := range keys {
			if seen == jstr(k) {
				dup, found = prefix+jstr(k), true
				return false
			}
		}
		keys = append(keys, jstr(k))
		return true
	})
	return dup, found
}

// typeName describes a JSON value's type for error messages.
func refTypeName(v gjson.Result) string {
	switch {
	case !v.Exists():
		return "nothing"
	case v.IsObject():
		return "an object"
	case v.IsArray():
		return "an array"
	}
	switch v.Type {
	case gjson.String:
		return "a string"
	case gjson.Number:
		return "a number"
	case gjson.True, gjson.False:
		return "a boolean"
	case gjson.Null:
		return "null"
	}
	return "an unknown value"
}
