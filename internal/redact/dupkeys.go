package redact

import "github.com/tidwall/gjson"

// Clients' JSON parsers (JavaScript's JSON.parse, Python's json) keep the
// last value of a repeated key; gjson.Get, like the redaction paths, finds
// the first. A response that repeats a key on a path whose strings are
// redacted could therefore show the client a copy that was never looked
// at. Such a payload is not the provider's wire format, so the redactors
// refuse it (RedactChatJSON) or treat it as text (SSETransformer).

// redactedPath lists, for each object on a redacted path, the keys that
// lead on (or hold redacted text) and the object kind each leads to.
var redactedPath = map[pathObj][]pathKey{
	objTop:      {{"choices", objChoice, true}},
	objChoice:   {{"message", objMessage, false}, {"delta", objMessage, false}, {"text", objNone, false}},
	objMessage:  {{"content", objPart, true}, {"tool_calls", objToolCall, true}},
	objPart:     {{"text", objNone, false}},
	objToolCall: {{"function", objFunction, false}},
	objFunction: {{"arguments", objNone, false}},
}

type pathObj uint8

const (
	objNone pathObj = iota
	objTop
	objChoice
	objMessage
	objPart
	objToolCall
	objFunction
)

// pathKey is one key of a redacted path; array says its value may be an
// array of objects of the next kind.
type pathKey struct {
	name  string
	next  pathObj
	array bool
}

// duplicateKey returns a key that occurs twice in one object on a redacted
// path of payload (valid JSON), or "".
func duplicateKey(payload string) string {
	return dupIn(gjson.Parse(payload), objTop)
}

func dupIn(v gjson.Result, kind pathObj) string {
	if kind == objNone {
		return ""
	}
	if v.IsArray() {
		dup := ""
		v.ForEach(func(_, el gjson.Result) bool {
			dup = dupIn(el, kind)
			return dup == ""
		})
		return dup
	}
	if !v.IsObject() {
		return ""
	}
	keys := redactedPath[kind]
	var seen uint8
	dup := ""
	v.ForEach(func(k, val gjson.Result) bool {
		for i, pk := range keys {
			if k.Str != pk.name {
				continue
			}
			if seen&(1<<i) != 0 {
				dup = pk.name
				return false
			}
			seen |= 1 << i
			if pk.array || val.IsObject() {
				dup = dupIn(val, pk.next)
			}
		}
		return dup == ""
	})
	return dup
}
