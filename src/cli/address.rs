//! `--addr`: an IP address or a host name with a port.

use std::net::{SocketAddr, ToSocketAddrs};

/// Resolves `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:8082`). A host name may
/// resolve to several addresses (`localhost` to `::1` and `127.0.0.1`); the server listens
/// on one, the first IPv4 address when there is one (the address people then type in a
/// browser or curl works even where IPv6 is off), else the first.
pub fn listen_address(raw: &str) -> Result<SocketAddr, String> {
    let raw = raw.trim();
    if let Ok(addr) = raw.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if !raw.contains(':') {
        return Err(format!(
            "`{raw}` has no port; write HOST:PORT, for example 127.0.0.1:8080 or localhost:8080"
        ));
    }
    let resolved: Vec<SocketAddr> = raw
        .to_socket_addrs()
        .map_err(|err| {
            format!("cannot resolve `{raw}` ({err}); write HOST:PORT with a known host name or an IP address, for example 127.0.0.1:8080")
        })?
        .collect();
    resolved
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| resolved.first())
        .copied()
        .ok_or_else(|| format!("`{raw}` resolves to no address; write HOST:PORT with an IP address, for example 127.0.0.1:8080"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addresses_are_taken_as_they_are() {
        assert_eq!(
            listen_address("127.0.0.1:8080"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 8080)))
        );
        assert!(listen_address("[::1]:9000").is_ok_and(|a| a.is_ipv6()));
    }

    #[test]
    fn localhost_resolves_to_a_loopback_address_with_the_port() {
        let addr = listen_address("localhost:8082").expect("resolves");
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 8082);
    }

    #[test]
    fn a_missing_port_or_unknown_host_is_a_sentence() {
        assert!(listen_address("localhost").is_err_and(|e| e.contains("no port")));
        assert!(
            listen_address("no-such-host.invalid:80").is_err_and(|e| e.contains("cannot resolve"))
        );
    }
}
