package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// promValue returns the value of the first Prometheus sample whose name and labels
// contain every part (-1 when absent).
func promValue(t *testing.T, parts ...string) float64 {
	t.Helper()
	b, err := envoy.AdminGet("/stats/prometheus")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				ok = false
				break
			}
		}
		if ok {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			return v
		}
	}
	return -1
}

func TestMetricsAtPrometheus(t *testing.T) {
	// One rejection and one forwarded request so both series exist.
	resp, body := post(t, lnDefault, "/v1/chat/completions", "application/json", []byte(`{"messages": 3}`))
	assertAPIError(t, resp, body, 400, "invalid_type")
	if resp, body := post(t, lnDefault, "/v1/chat/completions", "application/json",
		[]byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"my mail is jane.doe@example.com [[reply:write to jane.doe@example.com]]"}]}`)); resp.StatusCode != 200 {
		t.Fatalf("forward: %d %s", resp.StatusCode, body)
	}
	b, _ := envoy.AdminGet("/stats/prometheus")
	var ours []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "egressguard") && !strings.HasPrefix(l, "#") {
			ours = append(ours, l)
		}
	}
	t.Logf("guard series:\n%s", strings.Join(ours, "\n"))
	for _, want := range [][]string{
		{"egressguard_requests{", `decision="rejected"`, `code="invalid_type"`},
		{"egressguard_requests{", `decision="forwarded"`},
		{"egressguard_redactions{", `type="EMAIL_ADDRESS"`},
		{"egressguard_tokens{", `direction="prompt"`, `model="gpt-4o"`},
	} {
		if v := promValue(t, want...); v < 1 {
			t.Errorf("no Prometheus sample with %q ≥ 1", want)
		}
	}
	// Histograms are published at the stats flush (1 s in these Envoys).
	deadline := time.Now().Add(5 * time.Second)
	for promValue(t, "egressguard_added_latency_us_count") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("added-latency histogram has no samples after 5 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if regexp.MustCompile(`egressguard_requests_decision`).MatchString(string(b)) {
		t.Error("tags were not extracted from the stat names (stats_tags missing?)")
	}
}
