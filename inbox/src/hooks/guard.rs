//! Webhook targets are other people's servers, named by whoever holds an admin session or an
//! API key: unless `INBOX_WEBHOOK_ALLOW_PRIVATE` is set, an address that is not public
//! (loopback, private, link-local, carrier-grade NAT, unique-local, multicast, reserved) is
//! refused, both when an endpoint is added and at every delivery (the name is resolved again by
//! [`PublicOnly`], so a name that later points inside is refused too), and redirects are not
//! followed. This keeps the server from being used to probe the internal network.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::LazyLock;

/// Networks that are not on the public internet (IANA special-purpose registries).
static NOT_PUBLIC: LazyLock<Vec<IpNet>> = LazyLock::new(|| {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    ]
    .iter()
    .map(|n| n.parse().expect("a valid network"))
    .collect()
});

/// Whether `ip` is an address on the public internet. An IPv6 address that carries an IPv4
/// address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`)
/// counts as that IPv4 address, which is where it leads.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => {
            let o = v6.octets();
            let nat64 = v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            let six_to_four = v6.segments()[0] == 0x2002;
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None if nat64 => IpAddr::from([o[12], o[13], o[14], o[15]]),
                None if six_to_four => IpAddr::from([o[2], o[3], o[4], o[5]]),
                None => ip,
            }
        }
        v4 => v4,
    };
    !NOT_PUBLIC.iter().any(|net| net.contains(&ip))
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not an http(s) URL with a host")]
    Invalid,
    #[error("{0} is not a public address")]
    Private(String),
    #[error("{0} does not resolve")]
    Unresolved(String),
}

/// A target URL as a delivery uses it: http or https with a host and no credentials, and
/// (unless `allow_private`) not an address that is not public. A name is not resolved here:
/// [`PublicOnly`] resolves it when the request is made.
pub fn parse_target(url: &str, allow_private: bool) -> Result<url::Url, Refused> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| Refused::Invalid)?;
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(Refused::Invalid);
    }
    let ip = match parsed.host().ok_or(Refused::Invalid)? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    };
    if let Some(ip) = ip.filter(|ip| !allow_private && !is_public(*ip)) {
        return Err(Refused::Private(ip.to_string()));
    }
    Ok(parsed)
}

/// Checks a target URL when an endpoint is added: [`parse_target`], and (unless
/// `allow_private`) a name must resolve, to public addresses only.
pub async fn check_url(url: &str, allow_private: bool) -> Result<url::Url, Refused> {
    let parsed = parse_target(url, allow_private)?;
    let host = parsed.host_str().ok_or(Refused::Invalid)?.to_owned();
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|_| Refused::Unresolved(host.clone()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolved(host));
    }
    if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(Refused::Private(private.ip().to_string()));
    }
    Ok(parsed)
}

/// A resolver that gives only public addresses (a name resolving only inside is an error).
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:5",
            "2002:7f00:1::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "203.194.112.1",
            "2606:4700:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn urls_to_inside_addresses_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://[::1]/hook",
            "https://10.0.0.5/x",
            "http://localhost:8080/",
        ] {
            assert!(
                matches!(check_url(url, false).await, Err(Refused::Private(_))),
                "{url}"
            );
            assert!(check_url(url, true).await.is_ok(), "{url} when allowed");
        }
        for url in [
            "ftp://example.com/",
            "not a url",
            "http://user:pw@example.com/",
        ] {
            assert_eq!(check_url(url, true).await, Err(Refused::Invalid), "{url}");
        }
    }
}
