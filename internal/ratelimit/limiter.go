package ratelimit

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// Window is the period every limit is expressed in.
const Window = time.Minute

// SharedKeyPrefix namespaces the shared-data records: <prefix><tenant>.
const SharedKeyPrefix = "egressguard/ratelimit/"

// maxCost bounds one request's cost so cost·Window never overflows int64 nanoseconds.
const maxCost = 100_000_000

// Reasons a request is refused (Decision.Reason), also used in logs, metrics and audit.
const (
	ReasonRequests = "requests_per_minute"
	ReasonTokens   = "tokens_per_minute"
	// ReasonTooLarge: the estimate alone exceeds the tenant's tokens per minute.
	ReasonTooLarge = "request_too_large"
)

// Decision is the outcome of Admit.
type Decision struct {
	Allowed bool
	// RetryAfter (refusals only) is how long until the request would fit; 0 for
	// ReasonTooLarge. Send it as Retry-After with apierr.RetryAfterSeconds.
	RetryAfter time.Duration
	// Headers are the OpenAI-style x-ratelimit-* headers for the limited dimensions
	// (x-ratelimit-limit-requests, -remaining-requests, -reset-requests and the -tokens
	// variants), plus retry-after on a refusal. Add them to the 429, and, if wanted, to
	// the forwarded response.
	Headers [][2]string
	// Reason is "" when allowed, else ReasonRequests, ReasonTokens or ReasonTooLarge.
	Reason string
	// Local reports that the shared store was unusable or contended and the decision was
	// taken from this worker's state only (count it as a metric).
	Local bool
}

// Error is the 429 answer for a refusal (nil when allowed): type rate_limit_error, code
// rate_limit_exceeded; the message names the tenant's limit, never request content.
func (d Decision) Error(tenant string, l Limits, estTokens int) *apierr.Error {
	switch d.Reason {
	case "":
		return nil
	case ReasonRequests:
		return apierr.New(429, apierr.TypeRateLimit, "rate_limit_exceeded",
			"Rate limit reached for tenant %s: %d requests per minute. Retry after %ds.",
			tenant, l.RequestsPerMinute, apierr.RetryAfterSeconds(d.RetryAfter))
	case ReasonTokens:
		return apierr.New(429, apierr.TypeRateLimit, "rate_limit_exceeded",
			"Rate limit reached for tenant %s: %d tokens per minute (this request is estimated at %d). Retry after %ds.",
			tenant, l.TokensPerMinute, estTokens, apierr.RetryAfterSeconds(d.RetryAfter))
	default:
		return apierr.New(429, apierr.TypeRateLimit, "rate_limit_exceeded",
			"Request too large for tenant %s: estimated %d tokens (prompt plus max_tokens) exceeds the limit of %d tokens per minute. Lower max_tokens or shorten the prompt.",
			tenant, estTokens, l.TokensPerMinute)
	}
}

// state is one tenant's record: the theoretical arrival times (unix ns) of both
// dimensions. A TAT at or before now means a full bucket.
type state struct{ req, tok int64 }

// The record is "r1 <req TAT> <tok TAT>". Unreadable records read as the zero state
// (full buckets) and are replaced by the next write.
const recordVersion = "r1"

func (s state) encode() []byte {
	b := append([]byte(recordVersion), ' ')
	b = strconv.AppendInt(b, s.req, 10)
	b = append(b, ' ')
	return strconv.AppendInt(b, s.tok, 10)
}

func decodeState(b []byte) state {
	f := strings.Fields(string(b))
	if len(f) != 3 || f[0] != recordVersion {
		return state{}
	}
	r, err1 := strconv.ParseInt(f[1], 10, 64)
	t, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return state{}
	}
	return state{req: r, tok: t}
}

func merge(a, b state) state { return state{req: max(a.req, b.req), tok: max(a.tok, b.tok)} }

// Limiter enforces Limits per tenant across worker threads. Build one per plugin start
// with NewLimiter; it is safe for concurrent use (each Envoy worker has its own VM, so
// in the plugin the lock is uncontended).
type Limiter struct {
	mu          sync.Mutex
	local       map[string]state // last shared state seen per tenant
	pending     map[string]state // TAT changes made locally, not yet in the shared record
	maxAttempts int
}

// NewLimiter returns a Limiter with no state.
func NewLimiter() *Limiter {
	return &Limiter{local: map[string]state{}, pending: map[string]state{}, maxAttempts: shareddata.MaxAttempts}
}

// Prepare creates the shared records of the given tenants (configured tenants and the
// anonymous bucket) if they do not exist yet. Call it from OnPluginStart: afterwards
// every update of them is a true compare-and-swap. Records of other tenants are created
// on first use. An error is worth a warning only.
func (lm *Limiter) Prepare(store shareddata.Store, tenants []string) error {
	if store == nil {
		return nil
	}
	var errs []error
	for _, t := range tenants {
		errs = append(errs, shareddata.Create(store, SharedKeyPrefix+t, state{}.encode()))
	}
	return errors.Join(errs...)
}

// step is one dimension's GCRA arithmetic.
type step struct {
	limit  int64
	inc    int64 // TAT increment of this request, ns
	newTAT int64
	fits   bool
	tooBig bool
	wait   time.Duration // until it fits (refusal)
	remain int64         // units left after this request (or now, when it does not fit)
	before int64         // units left before this request
	// resetBefore is resetIn before this request.
	resetBefore time.Duration
	resetIn     time.Duration // until the bucket is full again
}

// costNs converts units to TAT nanoseconds for a limit per Window.
func costNs(units, limit int64) int64 {
	units = min(max(units, -maxCost), maxCost)
	return units * int64(Window) / limit
}

func gcra(tat, now, limit, cost int64) step {
	s := step{limit: limit, inc: costNs(cost, limit)}
	base := max(tat, now)
	s.newTAT = base + s.inc
	w := int64(Window)
	s.tooBig = cost > limit
	s.fits = !s.tooBig && s.newTAT-now <= w
	end := s.newTAT
	if !s.fits {
		end = base
		if !s.tooBig {
			s.wait = time.Duration(s.newTAT - now - w)
		}
	}
	s.remain = max(0, (w-(end-now))*limit/w)
	s.before = max(0, (w-(base-now))*limit/w)
	s.resetBefore = time.Duration(base - now)
	s.resetIn = time.Duration(max(0, end-now))
	return s
}

// Admit decides one request of tenant with limits l and an estimated token cost
// (AdmissionCost), reserving one request and estTokens tokens when it is allowed.
// store may be nil (worker-local state only). It never fails: store errors and lost
// compare-and-swaps fall back to worker-local state (Decision.Local).
func (lm *Limiter) Admit(store shareddata.Store, tenant string, l Limits, estTokens int, now time.Time) Decision {
	if l.Unlimited() {
		return Decision{Allowed: true}
	}
	nowNs := now.UnixNano()
	var d Decision
	apply := func(s state) (state, bool) {
		var rq, tk *step
		allowed := true
		if l.RequestsPerMinute > 0 {
			st := gcra(s.req, nowNs, int64(l.RequestsPerMinute), 1)
			rq, allowed = &st, st.fits
		}
		if l.TokensPerMinute > 0 {
			st := gcra(s.tok, nowNs, int64(l.TokensPerMinute), int64(max(estTokens, 0)))
			tk, allowed = &st, allowed && st.fits
		}
		d = decide(rq, tk, allowed)
		if !allowed {
			return s, false
		}
		if rq != nil {
			s.req = rq.newTAT
		}
		if tk != nil {
			s.tok = tk.newTAT
		}
		return s, true
	}
	d.Local = lm.update(store, tenant, nowNs, apply)
	return d
}

// Charge corrects the reservation Admit made for a request with estimated tokens once
// the real count is known (provider usage: prompt plus completion tokens; 0 for a
// request that never reached the provider after admission, which refunds the whole
// estimate). A refund never fills the bucket beyond its capacity; a shortfall becomes a
// debt the tenant repays by waiting. It reports whether the shared store was bypassed.
func (lm *Limiter) Charge(store shareddata.Store, tenant string, l Limits, actualTokens, estimated int, now time.Time) (local bool) {
	if l.TokensPerMinute <= 0 || actualTokens == estimated {
		return false
	}
	nowNs := now.UnixNano()
	delta := costNs(int64(actualTokens)-int64(estimated), int64(l.TokensPerMinute))
	return lm.update(store, tenant, nowNs, func(s state) (state, bool) {
		if delta < 0 {
			if s.tok <= nowNs {
				return s, false // bucket already full
			}
			s.tok = max(s.tok+delta, nowNs)
		} else {
			s.tok = max(s.tok, nowNs) + delta
		}
		return s, true
	})
}

func decide(rq, tk *step, allowed bool) Decision {
	d := Decision{Allowed: allowed}
	if !allowed { // nothing is consumed: report what is left now
		for _, s := range []*step{rq, tk} {
			if s != nil && s.fits {
				s.remain, s.resetIn = s.before, s.resetBefore
			}
		}
	}
	if rq != nil {
		d.Headers = append(d.Headers,
			[2]string{"x-ratelimit-limit-requests", strconv.FormatInt(rq.limit, 10)},
			[2]string{"x-ratelimit-remaining-requests", strconv.FormatInt(rq.remain, 10)},
			[2]string{"x-ratelimit-reset-requests", FormatReset(rq.resetIn)})
	}
	if tk != nil {
		d.Headers = append(d.Headers,
			[2]string{"x-ratelimit-limit-tokens", strconv.FormatInt(tk.limit, 10)},
			[2]string{"x-ratelimit-remaining-tokens", strconv.FormatInt(tk.remain, 10)},
			[2]string{"x-ratelimit-reset-tokens", FormatReset(tk.resetIn)})
	}
	if allowed {
		return d
	}
	switch {
	case tk != nil && tk.tooBig:
		d.Reason = ReasonTooLarge
		return d
	case rq != nil && !rq.fits:
		d.Reason = ReasonRequests
		d.RetryAfter = rq.wait
	default:
		d.Reason = ReasonTokens
	}
	if tk != nil && !tk.fits {
		d.RetryAfter = max(d.RetryAfter, tk.wait)
	}
	d.Headers = append(d.Headers, [2]string{"retry-after", strconv.Itoa(apierr.RetryAfterSeconds(d.RetryAfter))})
	return d
}

// FormatReset renders a reset duration the way OpenAI does: "20ms", "1s", "6m0s"
// (rounded up to the millisecond below one second, to the second above).
func FormatReset(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	if ms := (d + time.Millisecond - 1) / time.Millisecond; ms < 1000 {
		return strconv.FormatInt(int64(ms), 10) + "ms"
	}
	return ((d + time.Second - 1) / time.Second * time.Second).String()
}

// update applies f to the tenant's record with compare-and-swap; f returns the new
// state and whether to write it. On store errors, or when every attempt loses the race,
// f is applied to the worker-local view (the last shared value seen plus this worker's
// unpublished changes) and update returns true. Changes made locally are kept as pending
// and added to the shared record by this worker's next successful write, so a fallback
// decision is only briefly invisible to the other workers, never lost.
func (lm *Limiter) update(store shareddata.Store, tenant string, nowNs int64, f func(state) (state, bool)) (local bool) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	seen, pend := lm.local[tenant], lm.pending[tenant]
	if store != nil {
		var next state
		declined := false
		err := shareddata.Update(store, SharedKeyPrefix+tenant, lm.maxAttempts, func(b []byte) ([]byte, bool) {
			cur := decodeState(b)
			seen = merge(seen, cur)
			n, write := f(pend.applyTo(cur, nowNs))
			declined = !write && pend == (state{}) // nothing to write, nothing pending
			next = n
			return n.encode(), !declined
		})
		if err == nil {
			if declined {
				lm.local[tenant] = seen
			} else {
				lm.local[tenant] = next
				delete(lm.pending, tenant)
			}
			return false
		}
	}
	base := pend.applyTo(seen, nowNs)
	if next, write := f(base); write {
		pend.req += next.req - max(base.req, nowNs)
		pend.tok += next.tok - max(base.tok, nowNs)
		lm.pending[tenant] = pend
	}
	lm.local[tenant] = seen
	return true
}

// applyTo adds pending TAT changes (ns; negative = refunds) to s: an increase starts
// from now when the bucket is full, a refund never goes below now.
func (p state) applyTo(s state, nowNs int64) state {
	add := func(tat, d int64) int64 {
		switch {
		case d > 0:
			return max(tat, nowNs) + d
		case d < 0:
			return max(tat+d, min(tat, nowNs))
		}
		return tat
	}
	return state{req: add(s.req, p.req), tok: add(s.tok, p.tok)}
}
