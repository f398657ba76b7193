package llmreq

// A reference reading of chat, agents and FIM requests, written the simple way: the
// body is validated by gjson, walked recursively with gjson's ForEach, and every
// rule is restated directly (which key clashes, which field is what, which string is
// text). The differential tests check that Parse, the tape-based pipeline, agrees
// with it on every body: the same error (code and param), or the same segments in
// the same order, the same messages, model, stream and prompt length.

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/tidwall/gjson"
)

type refSeg struct {
	Text   string
	Origin Origin
	Field  Field
	Role   string
	Msg    int
}

type refReq struct {
	Model, AgentID string
	Stream         bool
	Messages       int
	PromptChars    int
	Segs           []refSeg
}

// rstr is a string's contents through the repository's decoder (gjson's differs
// after lone surrogates).
func rstr(v gjson.Result) string {
	s, _ := jsonscan.Unquote(v.Raw)
	return s
}

func rkey(k gjson.Result) string { return rstr(k) }

// rget is the first member named key (gjson paths would interpret dots and escapes).
func rget(obj gjson.Result, key string) gjson.Result {
	var out gjson.Result
	if !obj.IsObject() {
		return out
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		if rkey(k) == key {
			out = v
			return false
		}
		return true
	})
	return out
}

func rdepth(v gjson.Result) int {
	if !v.IsObject() && !v.IsArray() {
		return 0
	}
	d := 0
	v.ForEach(func(_, c gjson.Result) bool { d = max(d, rdepth(c)); return true })
	return d + 1
}

type refParser struct {
	api     API
	root    gjson.Result
	marks   map[int]Field   // by value offset
	ctx     map[int]context // by value offset
	opaque  map[int]bool
	decoded map[int]string
	req     refReq
}

func refParse(api API, body []byte) (*refReq, *apierr.Error) {
	if len(body) == 0 {
		return nil, apierr.Invalid("missing_body", "", "")
	}
	if !gjson.ValidBytes(body) {
		// a scan stops at the first container past the limit, before any later fault
		var v any
		if se, ok := json.Unmarshal(body, &v).(*json.SyntaxError); ok && nestingBefore(body, int(se.Offset)) > DefaultMaxDepth {
			return nil, apierr.Invalid("too_deep", "", "")
		}
		return nil, apierr.Invalid("invalid_json", "", "")
	}
	root := gjson.ParseBytes(body)
	if rdepth(root) > DefaultMaxDepth {
		return nil, apierr.Invalid("too_deep", "", "")
	}
	if !root.IsObject() {
		return nil, apierr.Invalid("invalid_body", "", "")
	}
	p := &refParser{api: api, root: root, marks: map[int]Field{}, ctx: map[int]context{}, opaque: map[int]bool{}, decoded: map[int]string{}}
	if err := p.keys(root, rootPath); err != nil {
		return nil, err
	}
	var err *apierr.Error
	root.ForEach(func(k, _ gjson.Result) bool {
		f := strings.NewReplacer("_", "", "-", "").Replace(string(jsonscan.AppendFold(nil, rkey(k))))
		if f == "apikey" || f == "xapikey" {
			err = apierr.Invalid("credential_in_body", rkey(k), "")
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	rootKeys := map[API]*keySet{Chat: chatRoot, Agents: agentsRoot, FIM: fimRoot}[api]
	if err := p.known(root, rootPath, rootKeys); err != nil {
		return nil, err
	}
	switch api {
	case Chat, Agents:
		if err = p.messages(); err == nil {
			if api == Chat {
				err = p.reqString("model")
			} else if err = p.reqString("agent_id"); err == nil {
				p.req.AgentID = rstr(rget(root, "agent_id"))
			}
		}
		for _, k := range []string{"tools", "functions", "response_format"} {
			if v := rget(root, k); v.Exists() && (api == Chat || k != "functions") {
				p.ctx[v.Index] = context{origin: OriginToolDef, msg: -1}
			}
		}
	case FIM:
		if err = p.reqString("model"); err == nil {
			if err = p.reqString("prompt"); err == nil {
				p.marks[rget(root, "prompt").Index] = FieldPrompt
				if s := rget(root, "suffix"); s.Exists() && s.Type != gjson.Null {
					if s.Type != gjson.String {
						err = apierr.Invalid("invalid_type", "suffix", "")
					} else {
						p.marks[s.Index] = FieldPrompt
					}
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if m := rget(root, "model"); m.Type == gjson.String {
		p.req.Model = rstr(m)
	}
	if s := rget(root, "stream"); s.Exists() && s.Type != gjson.Null {
		if s.Type != gjson.True && s.Type != gjson.False {
			return nil, apierr.Invalid("invalid_type", "stream", "")
		}
		p.req.Stream = s.Type == gjson.True
	}
	if err := p.media(root, rootPath); err != nil {
		return nil, err
	}
	p.collect(root, context{msg: -1}, "", false)
	for _, s := range p.req.Segs {
		p.req.PromptChars += utf8.RuneCountInString(s.Text)
	}
	return &p.req, nil
}

// nestingBefore is the deepest nesting of containers opened in body[:n], outside strings.
func nestingBefore(body []byte, n int) int {
	depth, most, inStr := 0, 0, false
	for i := 0; i < n && i < len(body); i++ {
		switch c := body[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[' || c == '{':
			depth++
			most = max(most, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return most
}

// rootPath is the path of the root object for join.
const rootPath = "\x00"

func join(path, k string) string {
	k = escapePath(k)
	if path == rootPath {
		return k
	}
	return path + "." + k
}

func escapePath(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if strings.IndexByte(`.*?\`, k[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

// keys checks every object, in pre-order, for keys that fold alike.
func (p *refParser) keys(v gjson.Result, path string) *apierr.Error {
	var err *apierr.Error
	if v.IsObject() {
		var seen []string
		each(v, func(k, _ gjson.Result) bool {
			key := rkey(k)
			for _, s := range seen {
				if jsonscan.EqualFold(s, key) || string(jsonscan.AppendFold(nil, s)) == string(jsonscan.AppendFold(nil, key)) {
					code := "ambiguous_key"
					if s == key {
						code = "duplicate_key"
					}
					err = apierr.Invalid(code, join(path, key), "")
					return false
				}
			}
			seen = append(seen, key)
			return true
		})
		if err != nil {
			return err
		}
	}
	i := 0
	each(v, func(k, c gjson.Result) bool {
		cp := join(path, strconv.Itoa(i))
		if v.IsObject() {
			cp = join(path, rkey(k))
		}
		i++
		err = p.keys(c, cp)
		return err == nil
	})
	return err
}

func (p *refParser) known(obj gjson.Result, path string, ks *keySet) *apierr.Error {
	var err *apierr.Error
	if !obj.IsObject() {
		return nil
	}
	obj.ForEach(func(k, _ gjson.Result) bool {
		key := rkey(k)
		if ks.exact.has(key) {
			return true
		}
		for _, name := range ks.names {
			if string(jsonscan.AppendFold(nil, name)) == string(jsonscan.AppendFold(nil, key)) {
				err = apierr.Invalid("ambiguous_key", join(path, key), "")
				return false
			}
		}
		return true
	})
	return err
}

func (p *refParser) reqString(key string) *apierr.Error {
	v := rget(p.root, key)
	if !v.Exists() {
		return apierr.Invalid("missing_field", key, "")
	}
	if v.Type != gjson.String || rstr(v) == "" {
		return apierr.Invalid("invalid_type", key, "")
	}
	return nil
}

func (p *refParser) messages() *apierr.Error {
	msgs := rget(p.root, "messages")
	if !msgs.Exists() {
		return apierr.Invalid("missing_field", "messages", "")
	}
	if !msgs.IsArray() {
		return apierr.Invalid("invalid_type", "messages", "")
	}
	var err *apierr.Error
	i := 0
	msgs.ForEach(func(_, m gjson.Result) bool {
		err = p.message(i, m)
		i++
		return err == nil
	})
	if err != nil {
		return err
	}
	if i == 0 {
		return apierr.Invalid("invalid_value", "messages", "")
	}
	p.req.Messages = i
	return nil
}

func (p *refParser) message(i int, m gjson.Result) *apierr.Error {
	base := "messages." + strconv.Itoa(i)
	if !m.IsObject() {
		return apierr.Invalid("invalid_type", base, "")
	}
	if err := p.known(m, base, chatMessageKeys); err != nil {
		return err
	}
	role := rget(m, "role")
	if role.Type != gjson.String || rstr(role) == "" {
		return apierr.Invalid("invalid_type", base+".role", "")
	}
	p.ctx[m.Index] = context{origin: roleOrigin(rstr(role)), role: rstr(role), msg: int32(i)}
	c := rget(m, "content")
	switch {
	case !c.Exists() || c.Type == gjson.Null:
	case c.Type == gjson.String:
		p.marks[c.Index] = FieldContent
	case !c.IsArray():
		return apierr.Invalid("invalid_type", base+".content", "")
	default:
		var err *apierr.Error
		j := 0
		c.ForEach(func(_, part gjson.Result) bool {
			pp := base + ".content." + strconv.Itoa(j)
			j++
			switch {
			case part.Type == gjson.String:
				p.marks[part.Index] = FieldContent
			case !part.IsObject():
				err = apierr.Invalid("invalid_type", pp, "")
			default:
				if err = p.known(part, pp, chatPartKeys); err == nil {
					if t := rget(part, "text"); t.Exists() {
						if t.Type != gjson.String {
							err = apierr.Invalid("invalid_type", pp+".text", "")
						} else {
							p.marks[t.Index] = FieldContent
						}
					}
				}
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	if n := rget(m, "name"); n.Exists() && n.Type != gjson.Null {
		if n.Type != gjson.String {
			return apierr.Invalid("invalid_type", base+".name", "")
		}
		p.marks[n.Index] = FieldName
	}
	if calls := rget(m, "tool_calls"); calls.Exists() && calls.Type != gjson.Null {
		if !calls.IsArray() {
			return apierr.Invalid("invalid_type", base+".tool_calls", "")
		}
		var err *apierr.Error
		j := 0
		calls.ForEach(func(_, call gjson.Result) bool {
			cp := base + ".tool_calls." + strconv.Itoa(j)
			j++
			if !call.IsObject() {
				return true
			}
			if err = p.known(call, cp, toolCallKeys); err != nil {
				return false
			}
			fn := rget(call, "function")
			if !fn.IsObject() {
				return true
			}
			if err = p.known(fn, cp+".function", functionKeys); err != nil {
				return false
			}
			err = p.args(fn, cp+".function")
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	if fc := rget(m, "function_call"); fc.IsObject() {
		if err := p.known(fc, base+".function_call", functionKeys); err != nil {
			return err
		}
		return p.args(fc, base+".function_call")
	}
	return nil
}

func (p *refParser) args(fn gjson.Result, path string) *apierr.Error {
	a := rget(fn, "arguments")
	switch {
	case !a.Exists() || a.Type == gjson.Null || a.IsObject():
	case a.Type == gjson.String:
		p.marks[a.Index] = FieldToolArgs
	default:
		return apierr.Invalid("invalid_type", path+".arguments", "")
	}
	return nil
}

// media finds media parts by their type, in pre-order; a file whose payload is
// base64 UTF-8 text is read as text, any other media is refused (the differential
// runs with no opaque input allowed).
func (p *refParser) media(v gjson.Result, path string) *apierr.Error {
	var err *apierr.Error
	if ty := rget(v, "type"); v.IsObject() && ty.Type == gjson.String {
		if kind, ok := mediaTypes[rstr(ty)]; ok {
			src := rget(v, "source")
			if st := rstr(rget(src, "type")); kind == MediaFile && src.IsObject() && (st == "text" || st == "content") {
				if d := rget(src, "data"); st == "text" && d.Type == gjson.String {
					p.marks[d.Index] = FieldContent
				}
			} else {
				decoded := false
				each(v, func(k, c gjson.Result) bool {
					if payloadKeys[rkey(k)] {
						p.opaque[c.Index] = true
						if kind == MediaFile && !decoded {
							decoded = p.decode(c, rkey(k))
						}
					}
					return true
				})
				if !decoded {
					return apierr.Invalid("unsupported_content", path, "")
				}
			}
		}
	}
	i := 0
	each(v, func(k, c gjson.Result) bool {
		cp := join(path, strconv.Itoa(i))
		if v.IsObject() {
			cp = join(path, rkey(k))
		}
		i++
		err = p.media(c, cp)
		return err == nil
	})
	return err
}

// decode finds, in pre-order, the first string under v that is a base64 data: URL,
// or base64 under a "data" or "file_data" key, that decodes to text.
func (p *refParser) decode(v gjson.Result, key string) bool {
	if v.Type == gjson.String {
		s := rstr(v)
		if rest, ok := strings.CutPrefix(s, "data:"); ok {
			head, b64, ok := strings.Cut(rest, ",")
			if !ok || !strings.HasSuffix(head, ";base64") {
				return false
			}
			s = b64
		} else if key != "data" && key != "file_data" {
			return false
		}
		if text, ok := base64Text(s); ok {
			p.decoded[v.Index] = text
			return true
		}
		return false
	}
	found := false
	each(v, func(k, c gjson.Result) bool {
		ck := ""
		if v.IsObject() {
			ck = rkey(k)
		}
		found = p.decode(c, ck)
		return !found
	})
	return found
}

// emitDecoded adds the decoded texts found inside an opaque subtree.
func (p *refParser) emitDecoded(v gjson.Result, c context) {
	if cc, ok := p.ctx[v.Index]; ok {
		c = cc
	}
	if text, ok := p.decoded[v.Index]; ok && v.Type == gjson.String {
		p.req.Segs = append(p.req.Segs, refSeg{text, OriginDocument, FieldDecoded, c.role, int(c.msg)})
	}
	each(v, func(_, ch gjson.Result) bool { p.emitDecoded(ch, c); return true })
}

// collect lists every string in pre-order with the context of its nearest
// ancestor that has one.
func (p *refParser) collect(v gjson.Result, c context, key string, inArray bool) {
	if cc, ok := p.ctx[v.Index]; ok && v.Index > 0 {
		c = cc
	}
	if p.opaque[v.Index] && v.Index > 0 {
		p.emitDecoded(v, c)
		return
	}
	if v.Type == gjson.String {
		f, marked := p.marks[v.Index]
		if !marked {
			f = FieldData
			if signedKeys.has(key) || (inertKeys.has(key) && tokenLike(v.Raw)) {
				return
			}
		}
		p.req.Segs = append(p.req.Segs, refSeg{rstr(v), c.origin, f, c.role, int(c.msg)})
		return
	}
	each(v, func(k, ch gjson.Result) bool {
		childKey := key
		if v.IsObject() {
			lit := k.Raw
			if keyReadsAsText(lit) {
				p.req.Segs = append(p.req.Segs, refSeg{rkey(k), c.origin, FieldKey, c.role, int(c.msg)})
			}
			childKey = ""
			if !strings.Contains(lit, `\`) {
				childKey = lit[1 : len(lit)-1]
			}
		} else if inArray || !v.IsArray() {
			childKey = ""
		}
		p.collect(ch, c, childKey, v.IsArray())
		return true
	})
}

// each is ForEach for containers only (gjson calls fn once with a scalar itself).
func each(v gjson.Result, fn func(k, c gjson.Result) bool) {
	if v.IsObject() || v.IsArray() {
		v.ForEach(fn)
	}
}
