// Package llmreq reads the request bodies of every LLM API the guard understands
// (OpenAI-compatible chat, completions, embeddings and Responses, Mistral FIM,
// agents and conversations, Anthropic Messages, Azure OpenAI deployments) into one
// model: the texts a model will read, each with who wrote it, plus what the cost
// caps and rate limits need, and it rewrites the body by splicing at known offsets.
//
// One pipeline serves every API. The body is scanned once onto a jsonscan tape
// (iterative, depth-bounded); every object is checked for repeated keys and for keys
// that differ only by case or Unicode folding; the API's adapter (one small file per
// API) validates the fields it knows and says who wrote each part of the body; then
// EVERY string value becomes a text segment unless the adapter lists its key as inert
// (model names, roles, ids, enum values) and the value is a short token. Tool
// descriptions, JSON schema descriptions, metadata and fields added to an API after
// this code was written are therefore inspected too. Media that cannot be read as
// text (images, audio, binary files, token arrays) is refused unless the operator
// allows that kind of input.
package llmreq

import (
	"strings"
	"sync"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// API is the API a request path belongs to.
type API uint8

// APIs the guard understands.
const (
	None          API = iota // not an inspected API
	Chat                     // OpenAI-compatible / Mistral chat completions
	FIM                      // Mistral fill-in-the-middle
	Agents                   // Mistral agents completions
	Responses                // OpenAI Responses
	Messages                 // Anthropic Messages
	Conversations            // Mistral Conversations (start, append, restart)
	Completions              // legacy text completions
	Embeddings               // embeddings
	numAPIs
)

var apiNames = [numAPIs]string{"none", "chat", "fim", "agents", "responses", "messages", "conversations", "completions", "embeddings"}

// String names the API for logs, metrics and the audit line.
func (a API) String() string {
	if a < numAPIs {
		return apiNames[a]
	}
	return "unknown"
}

// Origin says who put a text into the request; it decides how much the text is
// trusted (see inspect.Origin) and which texts moderation reads.
type Origin uint8

// Origins of texts.
const (
	OriginUser      Origin = iota // written by the client's user (also unknown fields and metadata)
	OriginSystem                  // system or developer instructions
	OriginAssistant               // an earlier model turn, as the client replays it
	OriginTool                    // a tool or function result: third-party content
	OriginDocument                // a document or file placed in the context: third-party content
	OriginToolDef                 // a tool or function definition (names, descriptions, schemas)
)

var originNames = [...]string{"user", "system", "assistant", "tool", "document", "tool_definition"}

// String names the origin.
func (o Origin) String() string { return originNames[o] }

// Untrusted reports whether the text comes from a third party (tool results,
// documents) rather than from the client.
func (o Origin) Untrusted() bool { return o == OriginTool || o == OriginDocument }

// Field says what a text is.
type Field uint8

// Fields of a request that carry text.
const (
	FieldData     Field = iota // any other string value: metadata, descriptions, unknown fields
	FieldContent               // a message's text (a string content or a text part)
	FieldPrompt                // a prompt field: FIM prompt and suffix, completions prompt, embeddings input
	FieldToolArgs              // the arguments of a tool call
	FieldName                  // a message's name
	FieldKey                   // an object key that reads like text (cannot be rewritten)
	FieldDecoded               // text decoded from a base64 file (cannot be rewritten)
)

var fieldNames = [...]string{"data", "content", "prompt", "tool_arguments", "name", "key", "decoded_file"}

// String names the field for logs.
func (f Field) String() string { return fieldNames[f] }

// Segment is one text the model reads.
type Segment struct {
	Text   string
	Origin Origin
	Field  Field
	Role   string // the role of the enclosing message as given ("" outside messages)
	Msg    int    // index of the enclosing message (or input item); -1 outside messages
	node   int32  // tape node of the string value (of the member, for FieldKey); -1 when synthetic
}

// Rewritable reports whether the segment's text can be replaced in the body.
func (s *Segment) Rewritable() bool {
	return s.Field != FieldKey && s.Field != FieldDecoded && s.node >= 0
}

// Joined is the concatenation of the content parts of one message (of one
// origin), inspected as a whole so that text split across parts is seen as the
// model sees it. Parts maps it back to the segments.
type Joined struct {
	Text  string
	First int // index of the first segment it joins
	Parts []JoinedPart
}

// JoinedPart is one segment's place in a Joined text.
type JoinedPart struct {
	Segment    int // index in Request.Segments
	Start, End int // its bytes in Joined.Text
}

// Media is one input the guard cannot read as text.
type Media struct {
	Kind MediaKind
	Path string // where it is, e.g. "messages.0.content.1"
}

// Options are the per-policy settings of Parse.
type Options struct {
	// MaxDepth bounds JSON nesting (400 too_deep beyond it); 0 means 64.
	MaxDepth int
	// Deployment is the model named by the path (Azure OpenAI deployments), used when
	// the body names none.
	Deployment string
	// Opaque lists the kinds of media that may pass uninspected.
	Opaque MediaSet
	// SkipMediaCheck accepts every kind of media (requests whose texts are not
	// inspected, such as embeddings with inspection off).
	SkipMediaCheck bool
}

// DefaultMaxDepth is the nesting limit when Options.MaxDepth is 0.
const DefaultMaxDepth = 64

// Request is the validated view of a request body. Release it when the decision is
// made; the exported fields stay valid after Release (they refer to the body, which
// must not be modified while they are in use).
type Request struct {
	API         API
	Model       string // the body's model, else the path's deployment ("" when neither)
	AgentID     string // Mistral agents and conversations
	Stream      bool
	Messages    int // messages or input items (1 for a string input)
	PromptChars int // Unicode code points over all segments
	Segments    []Segment
	Joined      []Joined
	Media       []Media // inputs passed uninspected because Options.Opaque allows them

	tape    *jsonscan.Tape
	st      *state
	budgets [2]Budget // backing of Budgets
	editBuf [2]edit   // backing of edits: most rewrites are one or two splices
	body    []byte
	ad      *adapter
	edits   []edit
	inserts map[int32]int // members inserted per object, for the commas
	seq     int
}

// Tape returns the scanned body (nil after Release).
func (r *Request) Tape() *jsonscan.Tape { return r.tape }

// Release returns the request's tape to the pool. Rewrites are no longer possible
// after it.
func (r *Request) Release() {
	if r == nil || r.tape == nil {
		return
	}
	r.tape.Release()
	r.tape = nil
	if st := r.st; st != nil {
		r.st = nil
		st.release()
	}
}

// Parse validates body as a request of the given API and lists its texts. Errors
// are OpenAI-style 400s naming the field; a body nested deeper than the limit is a
// 400 too_deep.
func Parse(api API, body []byte, opt Options) (*Request, *apierr.Error) {
	ad := adapters[api]
	if ad == nil {
		return nil, apierr.Invalid("invalid_body", "", "unsupported API %s", api)
	}
	if len(body) == 0 {
		return nil, apierr.Invalid("missing_body", "", "request body is empty; expected a JSON object")
	}
	depth := opt.MaxDepth
	if depth <= 0 {
		depth = DefaultMaxDepth
	}
	t := jsonscan.Get()
	if err := t.Scan(body, depth); err != nil {
		t.Release()
		return nil, scanError(err)
	}
	if k := t.Nodes[0].Kind; k != jsonscan.Object {
		t.Release()
		return nil, apierr.Invalid("invalid_body", "", "request body must be a JSON object, got %s", k)
	}
	r := &Request{API: api, tape: t, body: body, ad: ad}
	r.edits = r.editBuf[:0]
	p := newParser(r, opt)
	r.st = p.st
	if err := p.run(); err != nil {
		r.Release()
		return nil, err
	}
	return r, nil
}

func scanError(err *jsonscan.Error) *apierr.Error {
	if err.Kind == jsonscan.ErrTooDeep {
		return apierr.Invalid("too_deep", "", "request body nests JSON deeper than %d levels (at byte %d)", err.Limit, err.Offset)
	}
	return apierr.Invalid("invalid_json", "", "request body is not valid JSON: %s at byte %d", err.Detail, err.Offset)
}

// state is the per-parse scratch, pooled with its slices.
type state struct {
	ctx     []int32 // per node: index into ctxs (0: inherit the parent's)
	fields  []Field // per node: the field of a string the adapter named
	set     []bool  // per node: fields[i] is set
	ctxs    []context
	fold    []byte
	offs    []int32
	runeBuf []byte
	p       parser // the parse itself, pooled with its scratch rather than allocated per request
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func (st *state) release() {
	if cap(st.ctx) > 1<<16 {
		*st = state{}
	}
	clear(st.p.decoded) // the decoded texts belong to the request's segments
	st.p = parser{decoded: st.p.decoded[:0]}
	statePool.Put(st)
}

// lowerASCII lower-cases ASCII letters (paths and enum values).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
