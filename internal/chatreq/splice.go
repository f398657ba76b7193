package chatreq

import (
	"errors"
	"strings"
)

// editState tracks where the top-level members are in the last body SetMember
// returned, so that successive rewrites need no new parse.
type editState struct {
	cur     []byte // the body the positions describe
	members []span
	close   int // offset of the root object's closing brace in cur
}

type span struct {
	key        string
	start, end int
}

// SetMember returns body with the top-level member name set to raw, a JSON value:
// the old value's bytes are replaced when the member exists (the first one, as sjson
// and gjson pick), otherwise `,"name":raw` is inserted just before the root object's
// closing brace (without the comma in an empty object), as sjson does. Every other byte
// is kept, including whitespace around the root object. body is not modified.
//
// body is normally the body given to Parse or the result of an earlier SetMember on
// this Request: their member positions are known and the rewrite is a copy with a
// splice. Any other body (for example one rewritten with sjson in between) is first
// scanned once for its top-level members. The body given to Parse is recognised by
// identity (same slice), so it must not have been modified in place since. A Request
// is not safe for concurrent SetMember calls.
func (r *Request) SetMember(body []byte, name, raw string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, "\"\\") || !plain(name) {
		return nil, errors.New("chatreq: SetMember needs a plain key")
	}
	if !validValue(raw) {
		return nil, errors.New("chatreq: SetMember needs a JSON value")
	}
	st, err := r.editsFor(body)
	if err != nil {
		return nil, err
	}
	for k := range st.members {
		m := &st.members[k]
		if m.key != name {
			continue
		}
		out := make([]byte, 0, len(body)-(m.end-m.start)+len(raw))
		out = append(out, body[:m.start]...)
		out = append(out, raw...)
		out = append(out, body[m.end:]...)
		delta := len(raw) - (m.end - m.start)
		for l := range st.members {
			if st.members[l].start > m.start {
				st.members[l].start += delta
				st.members[l].end += delta
			}
		}
		m.end = m.start + len(raw)
		st.close += delta
		st.cur = out
		return out, nil
	}
	at := st.close
	out := make([]byte, 0, len(body)+len(name)+len(raw)+4)
	out = append(out, body[:at]...)
	if len(st.members) > 0 {
		out = append(out, ',')
	}
	out = append(out, '"')
	out = append(out, name...)
	out = append(out, '"', ':')
	start := len(out)
	out = append(out, raw...)
	st.members = append(st.members, span{name, start, len(out)})
	st.close = len(out)
	out = append(out, body[at:]...)
	st.cur = out
	return out, nil
}

// editsFor returns the member positions for body, locating them when body is not the
// body they describe.
func (r *Request) editsFor(body []byte) (*editState, error) {
	if r.edit != nil && sameSlice(body, r.edit.cur) {
		return r.edit, nil
	}
	if r.edit == nil && sameSlice(body, r.body) && r.close < len(body) && body[r.close] == '}' {
		st := &editState{cur: body, close: r.close, members: make([]span, len(r.members))}
		for i, m := range r.members {
			st.members[i] = span{m.key, m.v.start, m.v.end}
		}
		r.edit = st
		return st, nil
	}
	st, err := locate(body)
	if err != nil {
		return nil, err
	}
	r.edit = st
	return st, nil
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// locate finds the top-level members of a JSON object in one validating walk.
func locate(body []byte) (*editState, error) {
	p := scanner{s: string(body)}
	st := &editState{cur: body}
	p.ws()
	if p.peek() != '{' {
		return nil, errors.New("chatreq: body is not a JSON object")
	}
	more, ok := p.open('}')
	for more && ok {
		var k string
		if k, ok = p.key(true); !ok {
			break
		}
		var v value
		if v, ok = p.value(); !ok {
			break
		}
		st.members = append(st.members, span{k, v.start, v.end})
		more, ok = p.next('}')
	}
	st.close = p.i - 1
	if p.ws(); !ok || p.i != len(p.s) {
		return nil, errors.New("chatreq: body is not valid JSON")
	}
	return st, nil
}

// plain reports whether a key needs no escaping in JSON.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return false
		}
	}
	return true
}

func validValue(raw string) bool {
	p := scanner{s: raw}
	p.ws()
	if p.peek() == 0 {
		return false
	}
	_, ok := p.value()
	p.ws()
	return ok && p.i == len(raw)
}
