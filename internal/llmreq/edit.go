package llmreq

import (
	"errors"
	"slices"
	"strconv"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
)

// edit replaces body[start:end] with raw (an insertion when start == end).
type edit struct {
	start, end int
	raw        string
	seq        int // order of insertions at one offset
}

// ErrReleased is returned by rewrites after Release.
var ErrReleased = errors.New("llmreq: request released")

// SetText replaces the text of segment i (see Segment.Rewritable).
func (r *Request) SetText(i int, text string) error {
	s := &r.Segments[i]
	if !s.Rewritable() {
		return errors.New("llmreq: segment " + strconv.Itoa(i) + " (" + s.Field.String() + ") cannot be rewritten")
	}
	return r.replace(int(s.node), string(jsonstr.Append(nil, text)))
}

// Budget is one completion-budget field of the request.
type Budget struct {
	Name string // its path, e.g. "max_tokens" or "completion_args.max_tokens"
	spec budgetSpec
	node int // the value's node; -1 when absent
}

// Present reports whether the field is in the body (null included).
func (b Budget) Present() bool { return b.node >= 0 }

// Budgets lists the API's completion-budget fields; the first is where a default
// budget goes. Embeddings have none. The slice is the request's own (no adapter has
// more than two fields, so listing them allocates nothing): valid until the next call.
func (r *Request) Budgets() []Budget {
	out := r.budgets[:0]
	for _, spec := range r.ad.budgets {
		b := Budget{Name: spec.Name(), spec: spec, node: -1}
		if r.tape != nil {
			obj := 0
			if spec.obj != "" {
				obj = r.tape.Member(0, spec.obj)
			}
			if obj >= 0 && r.tape.Nodes[obj].Kind == jsonscan.Object {
				b.node = r.tape.Member(obj, spec.key)
			}
		}
		out = append(out, b)
	}
	return out
}

// BudgetValue returns the field's kind and raw JSON value (0 and "" when absent).
func (r *Request) BudgetValue(b Budget) (jsonscan.Kind, string) {
	if b.node < 0 || r.tape == nil {
		return 0, ""
	}
	return r.tape.Nodes[b.node].Kind, r.tape.Raw(b.node)
}

// BudgetInt returns the field's value as an integer (see jsonscan.Tape.Int).
func (r *Request) BudgetInt(b Budget) (int64, bool) {
	if b.node < 0 || r.tape == nil {
		return 0, false
	}
	return r.tape.Int(b.node)
}

// SetBudget sets the field to n: the value is replaced, or the member inserted
// (with its enclosing object when that is absent or null).
func (r *Request) SetBudget(b Budget, n int) error {
	v := strconv.Itoa(n)
	if b.node >= 0 {
		return r.replace(b.node, v)
	}
	if b.spec.obj == "" {
		return r.insert(0, b.spec.key, v)
	}
	return r.SetMember(0, b.spec.obj, func() string {
		return `{` + string(jsonstr.Append(nil, b.spec.key)) + `:` + v + `}`
	}, func(obj int) error { return r.insert(obj, b.spec.key, v) })
}

// SetMember sets member name of object obj: when it holds an object and inside is
// given, inside(node) edits it; otherwise its value (or a new member) becomes
// whole().
func (r *Request) SetMember(obj int, name string, whole func() string, inside func(node int) error) error {
	if r.tape == nil {
		return ErrReleased
	}
	m := r.tape.Member(obj, name)
	switch {
	case m >= 0 && inside != nil && r.tape.Nodes[m].Kind == jsonscan.Object:
		return inside(m)
	case m >= 0:
		return r.replace(m, whole())
	}
	return r.insert(obj, name, whole())
}

// Member returns the node of the first member name of object obj, or -1.
func (r *Request) Member(obj int, name string) int {
	if r.tape == nil {
		return -1
	}
	return r.tape.Member(obj, name)
}

// replace records the replacement of node i's value. It supersedes earlier edits
// of the value or inside it (a text rewritten in a value now replaced whole).
func (r *Request) replace(i int, raw string) error {
	if r.tape == nil {
		return ErrReleased
	}
	n := &r.tape.Nodes[i]
	start, end := int(n.Start), int(n.End)
	kept := r.edits[:0]
	for _, e := range r.edits {
		if e.start >= start && e.end <= end && !(e.start == end && e.end == end) {
			continue
		}
		kept = append(kept, e)
	}
	r.edits = kept
	r.seq++
	r.edits = append(r.edits, edit{start: start, end: end, raw: raw, seq: r.seq})
	return nil
}

// insert records a new member name:raw at the end of object obj.
func (r *Request) insert(obj int, name, raw string) error {
	if r.tape == nil {
		return ErrReleased
	}
	n := &r.tape.Nodes[obj]
	if n.Kind != jsonscan.Object {
		return errors.New("llmreq: insert into a non-object")
	}
	if r.inserts == nil {
		r.inserts = map[int32]int{}
	}
	member := string(jsonstr.Append(nil, name)) + ":" + raw
	if r.inserts[int32(obj)] > 0 || r.tape.First(obj) >= 0 {
		member = "," + member
	}
	r.inserts[int32(obj)]++
	at := int(n.End) - 1 // the closing brace
	r.seq++
	r.edits = append(r.edits, edit{start: at, end: at, raw: member, seq: r.seq})
	return nil
}

// ErrOverlap is returned by Rewritten when two edits touch the same bytes (a
// value replaced as a whole and a text inside it).
var ErrOverlap = errors.New("llmreq: overlapping rewrites")

// Rewritten returns the body with every recorded edit applied, or nil when there
// is none. The body given to Parse is not modified.
func (r *Request) Rewritten() ([]byte, error) {
	if len(r.edits) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(r.edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.seq - b.seq
	})
	size := len(r.body)
	for _, e := range r.edits {
		size += len(e.raw) - (e.end - e.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, e := range r.edits {
		if e.start < last {
			return nil, ErrOverlap
		}
		out = append(out, r.body[last:e.start]...)
		out = append(out, e.raw...)
		last = e.end
	}
	return append(out, r.body[last:]...), nil
}
