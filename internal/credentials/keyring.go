package credentials

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/egressguard/egressguard/internal/shareddata"
)

// Env looks up VM environment variables. In the plugin use OSEnv: inside the wasm VM
// the variables Envoy forwards (host_env_keys / env_vars) are the process environment.
type Env interface {
	// Getenv returns the variable's value and whether it is set.
	Getenv(name string) (string, bool)
}

// OSEnv is the process environment (os.LookupEnv).
type OSEnv struct{}

// Getenv implements Env.
func (OSEnv) Getenv(name string) (string, bool) { return os.LookupEnv(name) }

// MapEnv is an Env backed by a map, for tests and tools.
type MapEnv map[string]string

// Getenv implements Env.
func (m MapEnv) Getenv(name string) (string, bool) { v, ok := m[name]; return v, ok }

// SharedKeyPrefix namespaces the shared-data keys: <prefix><upstream>/cooldown and
// <prefix><upstream>/rr.
const SharedKeyPrefix = "egressguard/keys/"

// Keyring is the resolved key set of one upstream. Build it once per plugin start with
// NewKeyring; it is safe for concurrent use. Each key is healthy, cooling down (after a
// 401/403/429) or recovering (cooldown over, one probe request at a time until an answer
// shows it works), as recorded in shared data for every worker; this worker's own view
// takes over when shared data is unavailable or contended.
type Keyring struct {
	upstream    string
	header      string
	prefix      string // "Bearer " or "" (raw)
	priority    bool
	cooldown    CooldownConfig
	keys        []keyEntry
	cooldownKey string
	rrKey       string

	mu sync.Mutex
	// local is this worker's view of each key: the whole state when shared data fails,
	// and cooldowns or probe leases its writes could not publish.
	local []keyState
	// seenRecovering marks keys the last Pick saw recovering, so that a success report
	// clears them for every worker.
	seenRecovering []bool
	localRR        int
	states         []keyState // scratch
	blocked        []int64    // scratch: 0 for a healthy key, else math.MaxInt64
}

type keyEntry struct {
	name   string
	secret Secret
}

// NewKeyring validates a (completed by ApplyDefaults, as config.Parse does) and resolves
// every key once. Missing or empty environment
// variables are an error naming the upstream, the key and the variable, never a value.
// Warnings (e.g. inline keys) are meant for the start-up log. Values are trimmed of
// surrounding white space (a trailing newline from a secret file is common).
func NewKeyring(upstream string, a UpstreamAuth, env Env) (*Keyring, []string, error) {
	field := fmt.Sprintf("upstream %q: auth", upstream)
	if !a.Enabled() {
		return nil, nil, fmt.Errorf("%s.keys: at least one key is required", field)
	}
	if msgs := a.Validate(field); len(msgs) > 0 {
		return nil, nil, errors.New(strings.Join(msgs, "; "))
	}
	k := &Keyring{
		upstream:       upstream,
		header:         a.Header,
		priority:       a.Strategy == StrategyPriority,
		cooldown:       a.Cooldown,
		cooldownKey:    SharedKeyPrefix + upstream + "/cooldown",
		rrKey:          SharedKeyPrefix + upstream + "/rr",
		local:          make([]keyState, len(a.Keys)),
		seenRecovering: make([]bool, len(a.Keys)),
		states:         make([]keyState, len(a.Keys)),
		blocked:        make([]int64, len(a.Keys)),
	}
	if a.Scheme != SchemeRaw {
		k.prefix = a.Scheme + " "
	}
	var warnings, problems []string
	for i, ref := range a.Keys {
		kf := fmt.Sprintf("%s.keys[%d]", field, i)
		var v string
		if ref.Env != "" {
			raw, ok := env.Getenv(ref.Env)
			v = strings.TrimSpace(raw)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s.env: environment variable %s is not set in the wasm VM "+
					"(Envoy: list it in vm_config.environment_variables.host_env_keys; Istio: vmConfig.env with valueFrom: HOST)", kf, ref.Env))
				continue
			case v == "":
				problems = append(problems, fmt.Sprintf("%s.env: environment variable %s is empty", kf, ref.Env))
				continue
			}
			if msg := checkKeyValue(v); msg != "" {
				problems = append(problems, fmt.Sprintf("%s.env: environment variable %s %s", kf, ref.Env, msg))
				continue
			}
		} else {
			v = ref.Value.Reveal()
			warnings = append(warnings, fmt.Sprintf("%s.value: key %q is configured inline; inline keys appear in Envoy "+
				"config dumps (/config_dump) and in the WasmPlugin object, use env in production", kf, ref.Name))
		}
		k.keys = append(k.keys, keyEntry{name: ref.Name, secret: NewSecret(v)})
	}
	if len(problems) > 0 {
		return nil, warnings, errors.New(strings.Join(problems, "; "))
	}
	return k, warnings, nil
}

// Upstream returns the upstream name the keyring was built for.
func (k *Keyring) Upstream() string { return k.upstream }

// Header returns the lower-case header name the key is sent in.
func (k *Keyring) Header() string { return k.header }

// Names returns the key names in configured order.
func (k *Keyring) Names() []string {
	out := make([]string, len(k.keys))
	for i, e := range k.keys {
		out[i] = e.name
	}
	return out
}

// Secrets returns every key of the ring, so that an echo of one in a response can be
// redacted (see redact.Config.ExactSecrets). Reveal them only for that.
func (k *Keyring) Secrets() []Secret {
	out := make([]Secret, len(k.keys))
	for i, e := range k.keys {
		out[i] = e.secret
	}
	return out
}

// String describes the keyring without key material.
func (k *Keyring) String() string {
	return fmt.Sprintf("Keyring(upstream=%q header=%q keys=%q)", k.upstream, k.header, k.Names())
}

// GoString implements fmt.GoStringer like String.
func (k *Keyring) GoString() string { return k.String() }

// HeaderValue returns the header to set on the upstream request and its value (scheme
// prefix plus key), e.g. ("authorization", "Bearer sk-..."). The value holds the key:
// pass it straight to the header host call and nowhere else.
func (k *Keyring) HeaderValue(s Secret) (name, value string) {
	return k.header, k.prefix + s.Reveal()
}

// CooldownFor is this keyring's cooldown for an upstream status and Retry-After value
// (0 when the status does not cool a key).
func (k *Keyring) CooldownFor(status int, retryAfter string, now time.Time) time.Duration {
	return k.cooldown.CooldownFor(status, retryAfter, now)
}

// Prepare creates the shared-data records if they do not exist yet. Call it from
// OnPluginStart: afterwards every update is a true compare-and-swap (Envoy treats cas 0
// as unconditional, so lazily creating a record could race another worker). An error
// is worth a warning only: the keyring then works from worker-local state when needed.
func (k *Keyring) Prepare(store shareddata.Store) error {
	if store == nil {
		return nil
	}
	return errors.Join(
		wrapUpstream(k.upstream, shareddata.Create(store, k.cooldownKey, []byte(stateVersion))),
		wrapUpstream(k.upstream, shareddata.Create(store, k.rrKey, []byte("0"))))
}

func wrapUpstream(upstream string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("upstream %q: %w", upstream, err)
}

// Pick chooses the key for one request. A key whose cooldown has ended is recovering:
// the first request after the cooldown probes it, and until an upstream answer shows the
// key works again (ReportStatus), the other requests keep using healthy keys, so a key
// still over its provider limit costs one refused request, not everything in flight.
// Among healthy keys, strategy priority takes the first in configured order and
// round_robin the next after the last one handed out by any worker. With no healthy key a
// key being probed is used anyway. When every key is cooling down ok is false and
// retryAfter is the time until the first key becomes usable again (answer 503, see
// KeysExhausted). store may be nil (worker-local state only).
func (k *Keyring) Pick(store shareddata.Store, now time.Time) (key Secret, keyName string, retryAfter time.Duration, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	nowMs := now.UnixMilli()
	st, shared := k.statesLocked(store, nowMs)
	for i := range st {
		if st[i].recovering(nowMs) && !st[i].probing(nowMs) {
			if k.claimProbeLocked(store, shared, i, nowMs) {
				return k.keys[i].secret, k.keys[i].name, 0, true
			}
			st[i].lease = math.MaxInt64 // another worker probes it
		}
	}
	for i, s := range st {
		k.blocked[i] = 0
		if !s.healthy(nowMs) {
			k.blocked[i] = math.MaxInt64
		}
	}
	var i int
	if k.priority || len(k.keys) == 1 {
		i = firstUsable(k.blocked, 0, nowMs)
	} else {
		i = k.nextRoundRobinLocked(store, k.blocked, nowMs)
	}
	if i < 0 {
		for j, s := range st {
			if s.probing(nowMs) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		earliest := st[0].until
		for _, s := range st[1:] {
			earliest = min(earliest, s.until)
		}
		return Secret{}, "", time.Duration(earliest-nowMs) * time.Millisecond, false
	}
	return k.keys[i].secret, k.keys[i].name, 0, true
}

// statesLocked returns every key's state: the shared record plus the cooldowns this
// worker could not publish, or the worker-local view when shared data is unusable
// (shared false).
func (k *Keyring) statesLocked(store shareddata.Store, nowMs int64) (st []keyState, shared bool) {
	st = k.states
	if store != nil {
		b, _, err := store.Get(k.cooldownKey)
		if err == nil || errors.Is(err, shareddata.ErrNotFound) {
			clear(st)
			forEachState(b, func(name string, s keyState) {
				if i := k.index(name); i >= 0 {
					st[i] = s
				}
			})
			for i := range st {
				if l := k.local[i]; l.cooling(nowMs) {
					st[i] = keyState{until: max(st[i].until, l.until)}
				}
				k.seenRecovering[i] = st[i].recovering(nowMs)
			}
			return st, true
		}
	}
	copy(st, k.local)
	for i := range st {
		k.seenRecovering[i] = st[i].recovering(nowMs)
	}
	return st, false
}

// claimProbeLocked takes the probe lease of recovering key i for this request, in the
// shared record when it is usable (false: another worker took it first).
func (k *Keyring) claimProbeLocked(store shareddata.Store, shared bool, i int, nowMs int64) bool {
	lease := nowMs + ProbeLease.Milliseconds()
	if shared {
		name, claimed := k.keys[i].name, false
		err := shareddata.Update(store, k.cooldownKey, shareddata.MaxAttempts, func(cur []byte) ([]byte, bool) {
			m := decodeStates(cur)
			s := m[name]
			if claimed = s.recovering(nowMs) && !s.probing(nowMs); !claimed {
				return nil, false
			}
			s.lease = lease
			m[name] = s
			return encodeStates(m, nowMs), true
		})
		if err == nil {
			if claimed {
				k.local[i].lease = lease
			}
			return claimed
		}
		// Shared data failed: probe on this worker's say-so.
	}
	k.local[i].lease = lease
	return true
}

func (k *Keyring) index(name string) int {
	for i, e := range k.keys {
		if e.name == name {
			return i
		}
	}
	return -1
}

func firstUsable(until []int64, start int, nowMs int64) int {
	n := len(until)
	for j := 0; j < n; j++ {
		if i := (start + j) % n; until[i] <= nowMs {
			return i
		}
	}
	return -1
}

// nextRoundRobinLocked advances the shared position with compare-and-swap; on store
// errors or persistent contention it uses the worker-local position.
func (k *Keyring) nextRoundRobinLocked(store shareddata.Store, until []int64, nowMs int64) int {
	n := len(k.keys)
	if store != nil {
		i := -1
		err := shareddata.Update(store, k.rrKey, shareddata.MaxAttempts, func(cur []byte) ([]byte, bool) {
			start := 0
			if v, err := strconv.ParseUint(string(cur), 10, 32); err == nil {
				start = int(v % uint64(n))
			}
			if i = firstUsable(until, start, nowMs); i < 0 {
				return nil, false
			}
			return strconv.AppendInt(nil, int64((i+1)%n), 10), true
		})
		if err == nil {
			if i >= 0 {
				k.localRR = (i + 1) % n
			}
			return i
		}
	}
	i := firstUsable(until, k.localRR, nowMs)
	if i >= 0 {
		k.localRR = (i + 1) % n
	}
	return i
}

// ReportStatus records the upstream's answer to a request made with keyName: 401/403
// and 429 cool the key down (see CooldownFor; retryAfter is the response's Retry-After
// header value, "" when absent) for every worker through the shared store, extending
// never shortening an existing cooldown, and it reports whether the key was cooled. Any
// other answer below 500 shows the key works: a recovering key is healthy again. No
// answer or a 5xx proves nothing: the probe lease is released for another request.
// Unknown names are ignored. store may be nil (worker-local only).
func (k *Keyring) ReportStatus(store shareddata.Store, keyName string, status int, retryAfter string, now time.Time) (cooled bool) {
	i := k.index(keyName)
	if i < 0 {
		return false
	}
	nowMs := now.UnixMilli()
	k.mu.Lock()
	defer k.mu.Unlock()
	if d := k.CooldownFor(status, retryAfter, now); d > 0 {
		untilMs := now.Add(d).UnixMilli()
		k.local[i] = keyState{until: max(k.local[i].until, untilMs)}
		if store != nil {
			k.extendSharedLocked(store, keyName, untilMs, nowMs)
		}
		return true
	}
	switch {
	case status >= 200 && status < 500:
		if k.local[i] != (keyState{}) || k.seenRecovering[i] {
			k.local[i], k.seenRecovering[i] = keyState{}, false
			if store != nil {
				k.resolveSharedLocked(store, keyName, nowMs, true)
			}
		}
	case k.local[i].lease > nowMs:
		k.local[i].lease = 0
		if store != nil {
			k.resolveSharedLocked(store, keyName, nowMs, false)
		}
	}
	return false
}

// extendSharedLocked merges one cooldown into the shared record with compare-and-swap,
// so concurrent reports for different keys from different workers are all kept. On
// failure the worker-local state already holds the cooldown.
func (k *Keyring) extendSharedLocked(store shareddata.Store, name string, untilMs, nowMs int64) {
	_ = shareddata.Update(store, k.cooldownKey, shareddata.MaxAttempts, func(cur []byte) ([]byte, bool) {
		m := decodeStates(cur)
		if m[name].until >= untilMs {
			return nil, false
		}
		m[name] = keyState{until: untilMs}
		return encodeStates(m, nowMs), true
	})
}

// resolveSharedLocked ends a recovering key's probe in the shared record: healthy drops
// its entry, otherwise only the lease is released. A key cooling again is left alone.
func (k *Keyring) resolveSharedLocked(store shareddata.Store, name string, nowMs int64, healthy bool) {
	_ = shareddata.Update(store, k.cooldownKey, shareddata.MaxAttempts, func(cur []byte) ([]byte, bool) {
		m := decodeStates(cur)
		s, ok := m[name]
		switch {
		case !ok || s.cooling(nowMs):
			return nil, false
		case healthy:
			delete(m, name)
		case s.lease == 0:
			return nil, false
		default:
			s.lease = 0
			m[name] = s
		}
		return encodeStates(m, nowMs), true
	})
}

// CoolingDown returns, for every key cooling down at now, the time left (for metrics
// and debugging; keyed by key name).
func (k *Keyring) CoolingDown(store shareddata.Store, now time.Time) map[string]time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	nowMs := now.UnixMilli()
	st, _ := k.statesLocked(store, nowMs)
	out := map[string]time.Duration{}
	for i, s := range st {
		if s.cooling(nowMs) {
			out[k.keys[i].name] = time.Duration(s.until-nowMs) * time.Millisecond
		}
	}
	return out
}
