// Package redact is the response-redaction engine of the egress guard: pure
// Go (no host calls) so that it runs the same in the proxy-wasm plugin, in
// tests and in cmd/eval.
//
// One left-to-right pass finds entities: a 256-entry byte-class table picks
// the few bytes that can trigger a detector ('@', digits, '+', '(', ':', '=',
// '<', '[', '!', '-', '_', word starts of known token prefixes, and the lead
// bytes of fullwidth, other-script and mathematical digits and letters); each
// detector then validates locally (Luhn, IIN, mod-97, SSN ranges, octets,
// entropy...). A detector that reads a non-ASCII byte next to its trigger is
// run again on a folded copy of the text there (zero-width characters
// dropped, Unicode spaces, fullwidth forms and other-script digits mapped to
// ASCII; fold.go), and its entity is mapped back onto the source bytes. With
// a system prompt, a word pass beside it finds copies of the prompt
// (leak.go). Every decision reads a bounded window of text, which lets Stream
// (and through it the response model, internal/llmresp) produce exactly the
// non-streamed redaction while holding back only a bounded amount of text. See
// docs/redaction.md.
package redact

// Entity type names. The PII names are Presidio's.
const (
	EmailAddress  = "EMAIL_ADDRESS"
	PhoneNumber   = "PHONE_NUMBER"
	CreditCard    = "CREDIT_CARD"
	IBANCode      = "IBAN_CODE"
	USSSN         = "US_SSN"
	IPAddress     = "IP_ADDRESS"
	APIKey        = "API_KEY"        // OpenAI, Anthropic, Stripe, Google keys, bare keys after "key", Bearer tokens
	AWSAccessKey  = "AWS_ACCESS_KEY" // AKIA…/ASIA…
	AWSSecretKey  = "AWS_SECRET_KEY" // 40-character secret access key after its key id or name
	GitHubToken   = "GITHUB_TOKEN"   // ghp_/gho_/ghu_/ghs_/ghr_/github_pat_
	GitLabToken   = "GITLAB_TOKEN"   // glpat-
	SlackToken    = "SLACK_TOKEN"    // xox[abprs]-
	PrivateKey    = "PRIVATE_KEY"    // PEM private-key blocks
	JWT           = "JWT"
	Secret        = "SECRET"             // high-entropy value after key=/token=/password=…
	KnownSecret   = "KNOWN_SECRET"       // one of Config.ExactSecrets (the upstream keys the guard injects)
	UnsafeHTML    = "UNSAFE_HTML"        // <script>, <iframe>, on*= handlers…
	UnsafeURL     = "UNSAFE_URL"         // javascript:/vbscript:/data: schemes in text
	MarkdownExfil = "MARKDOWN_EXFIL"     // images, links, bare URLs, reference definitions carrying data off the allowlist
	Canary        = "CANARY"             // a configured canary string
	PromptLeak    = "SYSTEM_PROMPT_LEAK" // a copy of the system prompt (folded, reversed, base64, lightly edited)
)

// kind indexes the built-in entity types; custom patterns follow.
type kind uint8

const (
	kEmail kind = iota
	kPhone
	kCard
	kIBAN
	kSSN
	kIP
	kAPIKey
	kAWSKey
	kAWSSecret
	kGitHub
	kGitLab
	kSlack
	kPEM
	kJWT
	kSecret
	kKnownSecret
	kHTML
	kURL
	kMarkdown
	kCanary
	kLeak
	numBuiltin
)

var builtinNames = [numBuiltin]string{EmailAddress, PhoneNumber, CreditCard, IBANCode, USSSN, IPAddress,
	APIKey, AWSAccessKey, AWSSecretKey, GitHubToken, GitLabToken, SlackToken, PrivateKey, JWT, Secret, KnownSecret,
	UnsafeHTML, UnsafeURL, MarkdownExfil, Canary, PromptLeak}

// PIITypes lists the personal-data types; SecretTypes the credential types.
var (
	PIITypes    = []string{EmailAddress, PhoneNumber, CreditCard, IBANCode, USSSN, IPAddress}
	SecretTypes = []string{APIKey, AWSAccessKey, AWSSecretKey, GitHubToken, GitLabToken, SlackToken, PrivateKey, JWT,
		Secret, KnownSecret}
)

// Style selects how a PII or secret entity is replaced.
type Style string

// Replacement styles.
const (
	StyleTag  Style = "tag"  // [EMAIL_ADDRESS]
	StyleMask Style = "mask" // every letter/digit but the last 4 becomes '*'
	StyleHash Style = "hash" // [EMAIL_ADDRESS:3f9a1c], keyed by Config.HashKey
)

// XSSMode selects how unsafe HTML and script URLs are handled.
type XSSMode string

// XSS handling modes.
const (
	XSSStrip  XSSMode = "strip"  // remove the tag (or whole script/iframe block)
	XSSEscape XSSMode = "escape" // HTML-escape it so it renders as text
	XSSOff    XSSMode = "off"    // leave it alone
)

// CustomPattern is an operator-defined entity: a name and a Go regexp.
// Custom patterns are matched per line (an entity never spans a newline) and
// are much slower than the built-in detectors: a stream holds back a whole
// line while any are configured. Built-in entities win over overlapping
// custom ones.
type CustomPattern struct {
	Name    string
	Pattern string
}

// Config configures a Redactor. The zero value is usable: New fills in the
// defaults noted on each field.
type Config struct {
	// Disabled lists entity types (see the constants) to leave alone.
	Disabled []string
	// Style is the replacement style for PII and secrets (default tag).
	Style Style
	// HashKey keys the StyleHash digest so hashes cannot be brute-forced
	// offline without it.
	HashKey string
	// Custom adds regexp-based entity types.
	Custom []CustomPattern
	// Canaries are strings planted in system prompts; any occurrence in a
	// response is redacted and reported as a leak.
	Canaries []string
	// ExactSecrets are secrets known in advance — the upstream API keys the
	// guard injects — redacted as KNOWN_SECRET wherever they occur, also
	// split across stream deltas or with invisible characters inside. Each
	// needs at least 8 bytes and no whitespace in its first 256 bytes.
	ExactSecrets [][]byte
	// MinPromptOverlap is how many folded bytes of the system prompt's words
	// a run of the response must cover to count as a leak (default 60,
	// about ten words; negative disables).
	MinPromptOverlap int
	// AllowedLinkHosts are hosts (and their subdomains) that markdown images
	// and links, bare URLs and reference definitions may point to with data
	// in the URL.
	AllowedLinkHosts []string
	// XSS selects the unsafe-HTML handling (default strip).
	XSS XSSMode
	// SecretEntropy is the minimum Shannon entropy, in bits per byte, of a
	// value after key=/token=/secret= (default 3.0; password= uses 1 bit less).
	SecretEntropy float64
	// Window bounds how far any decision looks ahead, hence the longest
	// entity and the most text a stream holds back (default 4096 bytes).
	Window int
}

// DefaultConfig returns the configuration the plugin uses when a tenant sets nothing.
func DefaultConfig() Config {
	return Config{Style: StyleTag, MinPromptOverlap: 60, XSS: XSSStrip, SecretEntropy: 3.0, Window: 4096}
}
