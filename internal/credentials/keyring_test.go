package credentials

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/shareddata"
)

func keys(names ...string) []KeyRef {
	var out []KeyRef
	for _, n := range names {
		out = append(out, KeyRef{Name: n, Value: NewSecret("sk-" + n)})
	}
	return out
}

func mustKeyring(t *testing.T, a UpstreamAuth) *Keyring {
	t.Helper()
	k, _, err := NewKeyring("up", completed(a), MapEnv{})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pickName(t *testing.T, k *Keyring, s shareddata.Store, now time.Time) string {
	t.Helper()
	key, name, ra, ok := k.Pick(s, now)
	if !ok {
		t.Fatalf("Pick: no key (retry after %v)", ra)
	}
	if key.Reveal() != "sk-"+name {
		t.Fatalf("Pick returned name %q with another key", name)
	}
	return name
}

func TestNewKeyringResolvesEnv(t *testing.T) {
	const val = "sk-env-VALUE-never-in-errors"
	cases := []struct {
		name    string
		env     MapEnv
		wantErr []string // substrings
		wantKey string
	}{
		{"set", MapEnv{"MISTRAL_API_KEY": val}, nil, val},
		{"trailing newline trimmed", MapEnv{"MISTRAL_API_KEY": val + "\n"}, nil, val},
		{"missing", MapEnv{}, []string{`upstream "mistral": auth.keys[0].env`, "MISTRAL_API_KEY is not set", "host_env_keys", "valueFrom: HOST"}, ""},
		{"empty", MapEnv{"MISTRAL_API_KEY": "  "}, []string{"MISTRAL_API_KEY is empty"}, ""},
		{"control character", MapEnv{"MISTRAL_API_KEY": "sk-env-VALUE\r\nx-injected: 1"}, []string{"MISTRAL_API_KEY contains a space or control character"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := UpstreamAuth{Keys: []KeyRef{{Name: "primary", Env: "MISTRAL_API_KEY"}}}
			k, warns, err := NewKeyring("mistral", completed(a), c.env)
			if len(warns) != 0 {
				t.Errorf("unexpected warnings %q", warns)
			}
			if c.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				key, name, _, _ := k.Pick(nil, time.Now())
				if key.Reveal() != c.wantKey || name != "primary" {
					t.Errorf("picked %q", name)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "sk-env") {
				t.Errorf("error leaks the value: %q", err)
			}
		})
	}
}

func TestNewKeyringInlineWarnsAndValidates(t *testing.T) {
	k, warns, err := NewKeyring("dev", completed(UpstreamAuth{Keys: []KeyRef{{Name: "local", Value: NewSecret("sk-inline-secret")}}}), MapEnv{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "config dumps") || !strings.Contains(warns[0], `"local"`) || strings.Contains(warns[0], "sk-inline") {
		t.Errorf("warnings = %q", warns)
	}
	if k.Names()[0] != "local" || !strings.Contains(k.String(), "local") || strings.Contains(fmt.Sprintf("%v %+v %#v", k, k, k), "sk-inline") {
		t.Errorf("String = %s", k)
	}
	_, _, err = NewKeyring("bad", completed(UpstreamAuth{Strategy: "random", Keys: keys("a")}), MapEnv{})
	if err == nil || !strings.Contains(err.Error(), `upstream "bad": auth.strategy`) {
		t.Errorf("invalid config error = %v", err)
	}
	if _, _, err = NewKeyring("none", completed(UpstreamAuth{}), MapEnv{}); err == nil || !strings.Contains(err.Error(), "auth.keys") {
		t.Errorf("no keys error = %v", err)
	}
}

func TestHeaderValue(t *testing.T) {
	cases := []struct {
		auth             UpstreamAuth
		header, valueFmt string
	}{
		{UpstreamAuth{}, "authorization", "Bearer %s"},
		{UpstreamAuth{Header: "X-Api-Key"}, "x-api-key", "%s"},
		{UpstreamAuth{Header: "api-key", Scheme: "raw"}, "api-key", "%s"},
		{UpstreamAuth{Scheme: "raw"}, "authorization", "%s"},
		{UpstreamAuth{Scheme: "Token"}, "authorization", "Token %s"},
	}
	for _, c := range cases {
		c.auth.Keys = keys("k")
		k := mustKeyring(t, c.auth)
		s, _, _, _ := k.Pick(nil, time.Now())
		if h, v := k.HeaderValue(s); h != c.header || v != fmt.Sprintf(c.valueFmt, "sk-k") {
			t.Errorf("%+v: HeaderValue = %q, %q", c.auth, h, v)
		}
	}
}

func TestRoundRobinFairAcrossWorkers(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Keys: keys("a", "b", "c")}
	w1, w2 := mustKeyring(t, auth), mustKeyring(t, auth)
	counts := map[string]int{}
	var seq []string
	for i := 0; i < 300; i++ {
		w := w1
		if i%3 == 0 { // uneven interleaving of the two workers
			w = w2
		}
		n := pickName(t, w, store, clock.Now())
		counts[n]++
		if i < 6 {
			seq = append(seq, n)
		}
	}
	if counts["a"] != 100 || counts["b"] != 100 || counts["c"] != 100 {
		t.Errorf("counts = %v, want 100 each", counts)
	}
	if got := strings.Join(seq, ""); got != "abcabc" {
		t.Errorf("sequence across workers = %s, want abcabc (one shared position)", got)
	}
}

func TestRoundRobinSkipsCoolingKeyFairly(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	k := mustKeyring(t, UpstreamAuth{Keys: keys("a", "b", "c")})
	if !k.ReportStatus(store, "b", 429, "", clock.Now()) {
		t.Fatal("429 did not cool the key")
	}
	counts := map[string]int{}
	for i := 0; i < 100; i++ {
		counts[pickName(t, k, store, clock.Now())]++
	}
	if counts["b"] != 0 || counts["a"] != 50 || counts["c"] != 50 {
		t.Errorf("counts with b cooling = %v, want a=50 c=50", counts)
	}
	clock.Advance(61 * time.Second)
	if got := pickName(t, k, store, clock.Now()); got != "b" {
		t.Fatalf("the first request after the cooldown must probe b, got %s", got)
	}
	counts = map[string]int{}
	for i := 0; i < 98; i++ {
		counts[pickName(t, k, store, clock.Now())]++
	}
	if counts["b"] != 0 || counts["a"] != 49 || counts["c"] != 49 {
		t.Errorf("counts while b's probe is in flight = %v, want a=49 c=49", counts)
	}
	k.ReportStatus(store, "b", 200, "", clock.Now())
	counts = map[string]int{}
	for i := 0; i < 99; i++ {
		counts[pickName(t, k, store, clock.Now())]++
	}
	if counts["a"] != 33 || counts["b"] != 33 || counts["c"] != 33 {
		t.Errorf("counts after b's probe succeeded = %v", counts)
	}
}

func TestPriorityFailover(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Strategy: "priority", Keys: keys("primary", "secondary", "tertiary")}
	w1, w2 := mustKeyring(t, auth), mustKeyring(t, auth)
	steps := []struct {
		do   func()
		want [2]string // w1's pick, then w2's
	}{
		{func() {}, [2]string{"primary", "primary"}},
		{func() { w1.ReportStatus(store, "primary", 429, "30", clock.Now()) }, [2]string{"secondary", "secondary"}},
		{func() { w2.ReportStatus(store, "secondary", 401, "", clock.Now()) }, [2]string{"tertiary", "tertiary"}},
		// 429 Retry-After elapsed: w1's request probes primary, w2 stays on tertiary.
		{func() { clock.Advance(31 * time.Second) }, [2]string{"primary", "tertiary"}},
		{func() { w1.ReportStatus(store, "primary", 200, "", clock.Now()) }, [2]string{"primary", "primary"}},
		// secondary's 401 cooldown over: the next request probes it, primary stays first.
		{func() { clock.Advance(5 * time.Minute) }, [2]string{"secondary", "primary"}},
		{func() { w1.ReportStatus(store, "secondary", 200, "", clock.Now()) }, [2]string{"primary", "primary"}},
		{func() { w2.ReportStatus(store, "primary", 200, "", clock.Now()) }, [2]string{"primary", "primary"}}, // success changes nothing
	}
	for i, s := range steps {
		s.do()
		for j, w := range []*Keyring{w1, w2} {
			if got := pickName(t, w, store, clock.Now()); got != s.want[j] {
				t.Errorf("step %d: worker %d picked %s want %s", i, j+1, got, s.want[j])
			}
		}
	}
}

// When a key's cooldown ends, one request probes it while the rest of the traffic, on
// every worker, stays on the healthy key; the probe's answer decides for everyone.
func TestRecoveredKeyProbedBeforeFullTraffic(t *testing.T) {
	const (
		backOnA   = "every worker uses a again"
		staysOnB  = "every worker stays on b"
		probeOnce = "one more request probes a, then every worker uses a"
	)
	for _, tc := range []struct {
		name   string
		status int // the probe's answer (0: none arrives)
		wait   time.Duration
		then   string
	}{
		{"probe succeeds", 200, 0, backOnA},
		{"provider rejects the request, not the key", 400, 0, backOnA},
		{"still rate limited: cooled again", 429, 0, staysOnB},
		{"no verdict (5xx): another request probes", 503, 0, probeOnce},
		{"probe lost: another request probes after the lease", 0, ProbeLease, probeOnce},
	} {
		for _, storeKind := range []string{"shared", "worker-local"} {
			t.Run(tc.name+"/"+storeKind, func(t *testing.T) {
				var store shareddata.Store
				if storeKind == "shared" {
					store = newFakeStore()
				}
				clock := newClock()
				auth := UpstreamAuth{Strategy: "priority", Keys: keys("a", "b")}
				workers := []*Keyring{mustKeyring(t, auth), mustKeyring(t, auth), mustKeyring(t, auth)}
				if store == nil {
					workers = workers[:1] // without shared data each worker probes on its own
				}
				for _, w := range workers {
					w.ReportStatus(store, "a", 429, "", clock.Now())
				}
				clock.Advance(61 * time.Second)
				// round picks once on every worker and returns the workers that got a.
				round := func() (onA []*Keyring) {
					for _, w := range workers {
						if pickName(t, w, store, clock.Now()) == "a" {
							onA = append(onA, w)
						}
					}
					return onA
				}
				var probers []*Keyring
				for r := 0; r < 10; r++ { // requests in flight before the probe answers
					probers = append(probers, round()...)
				}
				if len(probers) != 1 {
					t.Fatalf("%d requests went to the recovering key before its probe answered, want 1", len(probers))
				}
				if tc.status != 0 {
					probers[0].ReportStatus(store, "a", tc.status, "", clock.Now())
				}
				clock.Advance(tc.wait)
				onA := round()
				switch tc.then {
				case backOnA:
					if len(onA) != len(workers) {
						t.Errorf("%d of %d workers use a after a successful probe", len(onA), len(workers))
					}
				case staysOnB:
					if len(onA) != 0 {
						t.Errorf("%d workers use a while it is cooling again", len(onA))
					}
				case probeOnce:
					if len(onA) != 1 {
						t.Fatalf("%d workers use a, want exactly one new probe", len(onA))
					}
					onA[0].ReportStatus(store, "a", 200, "", clock.Now())
					if n := len(round()); n != len(workers) {
						t.Errorf("%d of %d workers use a after the second probe succeeded", n, len(workers))
					}
				}
			})
		}
	}
}

// A single key is used while it is probed: there is nothing healthier to send to.
func TestSingleRecoveringKeyStillServes(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	k := mustKeyring(t, UpstreamAuth{Keys: keys("only")})
	k.ReportStatus(store, "only", 429, "2", clock.Now())
	if _, _, ra, ok := k.Pick(store, clock.Now()); ok || ra != 2*time.Second {
		t.Fatalf("cooling single key: ok=%v retry after %v", ok, ra)
	}
	clock.Advance(2 * time.Second)
	for i := 0; i < 3; i++ {
		if got := pickName(t, k, store, clock.Now()); got != "only" {
			t.Fatalf("pick %d = %s", i, got)
		}
	}
	if v := store.Value(k.cooldownKey); !strings.Contains(v, "only=") || !strings.Contains(v, "~") {
		t.Errorf("the first pick after the cooldown must take the probe lease: record %q", v)
	}
}

func TestAllCoolingReportsFirstUsable(t *testing.T) {
	for _, strategy := range []string{"round_robin", "priority"} {
		store := newFakeStore()
		clock := newClock()
		k := mustKeyring(t, UpstreamAuth{Strategy: strategy, Keys: keys("a", "b", "c")})
		k.ReportStatus(store, "a", 401, "", clock.Now())                              // 300s
		k.ReportStatus(store, "b", 429, "Sun, 01 Mar 2026 12:00:42 GMT", clock.Now()) // 42s
		k.ReportStatus(store, "c", 429, "", clock.Now())                              // 60s
		clock.Advance(2 * time.Second)
		key, name, ra, ok := k.Pick(store, clock.Now())
		if ok || name != "" || !key.IsZero() || ra != 40*time.Second {
			t.Errorf("%s: Pick = %q, %v, %v; want none, retry after 40s", strategy, name, ra, ok)
		}
		e, h := KeysExhausted(ra)
		if e.Status != 503 || h[0] != [2]string{"retry-after", "40"} || !strings.Contains(string(e.JSON()), "upstream_keys_exhausted") {
			t.Errorf("KeysExhausted = %+v %v", e, h)
		}
		clock.Advance(40 * time.Second)
		if got := pickName(t, k, store, clock.Now()); got != "b" {
			t.Errorf("%s: first usable = %s want b", strategy, got)
		}
	}
}

func TestCooldownSharedAndNeverShortened(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Keys: keys("a", "b")}
	w1, w2 := mustKeyring(t, auth), mustKeyring(t, auth)
	w1.ReportStatus(store, "a", 401, "", clock.Now())  // 300s, seen by w2
	w2.ReportStatus(store, "a", 429, "5", clock.Now()) // must not shorten it
	clock.Advance(10 * time.Second)
	if cd := w2.CoolingDown(store, clock.Now()); cd["a"] != 290*time.Second || len(cd) != 1 {
		t.Errorf("w2 sees cooldowns %v, want a=290s", cd)
	}
	for i := 0; i < 4; i++ {
		if got := pickName(t, w2, store, clock.Now()); got != "b" {
			t.Errorf("w2 picked %s while a is cooling", got)
		}
	}
	if w1.ReportStatus(store, "unknown", 429, "", clock.Now()) {
		t.Error("unknown key name reported as cooled")
	}
}

// Two workers read the same record version and both write: the compare-and-swap makes
// the second writer re-read and merge, so neither cooldown is lost.
func TestConcurrentCooldownsNoLostUpdate(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Keys: keys("a", "b", "c")}
	w1, w2 := mustKeyring(t, auth), mustKeyring(t, auth)
	if err := w1.Prepare(store); err != nil {
		t.Fatal(err)
	}
	store.BeforeSet = func(key string) {
		// w1 has read the record and is about to write; w2 slips in first.
		if !w2.ReportStatus(store, "b", 401, "", clock.Now()) {
			t.Error("w2 report failed")
		}
	}
	if !w1.ReportStatus(store, "a", 429, "", clock.Now()) {
		t.Fatal("w1 report failed")
	}
	if store.CASFailures != 1 {
		t.Errorf("cas failures = %d, want 1 (the interleaving did not happen)", store.CASFailures)
	}
	// A third worker with no local state must see both cooldowns.
	w3 := mustKeyring(t, auth)
	cd := w3.CoolingDown(store, clock.Now())
	if cd["a"] != 60*time.Second || cd["b"] != 300*time.Second {
		t.Errorf("shared cooldowns = %v (record %q): an update was lost", cd, store.Value(w3.cooldownKey))
	}
	if got := pickName(t, w3, store, clock.Now()); got != "c" {
		t.Errorf("w3 picked %s", got)
	}
}

func TestConcurrentRoundRobinNoDoubleHandout(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Keys: keys("a", "b", "c")}
	w1, w2 := mustKeyring(t, auth), mustKeyring(t, auth)
	if err := w1.Prepare(store); err != nil {
		t.Fatal(err)
	}
	var inner string
	store.BeforeSet = func(string) { inner = pickName(t, w2, store, clock.Now()) }
	outer := pickName(t, w1, store, clock.Now())
	if inner != "a" || outer != "b" {
		t.Errorf("interleaved picks: w2=%s w1=%s, want a then b", inner, outer)
	}
	if got := pickName(t, w1, store, clock.Now()); got != "c" {
		t.Errorf("next pick %s, want c", got)
	}
}

func TestPersistentCASFailureFallsBackLocally(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	k := mustKeyring(t, UpstreamAuth{Keys: keys("a", "b")})
	if err := k.Prepare(store); err != nil {
		t.Fatal(err)
	}
	store.FailSet = shareddata.ErrCASMismatch
	store.Sets = 0
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		seen[pickName(t, k, store, clock.Now())]++
	}
	if seen["a"] != 2 || seen["b"] != 2 {
		t.Errorf("local round robin = %v", seen)
	}
	if sets := store.Sets; sets > 4*shareddata.MaxAttempts {
		t.Errorf("%d Set calls for 4 picks: the CAS loop is unbounded", sets)
	}
	if !k.ReportStatus(store, "a", 429, "", clock.Now()) {
		t.Fatal("report failed")
	}
	for i := 0; i < 3; i++ {
		if got := pickName(t, k, store, clock.Now()); got != "b" {
			t.Errorf("picked %s: local cooldown ignored", got)
		}
	}
}

func TestStoreUnavailable(t *testing.T) {
	clock := newClock()
	broken := newFakeStore()
	broken.FailSet = errors.New("shared data unsupported")
	for name, store := range map[string]shareddata.Store{"nil": nil, "broken": broken} {
		k := mustKeyring(t, UpstreamAuth{Strategy: "priority", Keys: keys("a", "b")})
		if err := k.Prepare(store); store != nil && (err == nil || !strings.Contains(err.Error(), "egressguard/keys/up/")) {
			t.Errorf("%s: Prepare error = %v", name, err)
		}
		k.ReportStatus(store, "a", 403, "", clock.Now())
		if got := pickName(t, k, store, clock.Now()); got != "b" {
			t.Errorf("%s: picked %s", name, got)
		}
	}
}

func TestPrepareKeepsExistingState(t *testing.T) {
	store := newFakeStore()
	clock := newClock()
	auth := UpstreamAuth{Keys: keys("a", "b")}
	w1 := mustKeyring(t, auth)
	if err := w1.Prepare(store); err != nil {
		t.Fatal(err)
	}
	if store.Value(w1.cooldownKey) != "v2" || store.Value(w1.rrKey) != "0" {
		t.Errorf("initial records %q %q", store.Value(w1.cooldownKey), store.Value(w1.rrKey))
	}
	w1.ReportStatus(store, "a", 429, "", clock.Now())
	w2 := mustKeyring(t, auth)
	if err := w2.Prepare(store); err != nil { // a worker starting later
		t.Fatal(err)
	}
	if cd := w2.CoolingDown(store, clock.Now()); cd["a"] == 0 {
		t.Error("Prepare on a later worker wiped the shared cooldowns")
	}
}

func TestStateEncoding(t *testing.T) {
	now := int64(100_000_000)
	m := map[string]keyState{
		"b":     {until: now + 5},                    // cooling
		"a":     {until: now + 10, lease: now + 99},  // cooling: a lease means nothing yet
		"rec":   {until: now - 1},                    // recovering, no probe
		"probe": {until: now - 1, lease: now + 30},   // recovering, probe in flight
		"gone":  {until: now - 1, lease: now - 1},    // recovering, probe lease expired
		"stale": {until: now - recoveryMaxAgeMs - 1}, // recovering for too long: healthy
		"ok":    {},                                  // healthy
	}
	got := string(encodeStates(m, now))
	want := "v2 a=100000010 b=100000005 gone=99999999 probe=99999999~100000030 rec=99999999"
	if got != want {
		t.Errorf("encoding = %q\n want %q", got, want)
	}
	if d := decodeStates([]byte(got)); d["probe"] != (keyState{until: now - 1, lease: now + 30}) || d["a"].lease != 0 || len(d) != 5 {
		t.Errorf("round trip = %v", d)
	}
	for _, garbage := range []string{"", "v3 a=5", "v1a=5", "garbage", "v1 =5 a=x b=-3 c=", "v1 bad!name=99", "v2 a=5~x b=~3"} {
		if d := decodeStates([]byte(garbage)); len(d) != 0 {
			t.Errorf("decode(%q) = %v, want empty", garbage, d)
		}
	}
	if d := decodeStates([]byte("v1 a=7 junk b=9")); d["a"].until != 7 || d["b"].until != 9 {
		t.Errorf("tolerant decode of a v1 record = %v", d)
	}
	// A corrupt shared record is overwritten by the next report rather than blocking it.
	store := newFakeStore()
	k := mustKeyring(t, UpstreamAuth{Keys: keys("a", "b")})
	for key, v := range map[string]string{k.cooldownKey: "\x00garbage", k.rrKey: "not a number"} {
		if err := store.Set(key, []byte(v), 0); err != nil {
			t.Fatal(err)
		}
	}
	clock := newClock()
	if got := pickName(t, k, store, clock.Now()); got != "a" {
		t.Errorf("pick over garbage rr = %s", got)
	}
	k.ReportStatus(store, "a", 429, "", clock.Now())
	if v := store.Value(k.cooldownKey); !strings.HasPrefix(v, "v2 a=") {
		t.Errorf("record after report = %q", v)
	}
}

// Real goroutines standing in for worker VMs: run under -race, every pick succeeds and
// the shared position stays consistent.
func TestWorkersConcurrently(t *testing.T) {
	store := newFakeStore()
	auth := UpstreamAuth{Keys: keys("a", "b", "c", "d")}
	now := newClock().Now()
	done := make(chan map[string]int)
	for w := 0; w < 4; w++ {
		go func(w int) {
			k, _, _ := NewKeyring("up", completed(auth), MapEnv{})
			counts := map[string]int{}
			for i := 0; i < 200; i++ {
				if _, name, _, ok := k.Pick(store, now); ok {
					counts[name]++
				}
				if i == 100 {
					k.ReportStatus(store, []string{"a", "b", "c", "d"}[w], 200, "", now)
				}
			}
			done <- counts
		}(w)
	}
	total := 0
	for w := 0; w < 4; w++ {
		for _, n := range <-done {
			total += n
		}
	}
	if total != 800 {
		t.Errorf("%d of 800 picks succeeded", total)
	}
}
