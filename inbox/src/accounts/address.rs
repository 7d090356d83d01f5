//! The client address a login is throttled by. Behind a reverse proxy every request comes from
//! the proxy, so the address it forwards (`X-Forwarded-For`) is believed, but only from the
//! proxies the operator names (`INBOX_TRUSTED_PROXIES`): anyone else could write any address
//! into that header.

use ipnet::IpNet;
use std::net::IpAddr;
use std::str::FromStr;

/// The proxies whose `X-Forwarded-For` is believed: CIDRs or single addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client behind `peer`: `peer` itself unless it is a trusted proxy;
    /// then, walking `X-Forwarded-For` from the nearest hop back, the first address that is
    /// not a trusted proxy (an entry that is not an address stops the walk at the hop that
    /// wrote it).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer;
        let hops = forwarded_for
            .iter()
            .rev()
            .flat_map(|h| h.rsplit(','))
            .map(str::trim);
        for hop in hops {
            if !self.trusts(client) {
                break;
            }
            match hop.parse::<IpAddr>() {
                Ok(ip) => client = ip,
                Err(_) => break,
            }
        }
        client
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list: `10.0.0.0/8, 192.168.1.7, ::1`.
    fn from_str(s: &str) -> Result<TrustedProxies, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{p:?} is not an address or a CIDR"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::none();
        assert_eq!(
            none.client(ip("203.0.113.9"), &["1.2.3.4"]),
            ip("203.0.113.9")
        );

        let proxies: TrustedProxies = "10.0.0.0/8, 127.0.0.1".parse().unwrap();
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["198.51.100.7"]),
            ip("198.51.100.7")
        );
        // A client that writes its own header: the proxy appends the real address last.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Two proxies in a row, and the header split over two lines.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["198.51.100.7", "10.1.2.3"]),
            ip("198.51.100.7")
        );
        // An untrusted peer's header is ignored.
        assert_eq!(
            proxies.client(ip("203.0.113.9"), &["1.2.3.4"]),
            ip("203.0.113.9")
        );
        // Garbage stops at the proxy.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["nonsense"]),
            ip("127.0.0.1")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::none()));
    }
}
