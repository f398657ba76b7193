// Package config holds the guard's configuration: one JSON document, used verbatim as
// Envoy's plugin `configuration` and as Istio's WasmPlugin `pluginConfig`.
//
// Parse applies every default, rejects unknown fields and validates every value once, at
// plugin start; errors name the field path and the problem. Consumers read the fields of
// the Config it returns as they are: nothing downstream fills in defaults again.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/ratelimit"
	"github.com/egressguard/egressguard/internal/sse"
)

// Config is the whole plugin configuration. Field docs state the defaults.
type Config struct {
	// API selects which request paths are chat APIs the guard inspects.
	API API `json:"api"`
	// Limits bounds the size of requests.
	Limits Limits `json:"limits"`
	// MaxTokens sets and caps the completion budget of every request.
	MaxTokens MaxTokens `json:"max_tokens"`
	// Upstreams maps request authorities to providers. Default: one OpenAI-compatible
	// upstream matching every host.
	Upstreams []Upstream `json:"upstreams"`
	// Injection configures prompt-injection inspection of every text the model reads.
	Injection Injection `json:"injection"`
	// Redaction configures PII/secret/XSS/leak redaction of responses (and optionally
	// of prompts before they leave the mesh).
	Redaction Redaction `json:"redaction"`
	// Clients configures client authentication (tenants). Default: mode "none".
	// See docs/credentials.md.
	Clients credentials.ClientAuth `json:"clients"`
	// Moderation configures out-of-band moderation of requests and completions.
	// Default: off. See docs/moderation.md.
	Moderation moderation.Config `json:"moderation"`
	// RateLimits configures per-tenant request and token limits (local, shared by the
	// worker threads) and publishing for Envoy's global rate limit service. Default:
	// off. See docs/observability.md and deploy/ratelimit.
	RateLimits ratelimit.Config `json:"rate_limits"`
	// Envoy describes the wasm filter configuration the guard runs under. Default: what
	// Istio's WasmPlugin produces. See docs/deploy.md.
	Envoy Envoy `json:"envoy"`
}

// Envoy describes the host filter configuration.
type Envoy struct {
	// AllowOnHeadersStopIteration (default false) tells the guard that the wasm filter
	// config sets allow_on_headers_stop_iteration: true (Envoy >= 1.35, EnvoyFilter or
	// plain Envoy; Istio's WasmPlugin cannot set it). The guard then holds request
	// headers until the body is decided (so decisions can still set request headers,
	// e.g. injection "flag" mode's x-egressguard-injection, and the global rate limit
	// filter sees the token cost) and holds JSON response headers until the body is
	// complete (an upstream that fails mid-body becomes a 5xx instead of a 200 with a
	// broken body). Setting it without the Envoy flag makes every inspected request hang.
	AllowOnHeadersStopIteration bool `json:"allow_on_headers_stop_iteration"`
}

// Redaction configures the redactor.
type Redaction struct {
	// Responses redacts chat responses, JSON and SSE (default true).
	Responses bool `json:"responses"`
	// Requests masks the same entities in prompts before they are forwarded (default false).
	Requests bool `json:"requests"`
	// Style is "tag" ([EMAIL_ADDRESS], default), "mask" (keep the last 4) or "hash"
	// (stable keyed digest).
	Style string `json:"style" jsonschema:"enum=tag,enum=mask,enum=hash"`
	// HashKey keys the "hash" style (default: none; set it so hashes can't be reversed offline).
	HashKey string `json:"hash_key"`
	// DisabledTypes lists entity types to leave alone, e.g. ["IP_ADDRESS"].
	DisabledTypes []string `json:"disabled_types"`
	// CustomPatterns adds regexp entity types (RE2 syntax; slower than the built-ins).
	CustomPatterns []CustomPattern `json:"custom_patterns"`
	// Canaries are strings planted in system prompts; any occurrence in a response is a leak.
	Canaries []string `json:"canaries"`
	// MinPromptOverlap is how many bytes of verbatim system prompt in a response count
	// as a leak (default 60; -1 disables).
	MinPromptOverlap int `json:"min_prompt_overlap"`
	// AllowedLinkHosts may receive data in markdown image/link URLs (subdomains included).
	AllowedLinkHosts []string `json:"allowed_link_hosts"`
	// XSS is "strip" (default), "escape" or "off".
	XSS string `json:"xss" jsonschema:"enum=strip,enum=escape,enum=off"`
	// ErrorBodies redacts non-2xx response bodies too, as data (default true):
	// providers echo the offending request in their errors.
	ErrorBodies bool `json:"error_bodies"`
	// OtherBodies decides a 2xx response on an LLM path whose bytes are neither JSON
	// nor server-sent events, whatever its content type says: "redact" it as text
	// (default) or "refuse" it with a 502.
	OtherBodies string `json:"other_bodies" jsonschema:"enum=redact,enum=refuse"`
	// MaxEventBytes bounds one server-sent event of a response (default 4194304); a
	// longer one ends the stream with an error event and is never sent.
	MaxEventBytes int `json:"max_event_bytes"`
}

// ResponseOptions returns the response model's options for this configuration.
func (r *Redaction) ResponseOptions() llmresp.Options {
	return llmresp.Options{PassErrorBodies: !r.ErrorBodies, RefuseText: r.OtherBodies == "refuse", MaxEvent: r.MaxEventBytes}
}

// CustomPattern is a named regexp entity type.
type CustomPattern struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
}

// Injection configures prompt-injection inspection.
type Injection struct {
	// Action is "block" (default: 403 JSON naming the rule families), "sanitize" (replace
	// the matched spans with Marker and forward), "flag" (forward with an
	// x-egressguard-injection request header), "monitor" (forward unchanged, count and
	// log what would have been blocked) or "off".
	Action string `json:"action" jsonschema:"enum=block,enum=sanitize,enum=flag,enum=monitor,enum=off"`
	// Threshold flags a text when its score reaches it; default 0.6 (the tuned value).
	Threshold float64 `json:"threshold"`
	// Deny phrases always flag (folded like scanned text; trailing "*" = any continuation).
	Deny []string `json:"deny"`
	// Allow phrases: a text containing one is never flagged.
	Allow []string `json:"allow"`
	// Marker replaces matched spans in "sanitize" mode; default "[FILTERED]".
	Marker string `json:"marker"`
	// WrapUserContent wraps every user message text in <user_query>…</user_query>
	// delimiters before forwarding (default false).
	WrapUserContent bool `json:"wrap_user_content"`
	// StripControlChars removes C0 control characters (except tab, CR, LF) and DEL from
	// every text before forwarding (default false).
	StripControlChars bool `json:"strip_control_chars"`
	// OpaqueInputs lists the kinds of input the guard cannot read as text that may pass
	// uninspected: "image", "audio", "video", "file" (files and documents that are not
	// UTF-8 text, file ids and file URLs) and "tokens" (prompts given as token ids).
	// Default: none, so a request carrying one gets 400 unsupported_content.
	OpaqueInputs []string `json:"opaque_inputs" jsonschema:"enum=image,enum=audio,enum=video,enum=file,enum=tokens"`
	// InspectEmbeddings inspects the input of embeddings requests for prompt injection
	// (default false: embedded text is not read by a model as instructions).
	InspectEmbeddings bool `json:"inspect_embeddings"`
}

// API lists the paths of each LLM API the guard inspects. A path is matched after the
// guard's canonicalisation (percent-decoding, dot segments, repeated slashes, matrix
// parameters and a trailing slash resolved; letters compared case-insensitively; the
// query string ignored). In a pattern a segment "{name}" matches any one segment
// ("{deployment}" also names the model, as Azure OpenAI paths do) and a trailing "*"
// makes a prefix. Requests that carry a body to any other path are refused unless the
// path is in PassthroughPaths; bodiless requests to other paths follow OtherPaths.
type API struct {
	// ChatPaths default: ["/v1/chat/completions", "/openai/deployments/{deployment}/chat/completions",
	// "/openai/v1/chat/completions"] (OpenAI-compatible, Mistral and Azure OpenAI chat).
	ChatPaths []string `json:"chat_paths"`
	// FIMPaths default: ["/v1/fim/completions"] (Mistral fill-in-the-middle).
	FIMPaths []string `json:"fim_paths"`
	// AgentsPaths default: ["/v1/agents/completions"] (Mistral agents).
	AgentsPaths []string `json:"agents_paths"`
	// ResponsesPaths default: ["/v1/responses", "/openai/v1/responses", "/openai/responses"] (OpenAI Responses).
	ResponsesPaths []string `json:"responses_paths"`
	// MessagesPaths default: ["/v1/messages"] (Anthropic Messages).
	MessagesPaths []string `json:"messages_paths"`
	// ConversationsPaths default: ["/v1/conversations", "/v1/conversations/{id}",
	// "/v1/conversations/{id}/restart"] (Mistral Conversations: start, append, restart).
	ConversationsPaths []string `json:"conversations_paths"`
	// CompletionsPaths default: ["/v1/completions", "/openai/deployments/{deployment}/completions",
	// "/openai/v1/completions"] (legacy text completions).
	CompletionsPaths []string `json:"completions_paths"`
	// EmbeddingsPaths default: ["/v1/embeddings", "/openai/deployments/{deployment}/embeddings",
	// "/openai/v1/embeddings"].
	EmbeddingsPaths []string `json:"embeddings_paths"`
	// PassthroughPaths lists paths whose requests are forwarded uninspected even with a
	// body (default: none), e.g. ["/v1/files", "/v1/audio/*"]. Same pattern syntax.
	PassthroughPaths []string `json:"passthrough_paths"`
	// OtherPaths is "reads" (default: a request without a body to any other path, such
	// as GET /v1/models, passes; one with a body gets a 404 JSON error) or "deny" (every
	// request to any other path gets the 404).
	OtherPaths string `json:"other_paths" jsonschema:"enum=reads,enum=deny"`
}

// PathLists returns the API path lists with their configuration names, in the
// order of precedence between equally specific patterns.
func (a *API) PathLists() []PathList {
	return []PathList{
		{"api.chat_paths", "chat", a.ChatPaths}, {"api.fim_paths", "fim", a.FIMPaths},
		{"api.agents_paths", "agents", a.AgentsPaths}, {"api.responses_paths", "responses", a.ResponsesPaths},
		{"api.messages_paths", "messages", a.MessagesPaths}, {"api.conversations_paths", "conversations", a.ConversationsPaths},
		{"api.completions_paths", "completions", a.CompletionsPaths}, {"api.embeddings_paths", "embeddings", a.EmbeddingsPaths},
	}
}

// PathList is one API's paths.
type PathList struct {
	Field string // configuration name, e.g. "api.chat_paths"
	API   string // API name, e.g. "chat"
	Paths []string
}

// Limits bounds request size before any upstream sees it.
type Limits struct {
	// MaxBodyBytes default 1048576 (1 MiB). Larger bodies get 413. Envoy's
	// per_connection_buffer_limit_bytes must be larger than this.
	MaxBodyBytes int `json:"max_body_bytes"`
	// MaxMessages default 256. More messages get 422.
	MaxMessages int `json:"max_messages"`
	// MaxPromptChars default 200000 (Unicode code points over all text the model reads). More get 422.
	MaxPromptChars int `json:"max_prompt_chars"`
	// MaxJSONDepth default 64: request bodies nesting objects and arrays deeper get 400
	// too_deep (between 2 and 1024).
	MaxJSONDepth int `json:"max_json_depth"`
}

// MaxTokens sets a default completion budget when the request has none and clamps
// requests above the cap. Both max_tokens and max_completion_tokens are policed.
type MaxTokens struct {
	// Default default 1024: set as max_tokens when the request carries neither field. 0 leaves it unset.
	Default int `json:"default"`
	// Cap default 4096: larger values are clamped to it.
	Cap int `json:"cap"`
	// Models overrides Default/Cap per model name (exact, or prefix with a trailing "*").
	Models map[string]ModelTokens `json:"models"`
}

// ModelTokens is a per-model override. A zero Cap inherits the global cap; a zero
// Default inherits the global default, lowered to this model's cap if that is smaller.
type ModelTokens struct {
	Default int `json:"default"`
	Cap     int `json:"cap"`
}

// Upstream is one LLM provider endpoint, matched by the request's :authority host.
type Upstream struct {
	// Name identifies the upstream in logs and metrics (required, unique).
	Name string `json:"name"`
	// Provider is the wire dialect: "openai" (OpenAI-compatible), "mistral",
	// "anthropic" (keys go in x-api-key) or "azure" (Azure OpenAI; keys go in api-key).
	Provider string `json:"provider" jsonschema:"enum=openai,enum=mistral,enum=anthropic,enum=azure"`
	// Hosts are authority hosts (port ignored, case-insensitive); "*" matches any host,
	// "*.example.com" any subdomain.
	Hosts []string `json:"hosts"`
	// Clusters are the Envoy clusters (e.g. Istio's "outbound|443||api.openai.com") that
	// requests to this upstream are routed to. When the routed cluster is one of them the
	// upstream is chosen by it, whatever the client's Host says; a request whose Host
	// names this upstream but that Envoy routes to another cluster is refused (421).
	// Default: none (chosen by the normalised :authority host alone).
	Clusters []string `json:"clusters"`
	// EnforceSafePrompt (mistral only, default false) sets "safe_prompt": true on every request.
	EnforceSafePrompt bool `json:"enforce_safe_prompt"`
	// Auth configures the provider keys the guard injects (default: none, pass-through).
	// Its header defaults to the provider's: authorization (Bearer) for openai and
	// mistral, x-api-key for anthropic, api-key for azure. See docs/credentials.md.
	Auth credentials.UpstreamAuth `json:"auth"`
}

// Provider dialects.
const (
	ProviderOpenAI    = "openai"
	ProviderMistral   = "mistral"
	ProviderAnthropic = "anthropic"
	ProviderAzure     = "azure"
)

// Providers lists the provider dialects.
var Providers = []string{ProviderOpenAI, ProviderMistral, ProviderAnthropic, ProviderAzure}

// providerKeyHeader is the header each provider reads its API key from, when it is
// not authorization.
var providerKeyHeader = map[string]string{ProviderAnthropic: "x-api-key", ProviderAzure: "api-key"}

// Bounds shared by validation and documentation.
const (
	maxBodyBytesLimit = 64 << 20
	maxTokensLimit    = 10_000_000
)

// Default returns the configuration used when a field is absent.
func Default() Config {
	return Config{
		API: API{
			ChatPaths:          []string{"/v1/chat/completions", "/openai/deployments/{deployment}/chat/completions", "/openai/v1/chat/completions"},
			FIMPaths:           []string{"/v1/fim/completions"},
			AgentsPaths:        []string{"/v1/agents/completions"},
			ResponsesPaths:     []string{"/v1/responses", "/openai/v1/responses", "/openai/responses"},
			MessagesPaths:      []string{"/v1/messages"},
			ConversationsPaths: []string{"/v1/conversations", "/v1/conversations/{id}", "/v1/conversations/{id}/restart"},
			CompletionsPaths:   []string{"/v1/completions", "/openai/deployments/{deployment}/completions", "/openai/v1/completions"},
			EmbeddingsPaths:    []string{"/v1/embeddings", "/openai/deployments/{deployment}/embeddings", "/openai/v1/embeddings"},
			OtherPaths:         OtherReads,
		},
		Limits:    Limits{MaxBodyBytes: 1 << 20, MaxMessages: 256, MaxPromptChars: 200_000, MaxJSONDepth: 64},
		MaxTokens: MaxTokens{Default: 1024, Cap: 4096},
		Upstreams: []Upstream{{Name: "default", Provider: ProviderOpenAI, Hosts: []string{"*"}}},
		Injection: Injection{Action: "block", Threshold: 0.6, Marker: "[FILTERED]"},
		Redaction: Redaction{Responses: true, Style: "tag", MinPromptOverlap: 60, XSS: "strip",
			ErrorBodies: true, OtherBodies: "redact", MaxEventBytes: sse.DefaultMax},
	}
}

// Parse reads a configuration document over the defaults, completes it (ApplyDefaults)
// and validates it. Empty input (or whitespace) yields the defaults.
func Parse(data []byte) (*Config, error) {
	cfg := Default()
	data = bytes.TrimSpace(data)
	if len(data) > 0 {
		if err := checkUnknownFields(data, &cfg); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, describeJSONError(err)
		}
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// ApplyDefaults fills the defaults of the sections that depend on what else is set
// (client authentication, upstream keys, moderation, rate limits) and normalises their
// header names. Parse calls it; call it on a Config built by hand before using it.
func (c *Config) ApplyDefaults() {
	c.Clients.ApplyDefaults()
	for i := range c.Upstreams {
		u := &c.Upstreams[i]
		// A provider that reads its key from its own header gets it unless one is set.
		if h := providerKeyHeader[u.Provider]; h != "" && strings.TrimSpace(u.Auth.Header) == "" && u.Auth.Enabled() {
			u.Auth.Header = h
		}
		u.Auth.ApplyDefaults()
	}
	c.Moderation.ApplyDefaults()
	c.RateLimits.ApplyDefaults()
}

// describeJSONError turns encoding/json errors into "field: problem" messages.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("configuration is not valid JSON at byte %d: %v", se.Offset, err)
	}
	return fmt.Errorf("configuration: %v", err)
}

// fieldErrors collects validation problems so one start-up log line lists them all.
type fieldErrors []string

func (fe *fieldErrors) addf(field, format string, args ...any) {
	*fe = append(*fe, field+": "+fmt.Sprintf(format, args...))
}

func (fe *fieldErrors) addAll(msgs []string) { *fe = append(*fe, msgs...) }

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return errors.New(strings.Join(fe, "; "))
}

// Validate checks every value of a complete configuration (see ApplyDefaults); the
// error lists each bad field with its problem.
func (c *Config) Validate() error {
	var fe fieldErrors
	c.API.validate(&fe)
	c.Limits.validate(&fe)
	c.MaxTokens.validate(&fe)
	validateUpstreams(c.Upstreams, &fe)
	c.Injection.validate(&fe)
	c.Redaction.validate(&fe)
	fe.addAll(c.Clients.Validate("clients"))
	fe.addAll(c.Moderation.Validate("moderation"))
	fe.addAll(c.RateLimits.Validate("rate_limits"))
	return fe.err()
}

// OtherPaths values.
const (
	OtherReads = "reads"
	OtherDeny  = "deny"
)

func (a *API) validate(fe *fieldErrors) {
	seen := map[string]string{}
	lists := append(a.PathLists(), PathList{"api.passthrough_paths", "", a.PassthroughPaths})
	for _, list := range lists {
		for i, p := range list.Paths {
			field := fmt.Sprintf("%s[%d]", list.Field, i)
			key := strings.ToLower(p)
			if msg := checkPathPattern(p); msg != "" {
				fe.addf(field, "%s, got %q", msg, p)
			} else if seen[key] != "" {
				fe.addf(field, "path %q is already listed in %s", p, seen[key])
			} else {
				seen[key] = field
			}
		}
	}
	switch a.OtherPaths {
	case OtherReads, OtherDeny:
	case "allow":
		fe.addf("api.other_paths", `"allow" (forwarding bodies to any path uninspected) is not accepted: requests with a body to paths the guard does not inspect are refused; `+
			`list the paths to forward uninspected in api.passthrough_paths and set other_paths to "reads" (bodiless requests pass) or "deny"`)
	default:
		fe.addf("api.other_paths", `must be "reads" or "deny", got %q`, a.OtherPaths)
	}
}

// checkPathPattern describes what is wrong with a path pattern ("" when nothing).
func checkPathPattern(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "path must start with '/'"
	case strings.ContainsAny(p, "?#%;\\"):
		return "path must not contain a query, fragment, '%', ';' or '\\' (it is matched after decoding)"
	case strings.Contains(strings.TrimSuffix(p, "*"), "*"):
		return "'*' is only allowed as the last character"
	}
	for _, seg := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(p, "/"), "*"), "/") {
		if seg == "." || seg == ".." {
			return "path must not contain dot segments"
		}
		if strings.ContainsAny(seg, "{}") && !(len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}")) {
			return "a placeholder must be a whole segment such as {id}"
		}
	}
	return ""
}

func (l *Limits) validate(fe *fieldErrors) {
	if l.MaxBodyBytes < 1 || l.MaxBodyBytes > maxBodyBytesLimit {
		fe.addf("limits.max_body_bytes", "must be between 1 and %d, got %d", maxBodyBytesLimit, l.MaxBodyBytes)
	}
	if l.MaxMessages < 1 {
		fe.addf("limits.max_messages", "must be at least 1, got %d", l.MaxMessages)
	}
	if l.MaxPromptChars < 1 {
		fe.addf("limits.max_prompt_chars", "must be at least 1, got %d", l.MaxPromptChars)
	}
	if l.MaxJSONDepth < 2 || l.MaxJSONDepth > 1024 {
		fe.addf("limits.max_json_depth", "must be between 2 and 1024, got %d", l.MaxJSONDepth)
	}
}

func (m *MaxTokens) validate(fe *fieldErrors) {
	checkTokens(fe, "max_tokens", m.Default, m.Cap, false)
	for name, mt := range m.Models {
		field := fmt.Sprintf("max_tokens.models[%q]", name)
		if name == "" || strings.Contains(strings.TrimSuffix(name, "*"), "*") {
			fe.addf(field, "model name must be non-empty with '*' only as the last character")
		}
		d, c := m.Effective(mt)
		checkTokens(fe, field, d, c, mt.Default == 0)
	}
}

// Effective resolves a per-model override against the global values.
func (m *MaxTokens) Effective(mt ModelTokens) (def, cap int) {
	def, cap = mt.Default, mt.Cap
	if cap == 0 {
		cap = m.Cap
	}
	if def == 0 {
		def = min(m.Default, cap)
	}
	return def, cap
}

func checkTokens(fe *fieldErrors, field string, def, cap int, inherited bool) {
	if cap < 1 || cap > maxTokensLimit {
		fe.addf(field+".cap", "must be between 1 and %d, got %d", maxTokensLimit, cap)
	}
	if def < 0 || def > cap {
		what := "default"
		if inherited {
			what = "default (after inheriting the global value)"
		}
		fe.addf(field+".default", "%s must be between 0 and cap (%d), got %d", what, cap, def)
	}
}

func validateUpstreams(ups []Upstream, fe *fieldErrors) {
	if len(ups) == 0 {
		fe.addf("upstreams", "at least one upstream is required")
	}
	names := map[string]bool{}
	for i, u := range ups {
		field := fmt.Sprintf("upstreams[%d]", i)
		if u.Name == "" {
			fe.addf(field+".name", "is required")
		} else if names[u.Name] {
			fe.addf(field+".name", "duplicate upstream name %q", u.Name)
		}
		names[u.Name] = true
		if !slices.Contains(Providers, u.Provider) {
			fe.addf(field+".provider", `must be one of "openai", "mistral", "anthropic", "azure", got %q`, u.Provider)
		}
		if len(u.Hosts) == 0 {
			fe.addf(field+".hosts", "at least one host is required (use \"*\" for any)")
		}
		for j, h := range u.Hosts {
			if h == "" || strings.ContainsAny(h, "/: ") || strings.Contains(strings.TrimPrefix(h, "*"), "*") {
				fe.addf(fmt.Sprintf("%s.hosts[%d]", field, j), "must be a host name, \"*\" or \"*.domain\" without port, got %q", h)
			}
		}
		for j, c := range u.Clusters {
			if strings.TrimSpace(c) == "" {
				fe.addf(fmt.Sprintf("%s.clusters[%d]", field, j), "must be an Envoy cluster name, got %q", c)
			}
		}
		fe.addAll(u.Auth.Validate(field + ".auth"))
		if u.EnforceSafePrompt && u.Provider != ProviderMistral {
			fe.addf(field+".enforce_safe_prompt", "only applies to provider \"mistral\" (OpenAI rejects the safe_prompt field)")
		}
	}
}

// OpaqueInputKinds are the values injection.opaque_inputs accepts.
var OpaqueInputKinds = []string{"image", "audio", "video", "file", "tokens"}

// Injection actions.
const (
	ActionBlock    = "block"
	ActionSanitize = "sanitize"
	ActionFlag     = "flag"
	ActionMonitor  = "monitor"
	ActionOff      = "off"
)

func (in *Injection) validate(fe *fieldErrors) {
	switch in.Action {
	case ActionBlock, ActionSanitize, ActionFlag, ActionMonitor, ActionOff:
	default:
		fe.addf("injection.action", `must be one of "block", "sanitize", "flag", "monitor", "off", got %q`, in.Action)
	}
	if !(in.Threshold > 0 && in.Threshold < 100) {
		fe.addf("injection.threshold", "must be greater than 0 and below 100, got %v", in.Threshold)
	}
	if in.Action == ActionSanitize && in.Marker == "" {
		fe.addf("injection.marker", "must be non-empty when action is \"sanitize\"")
	}
	for i, k := range in.OpaqueInputs {
		if !slices.Contains(OpaqueInputKinds, k) {
			fe.addf(fmt.Sprintf("injection.opaque_inputs[%d]", i), "must be one of %s, got %q", strings.Join(OpaqueInputKinds, ", "), k)
		}
	}
}

func (r *Redaction) validate(fe *fieldErrors) {
	if r.Style != "tag" && r.Style != "mask" && r.Style != "hash" {
		fe.addf("redaction.style", `must be "tag", "mask" or "hash", got %q`, r.Style)
	}
	if r.XSS != "strip" && r.XSS != "escape" && r.XSS != "off" {
		fe.addf("redaction.xss", `must be "strip", "escape" or "off", got %q`, r.XSS)
	}
	for i, c := range r.CustomPatterns {
		if c.Name == "" || c.Pattern == "" {
			fe.addf(fmt.Sprintf("redaction.custom_patterns[%d]", i), "name and pattern are required")
		}
	}
	if r.OtherBodies != "redact" && r.OtherBodies != "refuse" {
		fe.addf("redaction.other_bodies", `must be "redact" or "refuse", got %q`, r.OtherBodies)
	}
	if r.MaxEventBytes < 1<<10 || r.MaxEventBytes > 64<<20 {
		fe.addf("redaction.max_event_bytes", "must be between 1024 and 67108864, got %d", r.MaxEventBytes)
	}
}
