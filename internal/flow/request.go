package flow

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/policy"
)

// Exchange is the guard's state for one request/response exchange, filled in phase by
// phase. It never holds content, only what the later phases and the audit line need.
type Exchange struct {
	RequestID string
	Kind      chatreq.Kind
	Upstream  *config.Upstream
	Tenant    *credentials.Tenant // nil without client auth
	Ring      *credentials.Keyring
	KeyName   string
	key       string // the injected key's header value, to scrub echoes
	// Done is set once the guard answered locally: later phases leave the stream alone.
	Done bool
	// Resp is how the response body is handled.
	Resp RespMode
	// respAdd are headers added to the response (decisions taken after the request
	// headers left in Stream mode, moderation failing open, …).
	respAdd   [][2]string
	Model     string
	Injection *policy.Injection
	Req       *chatreq.Request // the parsed request (moderation context, usage estimate)
	Out       Outcome
}

// Head is what the request headers phase knows.
type Head struct {
	Method, Path, Authority string
	// Cluster is the Envoy cluster the route sends the request to ("" when unknown).
	Cluster       string
	ContentType   string
	ContentLength int64 // -1 when absent
	EndOfStream   bool  // headers-only request
	// Header reads any request header ("" when absent), for client authentication.
	Header func(name string) string
}

// HeadPlan is what to do with the request headers, applied in field order: remove,
// set, rewrite :path; then hold or continue. Reject means answer it and nothing else.
type HeadPlan struct {
	Reject        *apierr.Error
	RejectHeaders [][2]string
	Remove        []string    // request headers to remove
	Set           [][2]string // request headers to set, after Remove
	Path          string      // non-empty: the new :path (credential query parameters removed)
	StrippedQuery []string    // the query parameter names removed (for the log)
	// Hold pauses the headers until the body is decided (HoldHeaders mode only).
	Hold bool
	// Inspect: the body is buffered and decided (an inspected API path).
	Inspect bool
	// Exhausted: every key of the upstream is cooling down (Reject is the 503).
	Exhausted bool
}

// RequestHeaders plans the request headers phase and records routing, tenant and key in x.
func (pl *Planner) RequestHeaders(x *Exchange, h Head, now time.Time) HeadPlan {
	x.Out.Start = now
	x.Kind = pl.Policy.Route(h.Path)
	head := policy.RequestHead{Method: h.Method, Path: h.Path, ContentType: h.ContentType,
		ContentLength: h.ContentLength, EndOfStream: h.EndOfStream}
	if e := pl.Policy.CheckHead(x.Kind, head); e != nil {
		return HeadPlan{Reject: e}
	}
	up, e := pl.Policy.UpstreamFor(h.Authority, h.Cluster)
	if e != nil {
		return HeadPlan{Reject: e}
	}
	x.Upstream = up
	tenant, aerr := pl.auth.Authenticate(h.Header)
	if aerr != nil {
		return HeadPlan{Reject: aerr.APIError(), RejectHeaders: aerr.Headers()}
	}
	x.Tenant = tenant
	uc := pl.creds(up)
	plan := HeadPlan{Remove: uc.headers, Inspect: x.Kind != chatreq.KindNone}
	if p, removed := credentials.StripQuery(h.Path, uc.query); removed != nil {
		plan.Path, plan.StrippedQuery = p, removed
	}
	if uc.ring != nil {
		key, name, retryAfter, ok := uc.ring.Pick(pl.store, now)
		if !ok {
			e, hdrs := credentials.KeysExhausted(retryAfter)
			return HeadPlan{Reject: e, RejectHeaders: hdrs, Exhausted: true}
		}
		hn, hv := uc.ring.HeaderValue(key)
		plan.Set = append(plan.Set, [2]string{hn, hv})
		x.Ring, x.KeyName, x.key = uc.ring, name, key.Reveal()
	}
	if !plan.Inspect {
		return plan
	}
	if pl.identity {
		// Compressed responses could not be redacted: ask for identity encoding.
		plan.Set = append(plan.Set, [2]string{"accept-encoding", "identity"})
	}
	if pl.Mode == HoldHeaders {
		plan.Hold = true
	} else {
		// The headers leave before the body is decided, and the body may change.
		plan.Remove = append(plan.Remove[:len(plan.Remove):len(plan.Remove)], "content-length")
	}
	return plan
}

// Key is the injected key, for scrubbing it from what the upstream sends back ("" when
// none was injected).
func (x *Exchange) Key() string { return x.key }

// TrailerNames are the request trailers removed like the credential headers: a trailer
// is a header that arrives late.
func (pl *Planner) TrailerNames(x *Exchange) []string { return pl.creds(x.Upstream).headers }

// BodyPlan is what to do once the request body is decided.
type BodyPlan struct {
	Reject *apierr.Error
	Body   []byte      // non-nil: replace the body
	Set    [][2]string // request headers to set (HoldHeaders mode only)
	// State are filter state values (name, value) for later filters and access logs.
	State [][2]string
}

// Decided turns the policy's body decision into a plan for the current mode and records
// it in x. Headers a decision wants on the request (flag mode's verdict) go to the
// response and to filter state in both modes, and to the request only in HoldHeaders
// mode: in Stream mode the request headers have left.
func (pl *Planner) Decided(x *Exchange, d *policy.Decision) BodyPlan {
	x.Injection = d.Injection
	x.Req = d.Request
	if d.Request != nil {
		x.Model = d.Request.Model
	}
	if d.Reject != nil {
		return BodyPlan{Reject: d.Reject}
	}
	p := BodyPlan{Body: d.Body}
	for _, hv := range d.Headers {
		if hv[0] == policy.HeaderInjection {
			p.State = append(p.State, [2]string{StateInjection, hv[1]})
		}
		if pl.Mode == HoldHeaders {
			p.Set = append(p.Set, hv)
		}
		x.AddResponseHeader(hv[0], hv[1])
	}
	if pl.Mode == HoldHeaders && d.Body != nil {
		p.Set = append(p.Set, [2]string{"content-length", strconv.Itoa(len(d.Body))})
	}
	return p
}

// AddResponseHeader adds a header to the response the client gets (set when the
// response headers pass; ignored for the guard's own replies).
func (x *Exchange) AddResponseHeader(name, value string) {
	x.respAdd = append(x.respAdd, [2]string{name, value})
}
