package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// upstreamCreds is what the guard does to the credentials of requests to one upstream:
// the client headers it removes and the key ring it injects from (nil: pass-through).
type upstreamCreds struct {
	strip []string
	ring  *credentials.Keyring
}

// credentialSet is the compiled credential configuration of one plugin instance.
type credentialSet struct {
	auth        *credentials.Authenticator
	byUpstream  map[string]*upstreamCreds // by upstream name
	noUpstream  *upstreamCreds            // requests whose authority matches no upstream
	store       shareddata.Store
	startupWarn []string
}

// newCredentialSet resolves every upstream key from the VM environment once and
// compiles client authentication. Errors name the upstream and key, never a value.
func newCredentialSet(cfg *config.Config, env credentials.Env, store shareddata.Store) (*credentialSet, error) {
	auth, err := credentials.NewAuthenticator(cfg.Clients)
	if err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	cs := &credentialSet{auth: auth, byUpstream: map[string]*upstreamCreds{}, store: store,
		noUpstream: &upstreamCreds{strip: credentials.StripHeaders(nil, &cfg.Clients)}}
	for i := range cfg.Upstreams {
		u := &cfg.Upstreams[i]
		uc := &upstreamCreds{strip: credentials.StripHeaders(&u.Auth, &cfg.Clients)}
		if u.Auth.Enabled() {
			ring, warns, err := credentials.NewKeyring(u.Name, u.Auth, env)
			if err != nil {
				return nil, fmt.Errorf("upstreams[%d].auth: %w", i, err)
			}
			if err := ring.Prepare(store); err != nil {
				cs.startupWarn = append(cs.startupWarn, "upstream "+u.Name+": shared key state unavailable, using worker-local state: "+err.Error())
			}
			cs.startupWarn = append(cs.startupWarn, warns...)
			uc.ring = ring
		}
		cs.byUpstream[u.Name] = uc
	}
	return cs, nil
}

// forUpstream returns the credential handling for a matched upstream (nil: none matched).
func (cs *credentialSet) forUpstream(u *config.Upstream) *upstreamCreds {
	if u == nil {
		return cs.noUpstream
	}
	return cs.byUpstream[u.Name]
}

// applyCredentials authenticates the client, removes every client credential header and
// injects the upstream key. It returns the rejection to send, if any, with its headers.
func (h *httpContext) applyCredentials() (*apierr.Error, [][2]string) {
	cs := h.creds
	tenant, aerr := cs.auth.Authenticate(hostcalls.RequestHeader)
	if aerr != nil {
		return aerr.APIError(), aerr.Headers()
	}
	h.tenant = tenant
	uc := cs.forUpstream(h.upstream)
	for _, name := range uc.strip {
		hostcalls.RemoveRequestHeader(name)
	}
	if uc.ring == nil {
		return nil, nil
	}
	key, name, retryAfter, ok := uc.ring.Pick(cs.store, time.Now())
	if !ok {
		hostcalls.LogWarn("egressguard: all keys cooling down upstream=" + uc.ring.Upstream() +
			" request_id=" + h.requestID + " retry_after_s=" + strconv.Itoa(credentials.RetryAfterSeconds(retryAfter)))
		hostcalls.Count(metrics.Name(metrics.KeysExhausted, "upstream", uc.ring.Upstream()), 1)
		return credentials.KeysExhausted(retryAfter)
	}
	header, value := uc.ring.HeaderValue(key)
	if err := hostcalls.SetRequestHeader(header, value); err != nil {
		return apierr.New(500, apierr.TypeUnavailable, "key_injection_failed", "the guard could not set the upstream credential"), nil
	}
	h.ring, h.keyName = uc.ring, name
	return nil, nil
}

// reportKeyStatus tells the key ring how the upstream answered the request made with
// its key: 401/403/429 cool that key down for every worker, other answers show a
// recovering key works again. The guard's own local reply is no answer from the provider
// (status 0): it only frees the key's probe for another request.
func (h *httpContext) reportKeyStatus() {
	if h.ring == nil {
		return
	}
	status, retryAfter := h.out.status, "" // status read once in OnHttpResponseHeaders
	if h.done {
		status = 0
	} else {
		retryAfter = hostcalls.ResponseHeader("retry-after")
	}
	if h.ring.ReportStatus(h.creds.store, h.keyName, status, retryAfter, time.Now()) {
		hostcalls.Count(metrics.Name(metrics.KeyCooldowns, "upstream", h.ring.Upstream(), "key", h.keyName), 1)
		hostcalls.LogWarn("egressguard: key cooled down upstream=" + h.ring.Upstream() + " key=" + h.keyName +
			" status=" + strconv.Itoa(status) + " request_id=" + h.requestID)
	}
}
