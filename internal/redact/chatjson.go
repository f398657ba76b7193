package redact

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/tidwall/gjson"
)

// edit replaces body[start:end] with raw.
type edit struct {
	start, end int
	raw        []byte
}

// RedactChatJSON rewrites a non-streamed chat/FIM completion (OpenAI and
// Mistral shapes). Only choices[].message.content (a string or an array of
// text parts), choices[].message.tool_calls[].function.arguments and
// choices[].text are rewritten, by splicing new JSON strings over the old
// ones; every other byte is untouched. Tool-call arguments get PII/secret
// redaction only (no HTML or link rules). A body without choices is returned
// as is; one that repeats a key on those paths is an error (see duplicateKey).
func (r *Redactor) RedactChatJSON(body []byte, rc *RequestContext) ([]byte, Report, error) {
	var rep Report
	if !gjson.ValidBytes(body) {
		return nil, rep, fmt.Errorf("redact: response body (%d bytes) is not valid JSON", len(body))
	}
	if k := duplicateKey(string(body)); k != "" {
		return nil, rep, fmt.Errorf("redact: response body has a duplicate key %q on a redacted path", k)
	}
	var edits []edit
	var err error
	gjson.GetBytes(body, "choices").ForEach(func(_, ch gjson.Result) bool {
		msg := ch.Get("message")
		add := func(v gjson.Result, request bool) {
			if err == nil {
				err = r.editString(body, v, request, rc, &edits, &rep)
			}
		}
		r.eachContentString(msg.Get("content"), func(v gjson.Result) { add(v, false) })
		msg.Get("tool_calls").ForEach(func(_, tc gjson.Result) bool {
			add(tc.Get("function.arguments"), true)
			return true
		})
		add(ch.Get("text"), false)
		return err == nil
	})
	if err != nil {
		return nil, rep, err
	}
	return splice(body, edits), rep, nil
}

// RedactRequestJSON masks PII and secrets in a chat request before it leaves
// the mesh: messages[].content (string or text parts) and the FIM prompt and
// suffix fields.
func (r *Redactor) RedactRequestJSON(body []byte) ([]byte, Report, error) {
	var rep Report
	if !gjson.ValidBytes(body) {
		return nil, rep, fmt.Errorf("redact: request body (%d bytes) is not valid JSON", len(body))
	}
	var edits []edit
	var err error
	add := func(v gjson.Result) {
		if err == nil {
			err = r.editString(body, v, true, nil, &edits, &rep)
		}
	}
	gjson.GetBytes(body, "messages").ForEach(func(_, m gjson.Result) bool {
		r.eachContentString(m.Get("content"), add)
		return err == nil
	})
	add(gjson.GetBytes(body, "prompt"))
	add(gjson.GetBytes(body, "suffix"))
	if err != nil {
		return nil, rep, err
	}
	return splice(body, edits), rep, nil
}

// eachContentString calls f for a string content or for each text part of an
// array content.
func (r *Redactor) eachContentString(content gjson.Result, f func(gjson.Result)) {
	if content.Type == gjson.String {
		f(content)
		return
	}
	content.ForEach(func(_, part gjson.Result) bool {
		if t := part.Get("text"); t.Type == gjson.String {
			f(t)
		}
		return true
	})
}

// editString redacts the JSON string v (found in body) and records an edit
// when the text changed.
func (r *Redactor) editString(body []byte, v gjson.Result, request bool, rc *RequestContext, edits *[]edit, rep *Report) error {
	if v.Type != gjson.String {
		return nil
	}
	if v.Index <= 0 || v.Index+len(v.Raw) > len(body) || string(body[v.Index:v.Index+len(v.Raw)]) != v.Raw {
		return fmt.Errorf("redact: cannot locate JSON string at offset %d", v.Index)
	}
	var out string
	var rp Report
	if request {
		out, rp = r.redactRequest(v.Str)
	} else {
		out, rp = r.Redact(v.Str, rc)
	}
	rep.Merge(rp)
	if rp.Total() == 0 {
		return nil
	}
	*edits = append(*edits, edit{v.Index, v.Index + len(v.Raw), jsonstr.Append(nil, out)})
	return nil
}

// splice applies non-overlapping edits to body.
func splice(body []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return body
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	out := make([]byte, 0, len(body)+64)
	last := 0
	for _, e := range edits {
		out = append(out, body[last:e.start]...)
		out = append(out, e.raw...)
		last = e.end
	}
	return append(out, body[last:]...)
}

// appendJSONString2 appends a+b as one JSON string literal without
// concatenating them first. Invalid UTF-8 is judged in each part separately,
// as jsonstr.Append(a+b) would only if a ends on a rune boundary; Stream
// output always does, except after Flush, whose text is the b part.
func appendJSONString2(dst []byte, a, b string) []byte {
	if b == "" {
		return jsonstr.Append(dst, a)
	}
	if a != "" && !utf8.RuneStart(b[0]) {
		return jsonstr.Append(dst, a+b)
	}
	dst = append(dst, '"')
	dst = jsonstr.AppendContent(dst, a)
	return append(jsonstr.AppendContent(dst, b), '"')
}
