package ratelimit

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/shareddata"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func header(d Decision, name string) string {
	for _, h := range d.Headers {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

func TestRequestsPerMinute(t *testing.T) {
	st, lm := newFakeStore(), NewLimiter()
	l := Limits{RequestsPerMinute: 5}
	for i := 0; i < 5; i++ {
		d := lm.Admit(st, "a", l, 0, t0)
		if !d.Allowed || d.Local {
			t.Fatalf("request %d: %+v", i, d)
		}
		if got, want := header(d, "x-ratelimit-remaining-requests"), string(rune('4'-i)); got != want {
			t.Errorf("request %d remaining %q, want %q", i, got, want)
		}
	}
	d := lm.Admit(st, "a", l, 0, t0)
	if d.Allowed || d.Reason != ReasonRequests || d.RetryAfter != 12*time.Second {
		t.Fatalf("6th: %+v", d)
	}
	if header(d, "retry-after") != "12" || header(d, "x-ratelimit-limit-requests") != "5" ||
		header(d, "x-ratelimit-reset-requests") != "1m0s" || header(d, "x-ratelimit-remaining-requests") != "0" {
		t.Errorf("headers %v", d.Headers)
	}
	if header(d, "x-ratelimit-limit-tokens") != "" {
		t.Errorf("tokens headers for an unlimited dimension: %v", d.Headers)
	}
	// Another tenant is independent.
	if d := lm.Admit(st, "b", l, 0, t0); !d.Allowed {
		t.Fatalf("tenant b: %+v", d)
	}
	// GCRA refills continuously: one request every 12s, no window boundary burst.
	if d := lm.Admit(st, "a", l, 0, t0.Add(11*time.Second)); d.Allowed {
		t.Fatalf("at 11s: %+v", d)
	}
	if d := lm.Admit(st, "a", l, 0, t0.Add(12*time.Second)); !d.Allowed {
		t.Fatalf("at 12s: %+v", d)
	}
	if d := lm.Admit(st, "a", l, 0, t0.Add(12*time.Second)); d.Allowed {
		t.Fatalf("second at 12s: %+v", d)
	}
}

func TestTokensReserveAndCharge(t *testing.T) {
	st, lm := newFakeStore(), NewLimiter()
	l := Limits{RequestsPerMinute: 100, TokensPerMinute: 1000}
	d := lm.Admit(st, "a", l, 400, t0)
	if !d.Allowed || header(d, "x-ratelimit-remaining-tokens") != "600" || header(d, "x-ratelimit-reset-tokens") != "24s" {
		t.Fatalf("first: %+v", d)
	}
	d = lm.Admit(st, "a", l, 700, t0)
	if d.Allowed || d.Reason != ReasonTokens || d.RetryAfter != 6*time.Second || header(d, "retry-after") != "6" {
		t.Fatalf("second: %+v", d)
	}
	// A refusal for tokens consumes no request slot.
	if got := header(d, "x-ratelimit-remaining-requests"); got != "99" {
		t.Errorf("remaining requests after a token refusal = %s, want 99", got)
	}
	// The first request really used 100 tokens: 300 are refunded, now 700 fit.
	if local := lm.Charge(st, "a", l, 100, 400, t0); local {
		t.Fatal("charge went local")
	}
	d = lm.Admit(st, "a", l, 700, t0)
	if !d.Allowed || header(d, "x-ratelimit-remaining-tokens") != "200" {
		t.Fatalf("after refund: %+v", d)
	}
	// It used 1500 (estimate too low by 800): 1600 tokens are now spent, 600 beyond the
	// bucket — a debt of 36s — plus 0.6s to refill the 10 tokens asked for.
	lm.Charge(st, "a", l, 1500, 700, t0)
	d = lm.Admit(st, "a", l, 10, t0)
	if d.Allowed || d.RetryAfter != 36*time.Second+600*time.Millisecond {
		t.Fatalf("in debt: %+v", d)
	}
	if d := lm.Admit(st, "a", l, 10, t0.Add(36*time.Second)); d.Allowed {
		t.Fatalf("before repaying: %+v", d)
	}
	if d := lm.Admit(st, "a", l, 10, t0.Add(37*time.Second)); !d.Allowed {
		t.Fatalf("after repaying: %+v", d)
	}
}

func TestRefundNeverExceedsCapacity(t *testing.T) {
	st, lm := newFakeStore(), NewLimiter()
	l := Limits{TokensPerMinute: 1000}
	lm.Admit(st, "a", l, 500, t0)
	lm.Charge(st, "a", l, 0, 500, t0.Add(30*time.Second)) // half refilled already
	d := lm.Admit(st, "a", l, 1000, t0.Add(30*time.Second))
	if !d.Allowed {
		t.Fatalf("full bucket refused: %+v", d)
	}
	if d := lm.Admit(st, "a", l, 1, t0.Add(30*time.Second)); d.Allowed {
		t.Fatalf("bucket above capacity: %+v", d)
	}
}

func TestTooLarge(t *testing.T) {
	lm := NewLimiter()
	l := Limits{RequestsPerMinute: 10, TokensPerMinute: 1000}
	d := lm.Admit(newFakeStore(), "a", l, 1001, t0)
	if d.Allowed || d.Reason != ReasonTooLarge || d.RetryAfter != 0 || header(d, "retry-after") != "" {
		t.Fatalf("%+v", d)
	}
	e := d.Error("a", l, 1001)
	if e.Status != 429 || e.Code != "rate_limit_exceeded" || e.Type != "rate_limit_error" ||
		!strings.Contains(e.Message, "1001") {
		t.Fatalf("%+v", e)
	}
}

func TestUnlimited(t *testing.T) {
	st := newFakeStore()
	d := NewLimiter().Admit(st, "a", Limits{}, 1e9, t0)
	if !d.Allowed || d.Headers != nil || len(st.Snapshot()) != 0 {
		t.Fatalf("%+v, store %v", d, st.Snapshot())
	}
}

func TestErrorJSON(t *testing.T) {
	l := Limits{RequestsPerMinute: 1}
	lm, st := NewLimiter(), newFakeStore()
	lm.Admit(st, "team-a", l, 0, t0)
	d := lm.Admit(st, "team-a", l, 0, t0)
	body := string(d.Error("team-a", l, 0).JSON())
	for _, want := range []string{`"type":"rate_limit_error"`, `"code":"rate_limit_exceeded"`, `"param":null`, "team-a", "1 requests per minute"} {
		if !strings.Contains(body, want) {
			t.Errorf("body %s lacks %s", body, want)
		}
	}
	if (Decision{Allowed: true}).Error("x", l, 0) != nil {
		t.Error("allowed decision has an error")
	}
}

func TestStoreFailureFallsBackLocally(t *testing.T) {
	st, lm := newFakeStore(), NewLimiter()
	l := Limits{RequestsPerMinute: 3}
	lm.Admit(st, "a", l, 0, t0) // shared: 1 used
	st.FailSet = errors.New("boom")
	for i := 0; i < 2; i++ {
		if d := lm.Admit(st, "a", l, 0, t0); !d.Allowed || !d.Local {
			t.Fatalf("local %d: %+v", i, d)
		}
	}
	if d := lm.Admit(st, "a", l, 0, t0); d.Allowed || !d.Local {
		t.Fatalf("local limit not enforced: %+v", d)
	}
	st.FailGet = errors.New("down")
	if d := NewLimiter().Admit(st, "a", l, 0, t0); !d.Allowed || !d.Local {
		t.Fatalf("fresh worker with store down: %+v", d)
	}
	if d := NewLimiter().Admit(nil, "a", l, 0, t0); !d.Allowed || !d.Local {
		t.Fatalf("nil store: %+v", d)
	}
}

func TestCASLostOnceRetries(t *testing.T) {
	st := newFakeStore()
	l := Limits{RequestsPerMinute: 2}
	a, b := NewLimiter(), NewLimiter()
	if err := a.Prepare(st, []string{"t"}); err != nil {
		t.Fatal(err)
	}
	st.BeforeSet = func(string) { b.Admit(st, "t", l, 0, t0) } // worker b wins the race
	if d := a.Admit(st, "t", l, 0, t0); !d.Allowed || d.Local {
		t.Fatalf("a: %+v", d)
	}
	if st.CASFailures != 1 {
		t.Fatalf("cas failures %d, want 1", st.CASFailures)
	}
	if d := a.Admit(st, "t", l, 0, t0); d.Allowed {
		t.Fatalf("third request across workers allowed: %+v", d)
	}
}

// Many workers (each its own Limiter, as each Envoy worker has its own VM) hammer one
// tenant through one store: with enough CAS attempts exactly the limit is admitted; with
// the default bound, every admission beyond the limit is a reported local fallback.
func TestConcurrentContention(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attempts int
	}{{"unbounded", 1 << 20}, {"default", shareddata.MaxAttempts}} {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore()
			st.Contend = true
			if err := NewLimiter().Prepare(st, []string{"t"}); err != nil {
				t.Fatal(err)
			}
			l := Limits{RequestsPerMinute: 200, TokensPerMinute: 200 * 7}
			var allowed, localAllowed atomic.Int64
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				lm := NewLimiter()
				lm.maxAttempts = tc.attempts
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 100; i++ {
						d := lm.Admit(st, "t", l, 7, t0)
						if d.Allowed {
							allowed.Add(1)
							if d.Local {
								localAllowed.Add(1)
							}
						}
					}
				}()
			}
			wg.Wait()
			got, loc := allowed.Load(), localAllowed.Load()
			if tc.attempts > 1000 && (got != 200 || loc != 0) {
				t.Fatalf("allowed %d (local %d), want exactly 200", got, loc)
			}
			if got-loc > 200 || got < 200 {
				t.Fatalf("allowed %d with %d local fallbacks; shared admissions must be exactly ≤ 200", got, loc)
			}
			t.Logf("allowed %d, local %d, cas failures %d", got, loc, st.CASFailures)
		})
	}
}

func TestPrepareAndRecord(t *testing.T) {
	st, lm := newFakeStore(), NewLimiter()
	if err := lm.Prepare(st, []string{"a", "anonymous"}); err != nil {
		t.Fatal(err)
	}
	if v := st.Value(SharedKeyPrefix + "a"); v != "r1 0 0" {
		t.Fatalf("record %q", v)
	}
	lm.Admit(st, "a", Limits{RequestsPerMinute: 60, TokensPerMinute: 600}, 10, t0)
	want := state{req: t0.UnixNano() + int64(time.Second), tok: t0.UnixNano() + int64(time.Second)}
	if got := decodeState([]byte(st.Value(SharedKeyPrefix + "a"))); got != want {
		t.Fatalf("state %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "r1", "r2 1 2", "r1 x 2", "r1 1 2 3"} {
		if decodeState([]byte(bad)) != (state{}) {
			t.Errorf("%q decoded", bad)
		}
	}
	// A garbage record reads as full buckets and is replaced.
	st.Put(SharedKeyPrefix+"g", []byte("junk"))
	if d := lm.Admit(st, "g", Limits{RequestsPerMinute: 1}, 0, t0); !d.Allowed || d.Local {
		t.Fatalf("%+v", d)
	}
}

func TestFormatReset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", -time.Second: "0s", time.Microsecond: "1ms", 20 * time.Millisecond: "20ms",
		999*time.Millisecond + 1: "1s", 1500 * time.Millisecond: "2s", 6 * time.Minute: "6m0s",
	} {
		if got := FormatReset(d); got != want {
			t.Errorf("FormatReset(%v) = %q, want %q", d, got, want)
		}
	}
}

// A decision taken locally while the store failed is published with the next write.
func TestLocalChangesArePublished(t *testing.T) {
	st, a, b := newFakeStore(), NewLimiter(), NewLimiter()
	l := Limits{RequestsPerMinute: 3}
	a.Admit(st, "t", l, 0, t0)
	st.FailSet = errors.New("boom")
	if d := a.Admit(st, "t", l, 0, t0); !d.Allowed || !d.Local {
		t.Fatalf("%+v", d)
	}
	st.FailSet = nil
	if d := a.Admit(st, "t", l, 0, t0); !d.Allowed || d.Local {
		t.Fatalf("%+v", d)
	}
	// Worker b sees all three.
	if d := b.Admit(st, "t", l, 0, t0); d.Allowed {
		t.Fatalf("b admitted a 4th: %+v", d)
	}
	// A refused request still publishes pending changes.
	st.FailSet = errors.New("boom")
	a.Charge(st, "t", Limits{TokensPerMinute: 60}, 30, 0, t0) // 30s of token debt, local
	st.FailSet = nil
	a.Admit(st, "t", Limits{TokensPerMinute: 60}, 60, t0) // refused, but publishes the debt
	if got := decodeState([]byte(st.Value(SharedKeyPrefix + "t"))).tok; got != t0.UnixNano()+int64(30*time.Second) {
		t.Fatalf("token TAT %v after publishing", time.Duration(got-t0.UnixNano()))
	}
}
