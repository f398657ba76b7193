package policy

import (
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
)

// UpstreamFor chooses the upstream of a request from the Envoy cluster it is routed to
// (cluster: "" when unknown) and its :authority. The routed cluster wins: the client
// controls Host, Envoy's route decides where the request really goes (a host-rewriting
// route sends any Host to one provider). A mismatch is refused with 421 rather than
// guessed: the Host names an upstream (not through "*") that lists clusters and the
// request is routed to none of them, or the cluster belongs to one upstream and the
// Host specifically to another. Without clusters configured the normalised host
// decides (lower case, port and trailing dots removed). nil: no upstream matches.
func (p *Policy) UpstreamFor(authority, cluster string) (*config.Upstream, *apierr.Error) {
	if len(p.cfg.Upstreams) == 0 {
		return nil, nil
	}
	byHost, specific := p.upstreamByHost(authority)
	byCluster := p.upstreamByCluster(cluster)
	switch {
	case byCluster != nil:
		if specific && byHost != byCluster {
			return nil, misdirected(hostOnly(authority), cluster)
		}
		return byCluster, nil
	case byHost != nil && cluster != "" && len(byHost.Clusters) > 0 && specific:
		return nil, misdirected(hostOnly(authority), cluster)
	}
	return byHost, nil
}

// upstreamByHost returns the first upstream whose hosts match the authority's host,
// and whether the matching pattern named it (anything but "*"). The host is
// normalised only when a pattern other than "*" is compared.
func (p *Policy) upstreamByHost(authority string) (*config.Upstream, bool) {
	var host string
	normalised := false
	for i := range p.cfg.Upstreams {
		u := &p.cfg.Upstreams[i]
		for _, h := range u.Hosts {
			if h == "*" {
				return u, false
			}
			if !normalised {
				host, normalised = hostOnly(authority), true
			}
			if hostMatches(h, host) {
				return u, true
			}
		}
	}
	return nil, false
}

func (p *Policy) upstreamByCluster(cluster string) *config.Upstream {
	if cluster == "" {
		return nil
	}
	for i := range p.cfg.Upstreams {
		u := &p.cfg.Upstreams[i]
		for _, c := range u.Clusters {
			if c == cluster {
				return u
			}
		}
	}
	return nil
}

func misdirected(host, cluster string) *apierr.Error {
	return apierr.New(421, apierr.TypeInvalidRequest, "misdirected_request",
		"the request's host %q does not belong to the upstream it is routed to (cluster %q)", host, cluster)
}
