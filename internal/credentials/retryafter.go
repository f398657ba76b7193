package credentials

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// HTTP-date layouts accepted by RFC 9110 §5.6.7 (IMF-fixdate, obsolete RFC 850, asctime).
var httpDateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// ParseRetryAfter reads a Retry-After header value: delay-seconds ("120", also a
// decimal such as "1.5", rounded up) or an HTTP-date. A date in the past yields 0.
// ok is false for an empty or unparseable value.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if c := v[0]; '0' <= c && c <= '9' {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(v, "eExXpP_") {
			return 0, false
		}
		const maxSec = float64(math.MaxInt64/int64(time.Second)) - 1
		return time.Duration(math.Ceil(min(f, maxSec))) * time.Second, true
	}
	for _, layout := range httpDateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d, true
			}
			return 0, true
		}
	}
	return 0, false
}

// CooldownFor is how long a key is skipped after the upstream answered status with the
// given Retry-After header value: UnauthorizedSeconds for 401/403 (Retry-After
// ignored); for 429 the Retry-After delay (at least 1s) or RateLimitedSeconds; capped
// at MaxSeconds. Other statuses return 0 (no cooldown). c is complete (ApplyDefaults of
// its UpstreamAuth).
func (c CooldownConfig) CooldownFor(status int, retryAfter string, now time.Time) time.Duration {
	d := c
	var out time.Duration
	switch status {
	case 401, 403:
		out = time.Duration(d.UnauthorizedSeconds) * time.Second
	case 429:
		out = time.Duration(d.RateLimitedSeconds) * time.Second
		if ra, ok := ParseRetryAfter(retryAfter, now); ok {
			out = max(ra, time.Second)
		}
	default:
		return 0
	}
	return min(out, time.Duration(d.MaxSeconds)*time.Second)
}
