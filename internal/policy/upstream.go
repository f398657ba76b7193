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
	host := hostOnly(authority)
	byHost, specific := p.upstreamByHost(host)
	byCluster := p.upstreamByCluster(cluster)
	switch {
	case byCluster != nil:
		if specific && byHost != byCluster {
			return nil, misdirected(host, cluster)
		}
		return byCluster, nil
	case byHost != nil && cluster != "" && len(byHost.Clusters) > 0 && specific:
		return nil, misdirected(host, cluster)
	}
	return byHost, nil
}

// upstreamByHost returns the first upstream whose hosts match host, and whether the
// matching pattern named it (anything but "*").
func (p *Policy) upstreamByHost(host string) (*config.Upstream, bool) {
	for i := range p.cfg.Upstreams {
		u := &p.cfg.Upstreams[i]
		for _, h := range u.Hosts {
			if hostMatches(h, host) {
				return u, h != "*"
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
