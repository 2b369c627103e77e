//! Where a webhook may point: an `https://` URL (plain `http://` only where the operator
//! allows private targets, for local tests) whose host resolves to public addresses only.
//! Loopback, private, link-local (cloud metadata at 169.254.169.254), shared, unspecified,
//! multicast and documentation addresses are refused unless the operator allows them
//! (`--webhook-allow-private-targets`), so a webhook cannot reach into the server's
//! network. The check runs when a webhook is saved and again, after DNS resolution, before
//! every attempt; the attempt then connects to the address checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Longest wait for a host name's addresses.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Why a target is refused, for people.
pub type Refusal = String;

/// Whether `address` is one a webhook may reach without the operator's leave.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [first, second, ..] = address.octets();
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_broadcast()
        || address.is_multicast()
        || address.is_documentation()
        || first == 0
        || (first == 100 && (64..128).contains(&second))
        || first >= 240)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && address.segments()[1] == 0x0db8)
}

/// The URL, checked for its form: `https://` with a host (or `http://` when `allow_private`).
pub fn check_url(url: &str, allow_private: bool) -> Result<url::Url, Refusal> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{url:?} is not a URL"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(format!("{url:?} is not an https:// URL")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url:?} has no host"));
    }
    Ok(parsed)
}

/// The address to connect to for `url`: its host resolved, every address public (unless
/// `allow_private`).
pub async fn resolve(url: &url::Url, allow_private: bool) -> Result<SocketAddr, Refusal> {
    let host = url.host_str().ok_or_else(|| "the URL has no host".to_owned())?;
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(address) => vec![SocketAddr::new(address, port)],
        Err(_) => tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("cannot resolve {host} within {} s", RESOLVE_TIMEOUT.as_secs()))?
            .map_err(|error| format!("cannot resolve {host}: {error}"))?
            .collect(),
    };
    let first = *addresses.first().ok_or_else(|| format!("{host} resolves to no address"))?;
    if !allow_private && let Some(refused) = addresses.iter().find(|address| !is_public(address.ip())) {
        return Err(format!(
            "{host} resolves to {}, a loopback, private, link-local or reserved address: refused \
             (the operator may allow it with --webhook-allow-private-targets)",
            refused.ip()
        ));
    }
    Ok(first)
}

/// Checks `url` the way a webhook is saved: form, then resolution.
pub async fn check(url: &str, allow_private: bool) -> Result<(), Refusal> {
    let parsed = check_url(url, allow_private)?;
    resolve(&parsed, allow_private).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_reachable() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(refused.parse().expect("address")), "{refused}");
        }
        for allowed in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(allowed.parse().expect("address")), "{allowed}");
        }
    }

    #[tokio::test]
    async fn loopback_and_metadata_targets_are_refused_by_default() {
        assert!(check("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(check("https://169.254.169.254/latest/meta-data", false).await.is_err());
        assert!(check("https://127.0.0.1:9/hook", false).await.is_err());
        assert!(check("https://[::1]/hook", false).await.is_err());
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(check("javascript:alert(1)", true).await.is_err());
    }
}
