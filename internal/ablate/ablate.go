// Package ablate holds the stage switches of the benchmark's ablation build (build tag
// egressguard_ablate; bench/envoy's guard-no* variants): each one switches a stage off to
// attribute the guard's cost in Envoy. In every other build they are all false.
package ablate

// Stages switched off.
var (
	Metrics bool // no metric host calls
	Audit   bool // no audit line built or logged
	Decide  bool // the request body is buffered and read, then forwarded unparsed
	HTTP    bool // no per-request code at all (the SDK's no-op context)
)
