//! The client's address, for anonymous budgets: the connection's peer, unless that peer
//! is one of the operator's proxies (`--trusted-proxies`). Then the chain the proxies
//! wrote (`Forwarded`, else `X-Forwarded-For`, parsed by `forwarded-header-value`) is read
//! from the right, past every trusted hop, to the first address that is not a trusted
//! proxy: the rightmost untrusted hop. Headers from a peer that is not trusted are ignored,
//! so a client cannot choose its own bucket by sending them.

use std::net::IpAddr;

use axum::http::{HeaderMap, header};
use forwarded_header_value::ForwardedHeaderValue;
use ipnet::IpNet;

use crate::error::{Error, Result};

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// From `--trusted-proxies`: CIDR blocks or single addresses.
    pub fn parse(entries: &[String]) -> Result<Self> {
        entries
            .iter()
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                let entry = entry.trim();
                entry.parse::<IpNet>().or_else(|_| entry.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    Error::BadUserInput(format!(
                        "--trusted-proxies: {entry:?} is not a CIDR block or address"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client behind `peer`, given the request's `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let joined = |name: &str| -> Option<String> {
            let values: Vec<&str> =
                headers.get_all(name).iter().filter_map(|value| value.to_str().ok()).collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        let chain = match joined(header::FORWARDED.as_str()) {
            Some(forwarded) => ForwardedHeaderValue::from_forwarded(&forwarded).ok(),
            None => joined("x-forwarded-for")
                .and_then(|value| ForwardedHeaderValue::from_x_forwarded_for(&value).ok()),
        };
        let Some(chain) = chain else { return peer };
        let hops: Vec<IpAddr> = chain.iter().filter_map(|stanza| stanza.forwarded_for_ip()).collect();
        hops.iter()
            .rev()
            .copied()
            .find(|hop| !self.trusts(*hop))
            .or_else(|| hops.first().copied())
            .unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(name: &'static str, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxies =
            TrustedProxies::parse(&["10.0.0.0/8".to_owned(), "192.0.2.7".to_owned()]).expect("parsed");
        let peer: IpAddr = "10.0.0.2".parse().expect("peer");
        let spoofed = headers("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.5");
        assert_eq!(proxies.client(peer, &spoofed), "203.0.113.9".parse::<IpAddr>().expect("client"));
        let forwarded = headers("forwarded", "for=198.51.100.4;proto=https, for=\"192.0.2.7\"");
        assert_eq!(proxies.client(peer, &forwarded), "198.51.100.4".parse::<IpAddr>().expect("client"));
        // From a peer that is no proxy, the headers are the client's own words: ignored.
        let outsider: IpAddr = "203.0.113.50".parse().expect("outsider");
        assert_eq!(proxies.client(outsider, &spoofed), outsider);
        // No proxies configured: always the peer.
        assert_eq!(TrustedProxies::default().client(peer, &spoofed), peer);
        assert!(TrustedProxies::parse(&["not-a-net".to_owned()]).is_err());
    }
}
