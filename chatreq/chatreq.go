// Package chatreq reads LLM API request bodies (OpenAI-compatible and Mistral chat,
// Mistral FIM and agents) without decoding them into Go structs: it validates the shape
// the guard relies on and lists every text segment a model will read, with the sjson
// path where it lives, so that policies can measure, inspect or rewrite it in place.
package chatreq

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/egressguard/egressguard/apierr"
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
}

// Parse validates body as a request of the given kind. Errors are 400s naming the field.
func Parse(kind Kind, body []byte) (*Request, *apierr.Error) {
	if len(body) == 0 {
		return nil, apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	if !gjson.ValidBytes(body) {
		return nil, apierr.Invalid("invalid_json", "", "request body is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, apierr.Invalid("invalid_body", "", "request body must be a JSON object, got %s", typeName(root))
	}
	if key := duplicateKey(root); key != "" {
		return nil, apierr.Invalid("duplicate_key", key, "request body repeats the key %q; each key may appear once", key)
	}
	r := &Request{Kind: kind, Root: root}
	var err *apierr.Error
	switch kind {
	case KindChat:
		if err = r.parseMessages(root); err == nil {
			r.Model, err = requiredString(root, "model")
		}
	case KindAgents:
		if err = r.parseMessages(root); err == nil {
			r.AgentID, err = requiredString(root, "agent_id")
		}
	case KindFIM:
		if r.Model, err = requiredString(root, "model"); err == nil {
			err = r.parseFIM(root)
		}
	default:
		return nil, apierr.Invalid("invalid_body", "", "unsupported API kind %d", kind)
	}
	if err != nil {
		return nil, err
	}
	if s := root.Get("stream"); s.Exists() && s.Type != gjson.Null {
		if s.Type != gjson.True && s.Type != gjson.False {
			return nil, apierr.Invalid("invalid_type", "stream", "stream must be a boolean, got %s", typeName(s))
		}
		r.Stream = s.Bool()
	}
	return r, nil
}

func requiredString(root gjson.Result, key string) (string, *apierr.Error) {
	v := root.Get(key)
	if !v.Exists() {
		return "", apierr.Invalid("missing_field", key, "%s is required", key)
	}
	if v.Type != gjson.String || v.Str == "" {
		return "", apierr.Invalid("invalid_type", key, "%s must be a non-empty string, got %s", key, typeName(v))
	}
	return v.Str, nil
}

func (r *Request) add(path, role string, f Field, text string) {
	r.Segments = append(r.Segments, Segment{Path: path, Role: role, Field: f, Text: text})
	r.PromptChars += utf8.RuneCountInString(text)
}

func (r *Request) parseFIM(root gjson.Result) *apierr.Error {
	if _, err := requiredString(root, "prompt"); err != nil {
		return err
	}
	r.add("prompt", "", FieldPrompt, root.Get("prompt").Str)
	if s := root.Get("suffix"); s.Exists() && s.Type != gjson.Null {
		if s.Type != gjson.String {
			return apierr.Invalid("invalid_type", "suffix", "suffix must be a string, got %s", typeName(s))
		}
		r.add("suffix", "", FieldSuffix, s.Str)
	}
	return nil
}

func (r *Request) parseMessages(root gjson.Result) *apierr.Error {
	msgs := root.Get("messages")
	if !msgs.Exists() {
		return apierr.Invalid("missing_field", "messages", "messages is required")
	}
	if !msgs.IsArray() {
		return apierr.Invalid("invalid_type", "messages", "messages must be an array of message objects, got %s", typeName(msgs))
	}
	var err *apierr.Error
	i := 0
	msgs.ForEach(func(_, m gjson.Result) bool {
		err = r.parseMessage(i, m)
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

func (r *Request) parseMessage(i int, m gjson.Result) *apierr.Error {
	base := "messages." + strconv.Itoa(i)
	if !m.IsObject() {
		return apierr.Invalid("invalid_type", base, "%s must be an object, got %s", base, typeName(m))
	}
	role := m.Get("role")
	if role.Type != gjson.String || role.Str == "" {
		return apierr.Invalid("invalid_type", base+".role", "%s.role must be a non-empty string", base)
	}
	field := FieldContent
	if role.Str == "tool" || role.Str == "function" {
		field = FieldToolResult
	}
	if err := r.parseContent(base+".content", role.Str, field, m.Get("content")); err != nil {
		return err
	}
	if n := m.Get("name"); n.Exists() && n.Type != gjson.Null {
		if n.Type != gjson.String {
			return apierr.Invalid("invalid_type", base+".name", "%s.name must be a string", base)
		}
		r.add(base+".name", role.Str, FieldName, n.Str)
	}
	return r.parseToolCalls(base, role.Str, m.Get("tool_calls"))
}

// parseContent accepts a string, an array of content parts, or null/absent.
func (r *Request) parseContent(path, role string, f Field, c gjson.Result) *apierr.Error {
	switch {
	case !c.Exists() || c.Type == gjson.Null:
		return nil
	case c.Type == gjson.String:
		r.add(path, role, f, c.Str)
		return nil
	case !c.IsArray():
		return apierr.Invalid("invalid_type", path, "%s must be a string or an array of content parts, got %s", path, typeName(c))
	}
	var err *apierr.Error
	j := 0
	c.ForEach(func(_, part gjson.Result) bool {
		err = r.parsePart(path+"."+strconv.Itoa(j), role, f, part)
		j++
		return err == nil
	})
	return err
}

// parsePart reads one content part. Text lives in "text" (OpenAI/Mistral "text" parts);
// a bare string part is accepted as text. Non-text parts (image_url, input_audio, …) carry
// no text for the guard.
func (r *Request) parsePart(path, role string, f Field, part gjson.Result) *apierr.Error {
	if part.Type == gjson.String {
		r.add(path, role, f, part.Str)
		return nil
	}
	if !part.IsObject() {
		return apierr.Invalid("invalid_type", path, "%s must be a content part object, got %s", path, typeName(part))
	}
	if t := part.Get("text"); t.Exists() {
		if t.Type != gjson.String {
			return apierr.Invalid("invalid_type", path+".text", "%s.text must be a string", path)
		}
		r.add(path+".text", role, f, t.Str)
	}
	return nil
}

func (r *Request) parseToolCalls(base, role string, calls gjson.Result) *apierr.Error {
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
			r.add(path, role, FieldToolArgs, args.Str)
		case args.IsObject(): // Mistral accepts an object here
			r.add(path, role, FieldToolArgs, args.Raw)
		default:
			err = apierr.Invalid("invalid_type", path, "%s must be a string or object", path)
		}
		return err == nil
	})
	return err
}

// duplicateKey returns the first key that appears twice in the top-level object, a
// message object or a content part ("" if none). JSON parsers disagree on which copy
// wins (gjson takes the first, most upstream parsers the last), so a duplicate would let
// a request show the guard one value and the model another.
func duplicateKey(root gjson.Result) string {
	if k := dupIn(root, ""); k != "" {
		return k
	}
	var found string
	i := 0
	root.Get("messages").ForEach(func(_, m gjson.Result) bool {
		base := "messages." + strconv.Itoa(i)
		i++
		if found = dupIn(m, base+"."); found != "" {
			return false
		}
		j := 0
		m.Get("content").ForEach(func(_, p gjson.Result) bool {
			found = dupIn(p, base+".content."+strconv.Itoa(j)+".")
			j++
			return found == ""
		})
		return found == ""
	})
	return found
}

// dupIn checks one object; objects are small, so a linear scan beats a map.
func dupIn(obj gjson.Result, prefix string) string {
	if !obj.IsObject() {
		return ""
	}
	var keys []string
	var dup string
	obj.ForEach(func(k, _ gjson.Result) bool {
		for _, seen := range keys {
			if seen == k.Str {
				dup = prefix + k.Str
				return false
			}
		}
		keys = append(keys, k.Str)
		return true
	})
	return dup
}

// typeName describes a JSON value's type for error messages.
func typeName(v gjson.Result) string {
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
