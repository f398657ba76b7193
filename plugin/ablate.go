package main

// ablate switches stages off in the benchmark's ablation build (tag egressguard_ablate,
// bench/envoy's guard-no* variants), to attribute the guard's cost in Envoy; in the
// shipped plugin every field is false.
var ablate struct {
	metrics bool // no metric host calls
	audit   bool // no audit line built or logged
	decide  bool // the body is buffered and read, then forwarded unparsed
	http    bool // no per-request code at all (the SDK's no-op context, like go-empty)
}
