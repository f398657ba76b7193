// Package credentials holds the guard's credential handling, in pure Go:
//
//   - upstream API keys (UpstreamAuth, Keyring): resolved once at plugin start from VM
//     environment variables (or inline values for development), injected into the
//     upstream request, rotated round-robin or by priority, cooled down when the
//     upstream answers 401/403/429 and probed with one request when the cooldown ends,
//     with that state shared across Envoy worker threads through proxy-wasm shared data
//     (shareddata.Store);
//   - client credential hygiene (StripHeaders): every client-supplied credential header
//     is removed before a request leaves Envoy;
//   - client authentication (ClientAuth, Authenticator): tenant API keys stored only as
//     SHA-256 hashes, or a trusted identity header set by an earlier filter, mapped to a
//     Tenant with per-tenant overrides.
//
// Host facilities come in through the small interfaces Env and shareddata.Store; the plugin
// implements them with the proxy-wasm SDK. Key material only ever lives in a Secret,
// whose every printed or marshalled form is "[REDACTED]": keys are identified in logs,
// metrics and errors by their configured name.
package credentials
