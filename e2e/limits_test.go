package e2e

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/fakellm"
	"github.com/tidwall/gjson"
)

func TestRateLimits(t *testing.T) {
	t.Run("over the request limit: 429 with Retry-After", func(t *testing.T) {
		var last int
		for i := 0; i < 4; i++ {
			resp, body := post(t, lnLimited, "/v1/chat/completions", "application/json", chatBody(uniq(t), ""))
			last = resp.StatusCode
			if i < 3 && resp.StatusCode != 200 {
				t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
			}
			if i == 3 {
				assertAPIError(t, resp, body, 429, "rate_limit_exceeded")
				if ra, err := strconv.Atoi(resp.Header.Get("retry-after")); err != nil || ra < 1 || ra > 60 {
					t.Errorf("retry-after = %q", resp.Header.Get("retry-after"))
				}
				if resp.Header.Get("x-ratelimit-remaining-requests") != "0" {
					t.Errorf("x-ratelimit-remaining-requests = %q", resp.Header.Get("x-ratelimit-remaining-requests"))
				}
			}
		}
		if last != 429 {
			t.Errorf("fourth request got %d", last)
		}
	})

	t.Run("token budget stops the tenant within one request", func(t *testing.T) {
		const limit, perRequest = 2000, 410 // fakellm reports 10 prompt + 400 completion tokens
		start := time.Now()
		admitted := 0
		for i := 0; i < 20; i++ {
			resp, body := post(t, lnTokens, "/v1/chat/completions", "application/json", chatBody(uniq(t)+" [[tokens:10,400]]", ""))
			if resp.StatusCode == 429 {
				assertAPIError(t, resp, body, 429, "rate_limit_exceeded")
				break
			}
			if resp.StatusCode != 200 {
				t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
			}
			admitted++
		}
		refill := time.Since(start).Seconds() * limit / 60
		spent := float64(admitted * perRequest)
		if admitted == 20 || spent > limit+perRequest+refill {
			t.Errorf("admitted %d requests = %.0f tokens; limit %d + one request %d + refill %.0f", admitted, spent, limit, perRequest, refill)
		}
		if spent < limit-perRequest {
			t.Errorf("admitted only %d requests (%.0f tokens): the budget stopped too early", admitted, spent)
		}
	})
}

// auditGrep checks the audit lines of the whole suite: there must be some, and none may
// contain any message text the upstream received.
func auditGrep(logs []byte, reqs []fakellm.Recorded) int {
	var lines []string
	for _, l := range strings.Split(string(logs), "\n") {
		if i := strings.Index(l, "egressguard.audit {"); i >= 0 {
			lines = append(lines, l[i:])
		}
	}
	all := strings.Join(lines, "\n")
	texts := 0
	for _, r := range reqs {
		for _, p := range []string{"messages.#.content", "prompt", "suffix", "input"} {
			for _, v := range gjson.GetBytes(r.Body, p).Array() {
				s := v.String()
				if len(s) < 12 {
					continue // too short to be distinctive
				}
				texts++
				if strings.Contains(all, s) {
					fmt.Fprintf(os.Stderr, "e2e: FAIL: audit grep: prompt text found in the audit log: %.40q…\n", s)
					return 1
				}
			}
		}
	}
	if len(lines) < 10 || texts < 10 || !bytes.Contains(logs, []byte(`"decision":"rejected"`)) {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: audit grep: too little to check (%d audit lines, %d prompt texts)\n", len(lines), texts)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: audit grep: %d audit lines, %d prompt texts checked, 0 hits\n", len(lines), texts)
	return 0
}
