package credentials

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
)

// ctCompare is subtle.ConstantTimeCompare; a variable so tests can count comparisons.
var ctCompare = subtle.ConstantTimeCompare

// maxPresentedKeyLen bounds the client key the guard hashes; longer values are invalid.
const maxPresentedKeyLen = 4096

// Authenticator identifies the client of a request. Build it once per plugin start
// with NewAuthenticator; it is read-only afterwards and safe for concurrent use.
type Authenticator struct {
	mode           string
	apiKeyHeader   string
	bearer         bool
	identityHeader string
	identityMap    map[string]string
	allowUnlisted  bool
	tenants        []Tenant
	byName         map[string]int
	hashes         []keyHash
}

type keyHash struct {
	sum    [sha256.Size]byte
	tenant int
}

// AuthError is an authentication failure: Status 401 (missing or invalid credential)
// or 403 (authenticated identity not allowed). Message never contains the presented
// credential or identity.
type AuthError struct {
	Status  int
	Code    string // missing_api_key, invalid_api_key, missing_identity, unknown_tenant, invalid_identity
	Message string
}

// Error implements error.
func (e *AuthError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// APIError converts to the guard's JSON error (type authentication_error).
func (e *AuthError) APIError() *apierr.Error {
	return apierr.New(e.Status, apierr.TypeAuth, e.Code, "%s", e.Message)
}

// Headers are the extra response headers for the local reply: WWW-Authenticate on 401.
func (e *AuthError) Headers() [][2]string {
	if e.Status == 401 {
		return [][2]string{{"www-authenticate", `Bearer realm="egressguard"`}}
	}
	return nil
}

// NewAuthenticator validates c (completed by ApplyDefaults, as config.Parse does) and
// compiles it.
func NewAuthenticator(c ClientAuth) (*Authenticator, error) {
	if msgs := c.Validate("clients"); len(msgs) > 0 {
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	a := &Authenticator{
		mode:           c.Mode,
		apiKeyHeader:   c.APIKeyHeader,
		bearer:         c.APIKeyHeader == "authorization" || c.APIKeyHeader == "proxy-authorization",
		identityHeader: c.IdentityHeader,
		identityMap:    c.IdentityMap,
		allowUnlisted:  c.AllowUnlistedTenants,
		tenants:        append([]Tenant(nil), c.Tenants...),
		byName:         map[string]int{},
	}
	for i, t := range a.tenants {
		a.byName[t.Name] = i
		for _, h := range t.KeySHA256 {
			var kh keyHash
			if _, err := hex.Decode(kh.sum[:], []byte(strings.ToLower(h))); err != nil {
				return nil, fmt.Errorf("clients.tenants[%d].key_sha256: %v", i, err) // unreachable after Validate
			}
			kh.tenant = i
			a.hashes = append(a.hashes, kh)
		}
	}
	return a, nil
}

// Mode returns the effective mode ("none", "api_key" or "header").
func (a *Authenticator) Mode() string { return a.mode }

// Authenticate identifies the client from the request headers (get returns a header's
// value, "" when absent). Mode none returns (nil, nil): no tenant, no overrides. The
// returned Tenant is shared: do not modify it.
//
// In mode api_key the SHA-256 of the presented key is compared in constant time with
// every configured hash (no early exit), so timing reveals neither which tenant nor
// how much of a hash matched.
func (a *Authenticator) Authenticate(get func(header string) string) (*Tenant, *AuthError) {
	switch a.mode {
	case ModeAPIKey:
		return a.byAPIKey(get(a.apiKeyHeader))
	case ModeHeader:
		return a.byIdentity(get(a.identityHeader))
	default:
		return nil, nil
	}
}

func (a *Authenticator) byAPIKey(v string) (*Tenant, *AuthError) {
	key := strings.TrimSpace(v)
	if a.bearer && key != "" {
		scheme, rest, _ := strings.Cut(key, " ")
		if !strings.EqualFold(scheme, "bearer") {
			return nil, &AuthError{401, "invalid_api_key", "the " + a.apiKeyHeader + " header must be \"Bearer <api key>\""}
		}
		key = strings.TrimSpace(rest)
	}
	if key == "" {
		how := "in the " + a.apiKeyHeader + " header"
		if a.bearer {
			how += " as \"Bearer <api key>\""
		}
		return nil, &AuthError{401, "missing_api_key", "an API key for this gateway is required " + how}
	}
	if len(key) > maxPresentedKeyLen {
		return nil, invalidKey()
	}
	sum := sha256.Sum256([]byte(key))
	match := -1
	for _, h := range a.hashes {
		eq := ctCompare(sum[:], h.sum[:])
		match = subtle.ConstantTimeSelect(eq, h.tenant, match)
	}
	if match < 0 {
		return nil, invalidKey()
	}
	return &a.tenants[match], nil
}

func invalidKey() *AuthError {
	return &AuthError{401, "invalid_api_key", "the API key is not valid for this gateway"}
}

func (a *Authenticator) byIdentity(v string) (*Tenant, *AuthError) {
	id := strings.TrimSpace(v)
	if id == "" {
		return nil, &AuthError{401, "missing_identity", "the request carries no authenticated identity"}
	}
	name := id
	if len(a.identityMap) > 0 {
		mapped, ok := a.identityMap[id]
		if !ok {
			return nil, &AuthError{403, "unknown_tenant", "the authenticated identity is not a client of this gateway"}
		}
		name = mapped
	}
	if i, ok := a.byName[name]; ok {
		return &a.tenants[i], nil
	}
	if !a.allowUnlisted {
		return nil, &AuthError{403, "unknown_tenant", "the authenticated identity is not a client of this gateway"}
	}
	if !validTenantName(name) {
		return nil, &AuthError{403, "invalid_identity", "the authenticated identity is not a valid tenant name"}
	}
	return &Tenant{Name: name}, nil
}

// AllowsModel reports whether the tenant may use model: AllowedModels empty, an exact
// entry, or an entry "prefix*" with model starting with prefix. A nil tenant (no client
// authentication) allows everything.
func (t *Tenant) AllowsModel(model string) bool {
	if t == nil || len(t.AllowedModels) == 0 {
		return true
	}
	for _, m := range t.AllowedModels {
		if p, ok := strings.CutSuffix(m, "*"); ok {
			if strings.HasPrefix(model, p) {
				return true
			}
		} else if m == model {
			return true
		}
	}
	return false
}

// CheckModel is AllowsModel as a 403 policy error with param "model" (nil when allowed).
func (t *Tenant) CheckModel(model string) *apierr.Error {
	if t.AllowsModel(model) {
		return nil
	}
	shown := model
	if len(shown) > 100 {
		shown = shown[:100] + "..."
	}
	e := apierr.New(403, apierr.TypePolicy, "model_not_allowed", "model %q is not allowed for this client", shown)
	e.Param = "model"
	return e
}

// TokenCap lowers cap to the tenant's MaxTokensCap when that is set and smaller. A nil
// tenant returns cap.
func (t *Tenant) TokenCap(cap int) int {
	if t == nil || t.MaxTokensCap <= 0 {
		return cap
	}
	return min(cap, t.MaxTokensCap)
}

// KeysExhausted is the 503 answer when every key of an upstream is cooling down, and
// its Retry-After header (whole seconds until the first key is usable, at least 1).
func KeysExhausted(retryAfter time.Duration) (*apierr.Error, [][2]string) {
	secs := apierr.RetryAfterSeconds(retryAfter)
	e := apierr.New(503, apierr.TypeUnavailable, "upstream_keys_exhausted",
		"every upstream API key is rate limited or rejected; retry after %d seconds", secs)
	return e, [][2]string{{"retry-after", strconv.Itoa(secs)}}
}
