package llmreq

import (
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// adapter is what one API adds to the shared pipeline: the top-level keys it knows
// (for the ambiguity check), its token budget fields, and parse, which validates
// its fields and says who wrote each part of the body (setCtx) and which strings
// are message texts, prompts or tool arguments (mark). Every other string is
// collected as data by the pipeline.
type adapter struct {
	root    *keySet
	budgets []budgetSpec // the first is where a default budget is set
	parse   func(p *parser) *apierr.Error
}

// budgetSpec names a completion-budget field: a top-level member (obj "") or a
// member of a top-level object.
type budgetSpec struct{ obj, key string }

// Name is the field's path, e.g. "completion_args.max_tokens".
func (b budgetSpec) Name() string {
	if b.obj == "" {
		return b.key
	}
	return b.obj + "." + b.key
}

var adapters = [numAPIs]*adapter{
	Chat:          {root: chatRoot, budgets: []budgetSpec{{"", "max_tokens"}, {"", "max_completion_tokens"}}, parse: parseChat},
	Agents:        {root: agentsRoot, budgets: []budgetSpec{{"", "max_tokens"}}, parse: parseAgents},
	FIM:           {root: fimRoot, budgets: []budgetSpec{{"", "max_tokens"}}, parse: parseFIM},
	Responses:     {root: responsesRoot, budgets: []budgetSpec{{"", "max_output_tokens"}}, parse: parseResponses},
	Messages:      {root: messagesRoot, budgets: []budgetSpec{{"", "max_tokens"}}, parse: parseMessages},
	Conversations: {root: conversationsRoot, budgets: []budgetSpec{{"completion_args", "max_tokens"}}, parse: parseConversations},
	Completions:   {root: completionsRoot, budgets: []budgetSpec{{"", "max_tokens"}}, parse: parseCompletions},
	Embeddings:    {root: embeddingsRoot, parse: parseEmbeddings},
}

// inertKeys are keys whose values are identifiers, names of models and roles, or
// enum values: not text a model reads. Only a short token (see tokenLike) under one
// of them is skipped; anything longer, or with whitespace, is inspected anyway.
var inertKeys = newNameTable([]string{
	"model", "role", "type", "id", "object", "status", "tool_call_id", "call_id", "tool_use_id", "item_id",
	"response_id", "previous_response_id", "conversation_id", "agent_id", "from_entry_id", "file_id", "detail",
	"format", "media_type", "mime_type", "encoding_format", "tool_choice", "service_tier", "reasoning_effort",
	"effort", "user", "user_id", "prompt_cache_key", "safety_identifier", "truncation", "include", "modalities",
	"voice", "verbosity", "prompt_mode", "handoff_execution", "created_at", "completed_at", "output_dtype",
	"summary", "cache_control", "ttl", "anthropic_version",
}, nil)

// roleOrigin maps a message role to the origin of its texts.
func roleOrigin(role string) Origin {
	switch lowerASCII(role) {
	case "system", "developer":
		return OriginSystem
	case "assistant", "model":
		return OriginAssistant
	case "tool", "function", "ipython":
		return OriginTool
	}
	return OriginUser
}

// definitions gives the tool, function and schema definitions at the top level
// the origin OriginToolDef.
func (p *parser) definitions(names ...string) {
	for _, k := range names {
		if i := p.t.Member(0, k); i >= 0 {
			p.setCtx(i, context{origin: OriginToolDef, msg: -1})
		}
	}
}

// messageArray checks the top-level member name is a non-empty array and calls fn
// for each element; it sets Request.Messages.
func (p *parser) messageArray(name string, fn func(m, i int) *apierr.Error) *apierr.Error {
	t := p.t
	msgs := t.Member(0, name)
	switch {
	case msgs < 0:
		return apierr.Invalid("missing_field", name, "%s is required", name)
	case t.Nodes[msgs].Kind != jsonscan.Array:
		return apierr.Invalid("invalid_type", name, "%s must be an array of message objects, got %s", name, t.Nodes[msgs].Kind)
	}
	if err := p.each(msgs, fn); err != nil {
		return err
	}
	n := t.Len(msgs)
	if n == 0 {
		return apierr.Invalid("invalid_value", name, "%s must contain at least one message", name)
	}
	p.r.Messages = n
	return nil
}

// role reads message m's role: a non-empty string, required.
func (p *parser) role(m int) (string, *apierr.Error) {
	t := p.t
	r := t.Member(m, "role")
	if r < 0 || t.Nodes[r].Kind != jsonscan.String || t.Nodes[r].End-t.Nodes[r].Start == 2 {
		base := p.path(m)
		return "", apierr.Invalid("invalid_type", base+".role", "%s.role must be a non-empty string", base)
	}
	return t.Str(r), nil
}

// message gives message m (element i, with the given role) its context.
func (p *parser) message(m, i int, role string) {
	p.setCtx(m, context{origin: roleOrigin(role), role: role, msg: int32(i)})
}

// textMember marks the member name of object i as a text of field f when it is a
// string; a present non-string, non-null value is an error when strict.
func (p *parser) textMember(i int, name string, f Field, strict bool) *apierr.Error {
	t := p.t
	v := t.Member(i, name)
	switch {
	case v < 0:
	case t.Nodes[v].Kind == jsonscan.String:
		p.mark(v, f)
	case strict:
		path := t.Path(i)
		return apierr.Invalid("invalid_type", path+"."+name, "%s.%s must be a string", path, name)
	}
	return nil
}

// promptField reads a prompt given as a string, an array of strings or token ids
// (an array of numbers, or of arrays of numbers); token ids are media (MediaTokens).
func (p *parser) promptField(i int, name string) *apierr.Error {
	t := p.t
	switch p.kind(i) {
	case 0, jsonscan.Null:
		return nil
	case jsonscan.String:
		p.mark(i, FieldPrompt)
		return nil
	case jsonscan.Array:
	default:
		return apierr.Invalid("invalid_type", name, "%s must be a string, an array of strings or an array of token ids, got %s", name, t.Nodes[i].Kind)
	}
	var strs, toks int
	for j := t.First(i); j >= 0; j = t.Next(j) {
		switch t.Nodes[j].Kind {
		case jsonscan.String:
			p.mark(j, FieldPrompt)
			strs++
		case jsonscan.Number:
			toks++
		case jsonscan.Array:
			for k := t.First(j); k >= 0; k = t.Next(k) {
				if t.Nodes[k].Kind != jsonscan.Number {
					return apierr.Invalid("invalid_type", t.Path(k), "%s must be a token id (a number), got %s", t.Path(k), t.Nodes[k].Kind)
				}
			}
			toks++
		default:
			return apierr.Invalid("invalid_type", t.Path(j), "%s must be a string or token ids, got %s", t.Path(j), t.Nodes[j].Kind)
		}
	}
	if toks > 0 {
		return p.allow(MediaTokens, i)
	}
	return nil
}

// hasSuffixAny reports whether s ends with one of the suffixes.
func hasSuffixAny(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// parts reads content given as a string (one text), null or absent, or an array of
// objects (each a noun, e.g. "content part", checked against keys and given to f) and,
// with texts, of strings (each one text).
func (p *parser) parts(c int, noun string, keys *keySet, texts bool, f func(part int) *apierr.Error) *apierr.Error {
	t := p.t
	switch p.kind(c) {
	case 0, jsonscan.Null:
		return nil
	case jsonscan.String:
		p.mark(c, FieldContent)
		return nil
	case jsonscan.Array:
	default:
		path := p.path(c)
		return apierr.Invalid("invalid_type", path, "%s must be a string or an array of %ss, got %s", path, noun, t.Nodes[c].Kind)
	}
	return p.each(c, func(part, _ int) *apierr.Error {
		if texts && t.Nodes[part].Kind == jsonscan.String {
			p.mark(part, FieldContent)
			return nil
		}
		if t.Nodes[part].Kind != jsonscan.Object {
			pp := p.path(part)
			return apierr.Invalid("invalid_type", pp, "%s must be a %s object, got %s", pp, noun, t.Nodes[part].Kind)
		}
		if err := p.known(part, keys); err != nil {
			return err
		}
		return f(part)
	})
}
