package inspect

import "slices"

// Combine merges the results of the segments of one request (message
// contents, text parts, tool results, names, FIM prompt/suffix): Score is
// the maximum, Flagged and Allowed are true if any segment's is, Monitor
// if any segment's is and none is flagged, and Rules is the sorted union. Spans are per-segment offsets and are not combined
// (nil); keep the per-segment results for sanitising.
func Combine(results ...Result) Result {
	var out Result
	for _, r := range results {
		out.Score = max(out.Score, r.Score)
		out.Flagged = out.Flagged || r.Flagged
		out.Monitor = out.Monitor || r.Monitor
		out.Allowed = out.Allowed || r.Allowed
		out.Rules = append(out.Rules, r.Rules...)
	}
	out.Monitor = out.Monitor && !out.Flagged
	slices.Sort(out.Rules)
	out.Rules = slices.Compact(out.Rules)
	if len(out.Rules) == 0 {
		out.Rules = nil
	}
	return out
}
