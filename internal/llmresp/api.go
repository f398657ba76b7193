package llmresp

import "github.com/egressguard/egressguard/internal/jsonscan"

// API is the response shape of a routed path.
type API uint8

// APIs. The zero API is no LLM API: responses pass through unchanged.
const (
	None          API = iota
	Chat              // OpenAI chat completions and compatible: Mistral chat, FIM and agents, Azure deployments
	Completions       // OpenAI legacy completions (choices[].text)
	Embeddings        // OpenAI-compatible embeddings: no text to redact in a successful response
	Responses         // OpenAI Responses (/v1/responses)
	Messages          // Anthropic Messages (/v1/messages)
	Conversations     // Mistral Conversations (/v1/conversations)
)

var apiNames = [...]string{"none", "chat", "completions", "embeddings", "responses", "messages", "conversations"}

func (a API) String() string {
	if int(a) < len(apiNames) {
		return apiNames[a]
	}
	return "unknown"
}

// mode is how a string is redacted.
type mode uint8

const (
	mInert mode = iota // left as it is
	mText              // every detector (redact.Redactor.Redact)
	mData              // PII and secrets (redact.Redactor.RedactData)
)

// Key names the text a string is a piece of: the pieces of one text are redacted as
// one (see the package doc). Kind names the channel ("content", "refusal", an event
// type, …); A, B and C are the API's indices (choice and tool call; output and
// content index; content block).
type Key struct {
	Kind    string
	A, B, C int32
}

// class is what the model says about one string.
type class struct {
	mode  mode
	key   Key  // zero Kind: redacted on its own
	delta bool // the piece continues in later SSE events (else only within its document)
	token bool // a logprob token: left unchanged unless its text needs redaction
	unit  int32
	out   bool // model output: part of the texts output moderation reads (per unit)
}

// model is one API's knowledge of its documents (a JSON body or an SSE event payload).
type model interface {
	// classify says how to redact the string or key at the end of p.
	classify(p *path) class
}

// modelFor returns the model of an API.
func modelFor(a API) model {
	switch a {
	case Chat, Completions:
		return chatModel{}
	case Responses:
		return responsesModel{}
	case Messages:
		return messagesModel{}
	case Conversations:
		return conversationsModel{}
	case errorAPI:
		return errorModel{}
	}
	return genericModel{}
}

// errorAPI is the model of error bodies (see errorModel).
const errorAPI API = 255

// errorModel redacts every non-inert string of an error body as data: providers
// echo the offending request in their errors, and no person reads them as output.
type errorModel struct{}

func (errorModel) classify(p *path) class {
	if inert(p) {
		return class{}
	}
	return class{mode: mData}
}

// genericModel applies the rule alone: every non-inert string is text, errors are data.
type genericModel struct{}

func (genericModel) classify(p *path) class {
	if inert(p) {
		return class{}
	}
	if p.under("error") {
		return class{mode: mData}
	}
	return class{mode: mText}
}

// path is the chain of values from a document's root to one of its nodes.
type path struct {
	t *jsonscan.Tape
	n []int32 // node indices, root first, the node itself last
}

func (p *path) len() int { return len(p.n) }

// leaf returns the node the path leads to.
func (p *path) leaf() int { return int(p.n[len(p.n)-1]) }

// keyIs reports whether the k-th node (0: the root) is a member with key name.
// Negative k counts from the leaf (-1: the leaf).
func (p *path) keyIs(k int, name string) bool {
	if k < 0 {
		k += len(p.n)
	}
	return k >= 0 && k < len(p.n) && p.t.KeyIs(int(p.n[k]), name)
}

// under reports whether some node on the path (the leaf included) is a member named key.
func (p *path) under(key string) bool {
	for _, n := range p.n[1:] {
		if p.t.KeyIs(int(n), key) {
			return true
		}
	}
	return false
}

// str returns the value of the string member name of node i's object ("" if none or
// not a string, or if the key is repeated: a repeated discriminator is ambiguous).
func (p *path) str(i int, name string) string {
	m := uniqueMember(p.t, i, name)
	if m < 0 || p.t.Nodes[m].Kind != jsonscan.String {
		return ""
	}
	return p.t.Str(m)
}

// typeOf returns the "type" member of the k-th node on the path.
func (p *path) typeOf(k int) string {
	if k < 0 {
		k += len(p.n)
	}
	if k < 0 || k >= len(p.n) {
		return ""
	}
	return p.str(int(p.n[k]), "type")
}

// intOf returns the integer member name of the k-th node, or def.
func (p *path) intOf(k int, name string, def int32) int32 {
	if k < 0 {
		k += len(p.n)
	}
	if k < 0 || k >= len(p.n) {
		return def
	}
	m := lastMember(p.t, int(p.n[k]), name)
	if m < 0 {
		return def
	}
	v, ok := p.t.Int(m)
	if !ok || v < -1<<31 || v > 1<<31-1 {
		return def
	}
	return int32(v)
}

// pos returns the position of the k-th node in its container.
func (p *path) pos(k int) int32 {
	if k < 0 {
		k += len(p.n)
	}
	return p.t.Nodes[p.n[k]].Index
}

// uniqueMember returns the member name of object i, or -1 when absent or repeated.
func uniqueMember(t *jsonscan.Tape, i int, name string) int {
	if t.Nodes[i].Kind != jsonscan.Object {
		return -1
	}
	found := -1
	want := int32(len(name) + 2)
	for j := t.First(i); j >= 0; j = t.Next(j) {
		if n := &t.Nodes[j]; n.Flags&jsonscan.KeyEscaped == 0 && n.KeyEnd-n.KeyStart != want {
			continue // t.KeyIs's length test, without the call
		}
		if t.KeyIs(j, name) {
			if found >= 0 {
				return -1
			}
			found = j
		}
	}
	return found
}

// lastMember returns the last member name of object i (the one JSON parsers keep), or -1.
func lastMember(t *jsonscan.Tape, i int, name string) int {
	if t.Nodes[i].Kind != jsonscan.Object {
		return -1
	}
	found := -1
	want := int32(len(name) + 2)
	for j := t.First(i); j >= 0; j = t.Next(j) {
		if n := &t.Nodes[j]; n.Flags&jsonscan.KeyEscaped == 0 && n.KeyEnd-n.KeyStart != want {
			continue // t.KeyIs's length test, without the call: in the VM a call is dear
		}
		if t.KeyIs(j, name) {
			found = j
		}
	}
	return found
}
