package moderation

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/credentials"
)

// Providers.
const (
	ProviderMistral = "mistral"
	ProviderOpenAI  = "openai"
)

// Stage modes.
const (
	ModeEnforce = "enforce" // moderate and act on the verdict
	ModeMonitor = "monitor" // moderate and record the verdict, never act on it
	ModeOff     = "off"     // do not moderate
)

// Failure policies.
const (
	FailClosed = "fail_closed" // moderation unavailable: refuse (503 / refusal)
	FailOpen   = "fail_open"   // moderation unavailable: forward, with header, metric and log
)

// Defaults.
const (
	DefaultMistralAuthority = "api.mistral.ai"
	DefaultOpenAIAuthority  = "api.openai.com"
	DefaultPath             = "/v1/moderations"
	ChatModerationsPath     = "/v1/chat/moderations"
	DefaultMistralModel     = "mistral-moderation-2411"
	DefaultOpenAIModel      = "omni-moderation-latest"
	DefaultTimeoutMS        = 2000
	DefaultCacheTTLSeconds  = 600
	DefaultCacheMaxEntries  = 16384
	DefaultMaxChunkChars    = 4000
	DefaultChunkOverlap     = 200
	DefaultHoldbackChars    = 500
	DefaultRefusal          = "I cannot provide that response."
	DefaultThresholdNoFlags = 0.5 // default_threshold when use_flags is false
)

const (
	maxTimeoutMS       = 60000
	maxCacheTTLSeconds = 86400
	minCacheEntries    = 64
	maxCacheEntries    = 1 << 20
	minChunkChars      = 100
	maxChunkChars      = 100000
	maxRefusalBytes    = 2000
)

// OpenAICategories are the categories of OpenAI omni-moderation (text-moderation
// models lack the two illicit ones).
var OpenAICategories = []string{
	"harassment", "harassment/threatening", "hate", "hate/threatening",
	"illicit", "illicit/violent", "self-harm", "self-harm/intent",
	"self-harm/instructions", "sexual", "sexual/minors", "violence",
	"violence/graphic",
}

// MistralCategories are the categories of Mistral moderation.
var MistralCategories = []string{
	"sexual", "hate_and_discrimination", "violence_and_threats",
	"dangerous_and_criminal_content", "selfharm", "health", "financial",
	"law", "pii",
}

// MistralDefaultCategories are the Mistral categories enforced when
// Config.Categories is empty. health, financial, law and pii flag ordinary
// requests for advice or texts that merely contain personal data, so they only
// count when named in categories or thresholds.
var MistralDefaultCategories = []string{
	"sexual", "hate_and_discrimination", "violence_and_threats",
	"dangerous_and_criminal_content", "selfharm",
}

// Stage configures moderation of one direction (input: the request; output: the
// completion).
type Stage struct {
	// Mode is "enforce" (default), "monitor" or "off".
	Mode string `json:"mode" jsonschema:"enum=,enum=enforce,enum=monitor,enum=off"`
	// Failure is "fail_closed" (default) or "fail_open": what happens when the
	// moderation call times out, cannot connect, answers non-200 or unparseable JSON.
	Failure string `json:"failure" jsonschema:"enum=,enum=fail_closed,enum=fail_open"`
}

// Config configures out-of-band moderation (top-level "moderation"). The zero
// value (provider "") is off. Zero fields take the documented defaults.
type Config struct {
	// Provider is "" (off), "mistral" or "openai": the moderation API's wire format.
	Provider string `json:"provider" jsonschema:"enum=,enum=mistral,enum=openai"`
	// Cluster is the Envoy cluster the moderation call goes to (required when on).
	Cluster string `json:"cluster"`
	// Authority is the :authority of the call. Default api.mistral.ai / api.openai.com.
	Authority string `json:"authority"`
	// Path is the :path. Default "/v1/moderations"; with mistral, a path ending in
	// "/chat/moderations" moderates each text in its conversation context.
	Path string `json:"path"`
	// Model is the moderation model. Default "mistral-moderation-2411" (Mistral
	// recommends a dated model over -latest) / "omni-moderation-latest".
	Model string `json:"model"`
	// TimeoutMS bounds the call (default 2000, at most 60000).
	TimeoutMS int `json:"timeout_ms"`
	// Auth is the moderation API's key, injected like upstream keys.
	Auth credentials.UpstreamAuth `json:"auth"`
	// Input moderates requests before they are forwarded.
	Input Stage `json:"input"`
	// Output moderates completions (JSON and SSE) before the client sees them.
	Output Stage `json:"output"`
	// Categories are the categories that can flag. Empty: every OpenAI category, or
	// MistralDefaultCategories. "*" means every category of the provider. Categories
	// named in Thresholds always count.
	Categories []string `json:"categories"`
	// Thresholds per category: the category flags when its score is at or above the
	// value (0 < t <= 1), whatever the provider's boolean says.
	Thresholds map[string]float64 `json:"thresholds"`
	// DefaultThreshold applies to enforced categories without an entry in Thresholds
	// (0: none). Default 0, or 0.5 when use_flags is false.
	DefaultThreshold float64 `json:"default_threshold"`
	// UseFlags (default true): an enforced category without an entry in Thresholds
	// flags when the provider's boolean for it is true.
	UseFlags *bool `json:"use_flags"`
	// CacheTTLSeconds is how long verdicts on input texts are remembered in shared
	// data (default 600, at most 86400; -1 disables the cache).
	CacheTTLSeconds int `json:"cache_ttl_seconds"`
	// CacheMaxEntries bounds the cache (default 16384; 64 to 1048576). Proxy-wasm
	// shared data cannot delete keys, so the cache is a fixed set of buckets.
	CacheMaxEntries int `json:"cache_max_entries"`
	// MaxChunkChars splits longer texts into several inputs (default 4000 code points).
	MaxChunkChars int `json:"max_chunk_chars"`
	// ChunkOverlapChars is repeated between consecutive chunks and stream windows
	// (default 200; -1 for none; less than half of max_chunk_chars).
	ChunkOverlapChars int `json:"chunk_overlap_chars"`
	// HoldbackChars is the SSE window: at most this many characters of a streamed
	// completion are held back before they are moderated (default 500).
	HoldbackChars int `json:"holdback_chars"`
	// Refusal replaces a flagged completion. Default "I cannot provide that response."
	Refusal string `json:"refusal"`
}

// Enabled reports whether moderation is configured.
func (c *Config) Enabled() bool { return c != nil && c.Provider != "" }

// ChatPath reports whether Path is a conversational (chat) moderation endpoint.
func (c *Config) ChatPath() bool { return strings.HasSuffix(c.Path, "/chat/moderations") }

// Timeout is TimeoutMS as a duration.
func (c *Config) Timeout() time.Duration { return time.Duration(c.TimeoutMS) * time.Millisecond }

// FlagsUsed is UseFlags with its default.
func (c *Config) FlagsUsed() bool { return c.UseFlags == nil || *c.UseFlags }

// ApplyDefaults fills zero fields with their defaults, the key configuration's
// included. It does nothing when moderation is off (provider ""). config.Parse applies
// it once; Validate and New expect a configuration it completed.
func (c *Config) ApplyDefaults() {
	c.Provider = strings.ToLower(strings.TrimSpace(c.Provider))
	if c.Provider == "" {
		return
	}
	c.Auth.ApplyDefaults()
	if c.Authority == "" {
		switch c.Provider {
		case ProviderMistral:
			c.Authority = DefaultMistralAuthority
		case ProviderOpenAI:
			c.Authority = DefaultOpenAIAuthority
		}
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.Model == "" {
		switch c.Provider {
		case ProviderMistral:
			c.Model = DefaultMistralModel
		case ProviderOpenAI:
			c.Model = DefaultOpenAIModel
		}
	}
	if c.TimeoutMS == 0 {
		c.TimeoutMS = DefaultTimeoutMS
	}
	for _, s := range []*Stage{&c.Input, &c.Output} {
		if s.Mode == "" {
			s.Mode = ModeEnforce
		}
		if s.Failure == "" {
			s.Failure = FailClosed
		}
	}
	if c.UseFlags == nil {
		t := true
		c.UseFlags = &t
	}
	if !*c.UseFlags && c.DefaultThreshold == 0 {
		c.DefaultThreshold = DefaultThresholdNoFlags
	}
	if c.CacheTTLSeconds == 0 {
		c.CacheTTLSeconds = DefaultCacheTTLSeconds
	}
	if c.CacheMaxEntries == 0 {
		c.CacheMaxEntries = DefaultCacheMaxEntries
	}
	if c.MaxChunkChars == 0 {
		c.MaxChunkChars = DefaultMaxChunkChars
	}
	if c.ChunkOverlapChars == 0 {
		c.ChunkOverlapChars = DefaultChunkOverlap
	}
	if c.HoldbackChars == 0 {
		c.HoldbackChars = DefaultHoldbackChars
	}
	if c.Refusal == "" {
		c.Refusal = DefaultRefusal
	}
}

// overlap is ChunkOverlapChars with -1 meaning none.
func (c *Config) overlap() int { return max(c.ChunkOverlapChars, 0) }

// knownCategories returns the provider's category vocabulary.
func knownCategories(provider string) []string {
	if provider == ProviderOpenAI {
		return OpenAICategories
	}
	return MistralCategories
}

// Validate checks the configuration, completed by ApplyDefaults. field is the path of
// this object, e.g. "moderation"; each message is "<field>.<sub>: <problem>" and never
// contains a key value.
func (c *Config) Validate(field string) []string {
	var fe []string
	add := func(sub, format string, args ...any) {
		fe = append(fe, field+sub+": "+fmt.Sprintf(format, args...))
	}
	if c.Provider == "" {
		if c.Cluster != "" || c.Authority != "" || c.Path != "" || c.Model != "" || c.TimeoutMS != 0 ||
			c.Auth.Enabled() || c.Input != (Stage{}) || c.Output != (Stage{}) || len(c.Categories) > 0 ||
			len(c.Thresholds) > 0 || c.DefaultThreshold != 0 || c.UseFlags != nil || c.CacheTTLSeconds != 0 ||
			c.CacheMaxEntries != 0 || c.MaxChunkChars != 0 || c.ChunkOverlapChars != 0 || c.HoldbackChars != 0 || c.Refusal != "" {
			add(".provider", `is required ("mistral" or "openai") when other moderation fields are set`)
		}
		return fe
	}
	if c.Provider != ProviderMistral && c.Provider != ProviderOpenAI {
		add(".provider", `must be "", "mistral" or "openai", got %q`, c.Provider)
		return fe
	}
	if strings.TrimSpace(c.Cluster) == "" {
		add(".cluster", "is required: the Envoy cluster of the moderation API")
	} else if strings.ContainsAny(c.Cluster, " \t\r\n") {
		add(".cluster", "must be an Envoy cluster name without white space, got %q", c.Cluster)
	}
	if !validAuthority(c.Authority) {
		add(".authority", "must be a host or host:port, got %q", c.Authority)
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, " \t\r\n?#") {
		add(".path", `must be an absolute path such as "/v1/moderations", got %q`, c.Path)
	} else if c.Provider == ProviderOpenAI && c.ChatPath() {
		add(".path", "openai has no chat moderation endpoint; use /v1/moderations")
	}
	if strings.TrimSpace(c.Model) == "" || strings.ContainsAny(c.Model, "\"\\\r\n") {
		add(".model", "must be a model name, got %q", c.Model)
	}
	if c.TimeoutMS < 1 || c.TimeoutMS > maxTimeoutMS {
		add(".timeout_ms", "must be between 1 and %d, got %d", maxTimeoutMS, c.TimeoutMS)
	}
	fe = append(fe, c.Auth.Validate(field+".auth")...)
	for _, s := range []struct {
		name string
		st   Stage
	}{{"input", c.Input}, {"output", c.Output}} {
		switch s.st.Mode {
		case ModeEnforce, ModeMonitor, ModeOff:
		default:
			add("."+s.name+".mode", `must be "enforce", "monitor" or "off", got %q`, s.st.Mode)
		}
		switch s.st.Failure {
		case FailClosed, FailOpen:
		default:
			add("."+s.name+".failure", `must be "fail_closed" or "fail_open", got %q`, s.st.Failure)
		}
	}
	known := map[string]bool{}
	for _, k := range knownCategories(c.Provider) {
		known[k] = true
	}
	knownList := strings.Join(knownCategories(c.Provider), ", ")
	for i, cat := range c.Categories {
		if cat != "*" && !known[cat] {
			add(fmt.Sprintf(".categories[%d]", i), "unknown %s category %q (known: *, %s)", c.Provider, cat, knownList)
		}
	}
	cats := make([]string, 0, len(c.Thresholds))
	for cat := range c.Thresholds {
		cats = append(cats, cat)
	}
	sort.Strings(cats)
	for _, cat := range cats {
		t := c.Thresholds[cat]
		if !known[cat] {
			add(fmt.Sprintf(".thresholds[%q]", cat), "unknown %s category (known: %s)", c.Provider, knownList)
		}
		if !(t > 0 && t <= 1) {
			add(fmt.Sprintf(".thresholds[%q]", cat), "must be in (0, 1], got %v", t)
		}
	}
	if !(c.DefaultThreshold >= 0 && c.DefaultThreshold <= 1) {
		add(".default_threshold", "must be 0 (none) or in (0, 1], got %v", c.DefaultThreshold)
	}
	if c.CacheTTLSeconds != -1 && (c.CacheTTLSeconds < 1 || c.CacheTTLSeconds > maxCacheTTLSeconds) {
		add(".cache_ttl_seconds", "must be -1 (no cache) or between 1 and %d, got %d", maxCacheTTLSeconds, c.CacheTTLSeconds)
	}
	if c.CacheMaxEntries < minCacheEntries || c.CacheMaxEntries > maxCacheEntries {
		add(".cache_max_entries", "must be between %d and %d, got %d", minCacheEntries, maxCacheEntries, c.CacheMaxEntries)
	}
	if c.MaxChunkChars < minChunkChars || c.MaxChunkChars > maxChunkChars {
		add(".max_chunk_chars", "must be between %d and %d, got %d", minChunkChars, maxChunkChars, c.MaxChunkChars)
	} else if c.ChunkOverlapChars != -1 && (c.ChunkOverlapChars < 1 || 2*c.ChunkOverlapChars >= c.MaxChunkChars) {
		add(".chunk_overlap_chars", "must be -1 (none) or at least 1 and less than half of max_chunk_chars (%d), got %d", c.MaxChunkChars, c.ChunkOverlapChars)
	}
	if c.HoldbackChars < 1 || c.HoldbackChars > maxChunkChars {
		add(".holdback_chars", "must be between 1 and %d, got %d", maxChunkChars, c.HoldbackChars)
	}
	if len(c.Refusal) > maxRefusalBytes {
		add(".refusal", "must be at most %d bytes, got %d", maxRefusalBytes, len(c.Refusal))
	}
	return fe
}

func validAuthority(a string) bool {
	if a == "" || len(a) > 255 {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '_' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}
