package credentials

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 120 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"1.5", 2 * time.Second, true},
		{"99999999999999999999", time.Duration(1<<63-1) / time.Second * time.Second, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true}, // IMF-fixdate
		{"Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true},     // RFC 850
		{"Sun Mar  1 12:00:05 2026", 5 * time.Second, true},       // asctime
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},                // past date: retry now
		{"", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"12abc", 0, false},
		{"Sun, 01 Mar 2026 12:00:30 PST", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if ok != c.ok || (ok && c.in != "99999999999999999999" && got != c.want) || (c.in == "99999999999999999999" && got <= 0) {
			t.Errorf("ParseRetryAfter(%q) = %v,%v want %v,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCooldownFor(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	def := completed(UpstreamAuth{Keys: keys("a")}).Cooldown
	custom := CooldownConfig{RateLimitedSeconds: 10, UnauthorizedSeconds: 20, MaxSeconds: 100}
	cases := []struct {
		name   string
		cfg    CooldownConfig
		status int
		ra     string
		want   time.Duration
	}{
		{"429 without retry-after uses default 60s", def, 429, "", 60 * time.Second},
		{"429 garbage retry-after uses default", def, 429, "later", 60 * time.Second},
		{"429 seconds", def, 429, "17", 17 * time.Second},
		{"429 http-date", def, 429, "Sun, 01 Mar 2026 12:02:00 GMT", 2 * time.Minute},
		{"429 zero floored to 1s", def, 429, "0", time.Second},
		{"429 past date floored to 1s", def, 429, "Sun, 01 Mar 2026 11:00:00 GMT", time.Second},
		{"429 capped at max", custom, 429, "86400", 100 * time.Second},
		{"429 custom default", custom, 429, "", 10 * time.Second},
		{"401 long default 300s", def, 401, "", 300 * time.Second},
		{"403 ignores retry-after", def, 403, "5", 300 * time.Second},
		{"401 custom", custom, 401, "", 20 * time.Second},
		{"200 no cooldown", def, 200, "", 0},
		{"500 no cooldown", def, 500, "30", 0},
		{"503 no cooldown", def, 503, "30", 0},
	}
	for _, c := range cases {
		if got := c.cfg.CooldownFor(c.status, c.ra, now); got != c.want {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}
