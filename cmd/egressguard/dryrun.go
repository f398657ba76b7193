package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/posture"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

// headerFlags collects repeated -header k=v flags.
type headerFlags [][2]string

func (h *headerFlags) String() string { return fmt.Sprint(*h) }
func (h *headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	*h = append(*h, [2]string{strings.ToLower(strings.TrimSpace(k)), val})
	return nil
}

// dryrunOptions is one dry run.
type dryrunOptions struct {
	Config    *loadedConfig
	Wasm      []byte
	Method    string
	Path      string
	Authority string
	Headers   [][2]string // extra / overriding request headers
	Body      []byte      // request body (nil: none)
	Status    int         // upstream response status
	Response  []byte      // JSON response body (nil: none)
	SSE       []byte      // SSE stream (nil: none)
	Chunk     int         // SSE: split into chunks of this many bytes (0: one chunk per event)
	Sections  map[string]bool
}

var allSections = []string{"plugin", "request", "response", "logs", "audit"}

func runDryrun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dryrun", stderr)
	cfgPath := fs.String("config", "", "plugin configuration (JSON), or a WasmPlugin/EnvoyFilter manifest (default: all defaults)")
	reqPath := fs.String("request", "", "request body file (JSON); \"-\" for stdin (required)")
	path := fs.String("path", "/v1/chat/completions", "request :path")
	method := fs.String("method", "POST", "request :method")
	authority := fs.String("authority", "", "request :authority (default: the first upstream's first non-wildcard host, else api.openai.com)")
	var hdrs headerFlags
	fs.Var(&hdrs, "header", "extra request header name=value (repeatable; overrides the defaults)")
	respPath := fs.String("response", "", "upstream JSON response body file")
	ssePath := fs.String("sse", "", "upstream text/event-stream body file")
	status := fs.Int("status", 200, "upstream response :status")
	chunk := fs.Int("chunk", 0, "-sse: deliver the stream in chunks of N bytes (default: one chunk per event)")
	wasmPath := fs.String("wasm", defaultWasm(), "compiled plugin (runs under wazero, as Envoy would run it)")
	show := fs.String("show", strings.Join(allSections, ","), "sections to print")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *reqPath == "" {
		fmt.Fprintln(stderr, "-request is required")
		fs.Usage()
		return errUsage
	}
	if *respPath != "" && *ssePath != "" {
		fmt.Fprintln(stderr, "use one of -response and -sse")
		return errUsage
	}
	opt := dryrunOptions{Method: *method, Path: *path, Authority: *authority, Headers: hdrs, Status: *status, Chunk: *chunk, Sections: map[string]bool{}}
	for _, s := range strings.Split(*show, ",") {
		opt.Sections[strings.TrimSpace(s)] = true
	}
	var err error
	if *cfgPath == "" {
		opt.Config = &loadedConfig{JSON: []byte("{}"), Source: "(none: all defaults)"}
	} else if opt.Config, err = loadConfig(*cfgPath); err != nil {
		return err
	}
	if opt.Body, err = readInput(*reqPath); err != nil {
		return err
	}
	if *respPath != "" {
		if opt.Response, err = os.ReadFile(*respPath); err != nil {
			return err
		}
	}
	if *ssePath != "" {
		if opt.SSE, err = os.ReadFile(*ssePath); err != nil {
			return err
		}
	}
	if opt.Wasm, err = os.ReadFile(*wasmPath); err != nil {
		return fmt.Errorf("%v (run `make build`, or pass -wasm)", err)
	}
	vm, err := proxytest.NewWasmVMContext(opt.Wasm)
	if err != nil {
		return fmt.Errorf("%s: %v", *wasmPath, err)
	}
	defer func() { _ = vm.Close() }() // the process ends next
	return dryrun(vm, opt, stdout)
}

func readInput(p string) ([]byte, error) {
	if p == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(p)
}

// logCapture records the host emulator's log lines in order ("proxy_<level>_log: msg").
type logCapture struct{ buf bytes.Buffer }

func (l *logCapture) Write(p []byte) (int, error) { return l.buf.Write(p) }

// lines returns "[level] message" for every plugin log line, in order.
func (l *logCapture) lines() []string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "proxy_"); ok {
			if level, msg, ok := strings.Cut(rest, "_log: "); ok {
				out = append(out, "["+level+"] "+msg)
				continue
			}
		}
		if len(out) > 0 { // a message with newlines
			out[len(out)-1] += "\n    " + line
		} else {
			out = append(out, "[host] "+line)
		}
	}
	return out
}

// dryrun drives one request (and response) through the plugin and prints the result.
func dryrun(vm types.VMContext, opt dryrunOptions, w io.Writer) error {
	logs := &logCapture{}
	prevOut, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(logs)
	log.SetFlags(0)
	defer func() { log.SetOutput(prevOut); log.SetFlags(prevFlags) }()

	out := &printer{w: w, sections: opt.Sections}
	cfgJSON, notes := placeholderEnvKeys(opt.Config.JSON)
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration(cfgJSON))
	defer reset()

	out.section("plugin")
	out.printf("configuration: %s\n", opt.Config.Source)
	for _, n := range notes {
		out.printf("note: %s\n", n)
	}
	if host.StartPlugin() != types.OnPluginStartStatusOK {
		out.printf("plugin: FAILED TO START (Envoy would refuse the configuration)\n")
		out.logs(logs.lines())
		return exitError(1)
	}
	out.printf("plugin: started\n")
	if cfg, err := config.Parse(opt.Config.JSON); err == nil {
		out.printf("%s\n", posture.Report(cfg).String())
		if opt.Authority == "" {
			opt.Authority = defaultAuthority(cfg)
		}
	}
	if opt.Authority == "" {
		opt.Authority = "api.openai.com"
	}

	reqHeaders := requestHeaders(opt)
	id := host.InitializeHttpContext()
	hasBody := len(opt.Body) > 0
	action := host.CallOnRequestHeaders(id, reqHeaders, !hasBody)
	local := copyLocal(host.GetSentLocalResponse(id))
	if local == nil && hasBody {
		action = host.CallOnRequestBody(id, opt.Body, true)
		local = copyLocal(host.GetSentLocalResponse(id))
	}

	out.section("request")
	out.printf("%s %s  host %s  %d bytes\n", opt.Method, opt.Path, opt.Authority, len(opt.Body))
	forwarded := local == nil && action == types.ActionContinue
	switch {
	case local != nil:
		printLocal(out, local)
	case !forwarded:
		out.printf("decision: HELD (the plugin paused the request and did not answer; Envoy would wait for the stream timeout)\n")
	default:
		out.printf("decision: FORWARDED to the upstream\n")
		printHeaderDiff(out, "request headers", reqHeaders, host.GetCurrentRequestHeaders(id))
		body := host.GetCurrentRequestBody(id)
		if !hasBody {
			body = nil
		}
		printBody(out, "request body", opt.Body, body)
	}

	if forwarded && (opt.Response != nil || opt.SSE != nil) {
		out.section("response")
		runResponse(host, id, opt, out)
	}
	host.CompleteHttpContext(id)

	out.section("logs")
	out.logs(logs.lines())
	out.section("audit")
	out.audit(logs.lines())
	return nil
}

func requestHeaders(opt dryrunOptions) [][2]string {
	h := [][2]string{
		{":method", opt.Method},
		{":path", opt.Path},
		{":authority", opt.Authority},
		{":scheme", "https"},
		{"x-request-id", "dryrun-1"},
	}
	if len(opt.Body) > 0 {
		h = append(h, [2]string{"content-type", "application/json"}, [2]string{"content-length", strconv.Itoa(len(opt.Body))})
	}
	for _, kv := range opt.Headers {
		replaced := false
		for i := range h {
			if h[i][0] == kv[0] {
				h[i][1], replaced = kv[1], true
			}
		}
		if !replaced {
			h = append(h, kv)
		}
	}
	return h
}

func defaultAuthority(cfg *config.Config) string {
	for _, u := range cfg.Upstreams {
		for _, h := range u.Hosts {
			if !strings.Contains(h, "*") {
				return h
			}
		}
	}
	return ""
}

func runResponse(host proxytest.HostEmulator, id uint32, opt dryrunOptions, out *printer) {
	ct := "application/json"
	body := opt.Response
	if opt.SSE != nil {
		ct, body = "text/event-stream", opt.SSE
	}
	headers := [][2]string{{":status", strconv.Itoa(opt.Status)}, {"content-type", ct}, {"content-length", strconv.Itoa(len(body))}}
	host.CallOnResponseHeaders(id, headers, len(body) == 0)
	if local := copyLocal(host.GetSentLocalResponse(id)); local != nil {
		out.printf("decision: the plugin replaced the upstream response\n")
		printLocal(out, local)
		return
	}
	out.printf("upstream: %d %s, %d bytes\n", opt.Status, ct, len(body))
	printHeaderDiff(out, "response headers", headers, host.GetCurrentResponseHeaders(id))

	var chunks [][]byte
	switch {
	case opt.SSE == nil:
		chunks = [][]byte{body}
	case opt.Chunk > 0:
		for len(body) > 0 {
			n := min(opt.Chunk, len(body))
			chunks, body = append(chunks, body[:n]), body[n:]
		}
	default:
		chunks = splitEvents(body)
	}
	var client bytes.Buffer
	held := 0
	for i, c := range chunks {
		action := host.CallOnResponseBody(id, c, i == len(chunks)-1)
		if local := copyLocal(host.GetSentLocalResponse(id)); local != nil {
			out.printf("decision: the plugin replaced the upstream response\n")
			printLocal(out, local)
			return
		}
		if action == types.ActionContinue {
			client.Write(host.GetCurrentResponseBody(id))
		} else {
			held++
		}
	}
	what := "response body"
	if opt.SSE != nil {
		what = fmt.Sprintf("event stream as the client receives it (%d chunks, %d held for more data)", len(chunks), held)
	}
	printBody(out, what, bytesOr(opt.Response, opt.SSE), client.Bytes())
}

func bytesOr(a, b []byte) []byte {
	if a != nil {
		return a
	}
	return b
}

// splitEvents cuts an SSE stream after each blank line (one network chunk per event).
func splitEvents(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\n\n"))
		if i < 0 {
			return append(out, b)
		}
		out, b = append(out, b[:i+2]), b[i+2:]
	}
	return out
}

// copyLocal copies a local response out of the VM's memory.
func copyLocal(r *proxytest.LocalHttpResponse) *proxytest.LocalHttpResponse {
	if r == nil {
		return nil
	}
	c := *r
	c.Data = append([]byte(nil), r.Data...)
	c.Headers = append([][2]string(nil), r.Headers...)
	return &c
}

func printLocal(out *printer, r *proxytest.LocalHttpResponse) {
	verdict := "LOCAL REPLY"
	switch {
	case r.StatusCode == 403 && gjson.GetBytes(r.Data, "error.type").String() == "policy_violation":
		verdict = "BLOCKED"
	case r.StatusCode >= 400 && r.StatusCode < 500:
		verdict = "REJECTED"
	case r.StatusCode >= 500:
		verdict = "FAILED"
	}
	e := gjson.GetBytes(r.Data, "error")
	out.printf("decision: %s %d", verdict, r.StatusCode)
	if e.Exists() {
		out.printf(" %s/%s", e.Get("type").String(), e.Get("code").String())
	}
	out.printf(" (local reply; nothing sent upstream)\n")
	if e.Exists() {
		out.printf("message: %s\n", e.Get("message").String())
		if p := e.Get("param").String(); p != "" {
			out.printf("param: %s\n", p)
		}
	}
	out.printf("reply headers:\n")
	for _, h := range r.Headers {
		out.printf("  %s: %s\n", h[0], h[1])
	}
	out.printf("reply body:\n%s\n", indentBody(r.Data))
}

// printHeaderDiff prints the headers the plugin added, changed or removed.
func printHeaderDiff(out *printer, what string, before, after [][2]string) {
	b := map[string]string{}
	for _, h := range before {
		b[strings.ToLower(h[0])] = h[1]
	}
	a := map[string]string{}
	for _, h := range after {
		a[strings.ToLower(h[0])] = h[1]
	}
	var lines []string
	for k, v := range a {
		old, ok := b[k]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("  + %s: %s", k, redactHeader(k, v)))
		case old != v:
			lines = append(lines, fmt.Sprintf("  ~ %s: %s (was %s)", k, redactHeader(k, v), redactHeader(k, old)))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			lines = append(lines, fmt.Sprintf("  - %s: %s", k, redactHeader(k, v)))
		}
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][4:] < lines[j][4:] })
	if len(lines) == 0 {
		out.printf("%s: unchanged\n", what)
		return
	}
	out.printf("%s changed by the plugin:\n", what)
	for _, l := range lines {
		out.printf("%s\n", l)
	}
}

// redactHeader hides credential values: the dry run prints, the plugin never logs them.
func redactHeader(name, v string) string {
	switch name {
	case "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie":
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " [" + strconv.Itoa(len(v)-len(scheme)-1) + " bytes hidden]"
		}
		return "[" + strconv.Itoa(len(v)) + " bytes hidden]"
	}
	return v
}

func printBody(out *printer, what string, before, after []byte) {
	if bytes.Equal(before, after) {
		out.printf("%s: unchanged (%d bytes)\n", what, len(after))
		return
	}
	out.printf("%s (rewritten, %d -> %d bytes):\n%s\n", what, len(before), len(after), indentBody(after))
}

// indentBody shows a body: JSON pretty-printed, anything else as is.
func indentBody(b []byte) string {
	var buf bytes.Buffer
	if json.Valid(b) && json.Indent(&buf, b, "  ", "  ") == nil {
		return "  " + buf.String()
	}
	s := strings.TrimRight(string(b), "\n")
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// printer writes the selected sections.
type printer struct {
	w        io.Writer
	sections map[string]bool
	on       bool
}

func (p *printer) section(name string) {
	p.on = p.sections[name]
	if p.on {
		fmt.Fprintf(p.w, "== %s ==\n", name)
	}
}

func (p *printer) printf(format string, args ...any) {
	if p.on {
		fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) logs(lines []string) {
	if len(lines) == 0 {
		p.printf("(none)\n")
	}
	for _, l := range lines {
		p.printf("%s\n", l)
	}
}

// auditPrefix starts the plugin's audit log line (see internal/audit).
const auditPrefix = "egressguard.audit "

// audit prints the request's audit record, indented. It holds what the plugin's
// metrics count (decision, code, rule families, redacted types, tokens), read from the
// log the plugin wrote rather than from the host emulator's internals.
func (p *printer) audit(lines []string) {
	for _, l := range lines {
		_, rec, ok := strings.Cut(l, auditPrefix)
		if !ok {
			continue
		}
		var b bytes.Buffer
		if err := json.Indent(&b, []byte(rec), "", "  "); err != nil {
			p.printf("(unreadable audit record: %v)\n%s\n", err, rec)
			continue
		}
		p.printf("%s\n", b.Bytes())
		return
	}
	p.printf("(none)\n")
}

// placeholderEnvKeys replaces upstream keys read from the VM environment
// ({"env": "NAME"}) with inline placeholders: the dry-run VM has no environment, and a
// dry run must never need (or print) a real key.
func placeholderEnvKeys(cfg []byte) ([]byte, []string) {
	var doc any
	d := json.NewDecoder(bytes.NewReader(cfg))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return cfg, nil
	}
	var notes []string
	var walk func(v any, path string, inKeys bool)
	walk = func(v any, path string, inKeys bool) {
		switch t := v.(type) {
		case map[string]any:
			if env, ok := t["env"].(string); ok && inKeys {
				if _, hasValue := t["value"]; !hasValue {
					delete(t, "env")
					if _, named := t["name"]; !named {
						t["name"] = env
					}
					t["value"] = "dryrun-placeholder-" + env
					notes = append(notes, fmt.Sprintf("%s: key from env %s replaced by a placeholder (the dry-run VM has no environment)", path, env))
				}
			}
			for _, k := range sortedKeys(t) {
				walk(t[k], path+"."+k, k == "keys")
			}
		case []any:
			for i, e := range t {
				walk(e, fmt.Sprintf("%s[%d]", path, i), inKeys)
			}
		}
	}
	walk(doc, "", false)
	if len(notes) == 0 {
		return cfg, nil
	}
	for i := range notes {
		notes[i] = strings.TrimPrefix(notes[i], ".")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return cfg, nil
	}
	return b, notes
}
