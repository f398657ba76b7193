// Package ratelimit holds the guard's per-tenant rate limiting, in pure Go:
//
//   - Config: the top-level "rate_limits" configuration — default per-tenant limits
//     (requests and tokens per minute; tenants' own credentials.Tenant values take
//     precedence), the bucket name of requests without a tenant, and the settings for
//     Envoy's global rate limit service (GlobalConfig).
//   - Limiter: local limits, enforced across Envoy worker threads through proxy-wasm
//     shared data (shareddata.Store) with compare-and-swap, falling back to
//     worker-local state when the store is unusable or contended (never failing the
//     request).
//   - EstimateTokens / EstimatePrompt / AdmissionCost: the token estimate a request is
//     admitted with before the provider reports its real usage.
//
// # Algorithm: GCRA (a continuous token bucket) per tenant and dimension
//
// Each tenant has one shared record holding two "theoretical arrival times" (TAT), one
// for requests and one for tokens. A dimension with limit L per window W (one minute)
// refills continuously at L/W; a request costing c units moves the TAT by c·W/L and is
// admitted when the new TAT is at most W ahead of now, i.e. when c units are left in a
// bucket of capacity L. This is the Generic Cell Rate Algorithm: one integer of state
// per dimension (one CAS updates both dimensions atomically, so a request refused for
// tokens consumes no request slot), no window boundary (a fixed window lets a tenant
// spend 2·L in the two seconds around a boundary; GCRA never allows more than L in any
// interval of length W plus what refilled during it), and exact "remaining" and "reset"
// values for the x-ratelimit-* headers.
//
// # Tokens: reserve the estimate, then charge the real usage
//
// Admit reserves the request's estimated cost (AdmissionCost: prompt estimate plus the
// effective, capped max_tokens), and refuses it when the estimate does not fit. When the
// provider reports usage (the final JSON body, or the final SSE chunk — the plugin forces
// stream_options.include_usage), Charge replaces the reservation by the real count: a
// refund when the estimate was high (the usual case, since max_tokens is an upper bound),
// a debt when it was low. A debt pushes the TAT beyond W, so the tenant is refused until
// it is repaid.
//
// Overshoot bound: in any interval of length W a tenant consumes at most
// L + (real − estimated tokens, summed over its requests that were in flight, admitted
// on an estimate that proved low). Completion tokens never exceed the capped max_tokens
// counted in the estimate, so only the prompt estimate can be low, and EstimateTokens
// errs high for typical text; in practice a tenant overshoots by less than one request.
// A request whose estimate alone exceeds L is refused (ReasonTooLarge, no Retry-After:
// waiting will not help).
//
// Worker-local fallback: when the shared store fails or shareddata.MaxAttempts
// compare-and-swaps all lose, the worker decides on its own view (the last shared value
// it saw plus its own unpublished changes) and keeps the change pending; its next
// successful write adds every pending change to the shared record. While the store stays
// unusable each worker enforces the limit on its own (worst case L per worker thread);
// under contention the overshoot is the few decisions taken on a stale view, and shared
// admissions never exceed L (TestConcurrentContention).
// Records are created lazily with an unconditional set (Envoy's cas 0); Prepare creates
// the configured tenants' records at plugin start so that race cannot lose an update.
package ratelimit
