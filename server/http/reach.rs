//! Where the server can be reached from, so the links a class is given work on
//! their phones (DESIGN.md section 4, classroom networking).
//!
//! A [`Reach`] is worked out once, after binding, from the bound address and the
//! machine's interface addresses (the `if-addrs` crate). It gives the URLs
//! `kiln serve` prints (local and network, like a dev server's "Network:" line) and
//! the base of every link meant for a phone: watch links, the room link and their
//! QR codes. Those never use a loopback address when the server listens on others,
//! whatever Host the teacher's own browser used (a laptop opened at
//! `http://127.0.0.1:8080/` still hands out `http://192.168.1.20:8080/...`). A
//! request whose Host is not a loopback name (a LAN address, a `.local` name, a
//! reverse proxy's host) is trusted as reachable and used as it is.
//!
//! Listening on loopback only, no phone can connect: [`Reach::share_hint`] then
//! says so and gives the exact command that shares the server, and the page shows
//! that instead of a QR code that cannot work.

use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

/// Interface names of container and VM bridges: listed, but a phone on the
/// classroom network is never on them, so links prefer any other address.
const BRIDGE_PREFIXES: &[&str] =
    &["docker", "br-", "veth", "virbr", "cni", "flannel", "podman", "vmnet", "vboxnet"];

/// The addresses this server answers on, worked out once after binding.
#[derive(Clone, Debug)]
pub struct Reach {
    port: u16,
    local: Vec<IpAddr>,
    network: Vec<IpAddr>,
}

/// Why phones cannot open the server, and the command that shares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShareHint {
    /// One sentence for the page.
    pub message: String,
    /// The command to run instead, e.g. `kiln serve --addr 0.0.0.0:8080`.
    pub command: String,
}

impl Reach {
    /// Where a server bound at `bound` can be reached, asking the system for its
    /// interface addresses when it listens on all of them. An interface list that
    /// cannot be read leaves only the local URL (and the hint), never an error.
    pub fn of(bound: SocketAddr) -> Reach {
        let interfaces = if bound.ip().is_unspecified() {
            if_addrs::get_if_addrs()
                .map(|list| list.into_iter().map(|i| (i.name.clone(), i.ip())).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Reach::from_interfaces(bound, &interfaces)
    }

    /// [`Reach::of`] with the interface list given as (name, address) pairs.
    pub fn from_interfaces(bound: SocketAddr, interfaces: &[(String, IpAddr)]) -> Reach {
        let ip = bound.ip();
        let (local, mut network) = if ip.is_loopback() {
            (vec![ip], Vec::new())
        } else if ip.is_unspecified() {
            let local = if ip.is_ipv4() { IpAddr::from([127, 0, 0, 1]) } else { "::1".parse().expect("::1") };
            // An IPv6 wildcard socket on Linux also takes IPv4 (dual stack); an IPv4 one never takes IPv6.
            let mut usable: Vec<(bool, bool, IpAddr)> = interfaces
                .iter()
                .filter(|(_, a)| !a.is_loopback() && !is_link_local(a) && (ip.is_ipv6() || a.is_ipv4()))
                .map(|(name, a)| (is_bridge(name), a.is_ipv6(), *a))
                .collect();
            // Phones are on the classroom Wi-Fi: real interfaces first, IPv4 before IPv6.
            usable.sort_by_key(|&(bridge, v6, _)| (bridge, v6));
            (vec![local], usable.into_iter().map(|(_, _, a)| a).collect())
        } else {
            (Vec::new(), vec![ip])
        };
        network.dedup();
        Reach { port: bound.port(), local, network }
    }

    /// Every URL of the page: (label, URL), "Local" first, then each "Network" one.
    pub fn urls(&self) -> Vec<(&'static str, String)> {
        let local = self.local.iter().map(|ip| ("Local", self.url(*ip)));
        local.chain(self.network.iter().map(|ip| ("Network", self.url(*ip)))).collect()
    }

    /// The URL of the page on this machine's own browser.
    pub fn local_url(&self) -> String {
        self.url(self.local.first().or(self.network.first()).copied().unwrap_or(IpAddr::from([127, 0, 0, 1])))
    }

    /// The base (`http://host:port`, no slash) of links for a phone, given the Host
    /// the request came in on: that Host when it is not a loopback name, else the
    /// first network address, else (loopback only) the Host as it is.
    pub fn share_base(&self, host: Option<&str>) -> String {
        match host {
            Some(host) if !is_loopback_host(host) => format!("http://{host}"),
            _ => match self.network.first() {
                Some(ip) => self.base(*ip),
                None => host.map(|h| format!("http://{h}")).unwrap_or_else(|| self.local_url()),
            },
        }
    }

    /// Why phones cannot reach the server and what shares it, when it listens on
    /// loopback only; `None` when it listens on an address others can reach.
    pub fn share_hint(&self) -> Option<ShareHint> {
        if !self.network.is_empty() {
            return None;
        }
        let listening = self.local.first().map(|ip| ip.to_string()).unwrap_or_else(|| "loopback".into());
        Some(ShareHint {
            message: format!(
                "Phones cannot open this server: it listens on {listening} (this computer) only. \
                 To share it on the classroom network, restart it with:"
            ),
            command: format!("kiln serve --addr 0.0.0.0:{}", self.port),
        })
    }

    fn base(&self, ip: IpAddr) -> String {
        match ip {
            IpAddr::V4(v4) => format!("http://{v4}:{}", self.port),
            IpAddr::V6(v6) => format!("http://[{v6}]:{}", self.port),
        }
    }

    fn url(&self, ip: IpAddr) -> String {
        format!("{}/", self.base(ip))
    }
}

fn is_bridge(name: &str) -> bool {
    BRIDGE_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

/// Whether a Host header names this machine's loopback (`localhost`, 127.0.0.0/8, `[::1]`).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interfaces() -> Vec<(String, IpAddr)> {
        [("lo", "127.0.0.1"), ("docker0", "172.17.0.1"), ("wlan0", "192.168.1.20"), ("wlan0", "fe80::1")]
            .iter()
            .map(|(n, a)| (n.to_string(), a.parse().unwrap()))
            .collect()
    }

    #[test]
    fn all_interfaces_share_the_wifi_address_not_loopback_or_a_bridge() {
        let reach = Reach::from_interfaces("0.0.0.0:8080".parse().unwrap(), &interfaces());
        assert_eq!(reach.share_base(Some("127.0.0.1:8080")), "http://192.168.1.20:8080");
        assert_eq!(reach.share_base(Some("localhost:8080")), "http://192.168.1.20:8080");
        assert_eq!(reach.share_hint(), None);
        let urls: Vec<String> =
            reach.urls().into_iter().map(|(label, url)| format!("{label} {url}")).collect();
        assert_eq!(
            urls,
            [
                "Local http://127.0.0.1:8080/",
                "Network http://192.168.1.20:8080/",
                "Network http://172.17.0.1:8080/"
            ]
        );
    }

    #[test]
    fn a_host_that_is_not_loopback_is_kept() {
        let reach = Reach::from_interfaces("0.0.0.0:8080".parse().unwrap(), &interfaces());
        assert_eq!(reach.share_base(Some("kiln.school.example:80")), "http://kiln.school.example:80");
    }

    #[test]
    fn loopback_only_gives_the_command_that_shares() {
        let reach = Reach::from_interfaces("127.0.0.1:8080".parse().unwrap(), &interfaces());
        let hint = reach.share_hint().expect("a hint");
        assert_eq!(hint.command, "kiln serve --addr 0.0.0.0:8080");
        assert!(hint.message.contains("127.0.0.1"), "{}", hint.message);
        assert_eq!(reach.share_base(Some("127.0.0.1:8080")), "http://127.0.0.1:8080");
    }

    #[test]
    fn loopback_names_are_recognised() {
        for host in
            ["localhost", "LOCALHOST:80", "127.0.0.1:8080", "127.1.2.3", "[::1]:8080", "app.localhost"]
        {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["192.168.1.20:8080", "[fe80::1]:80", "kiln.local", "10.0.0.1"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
