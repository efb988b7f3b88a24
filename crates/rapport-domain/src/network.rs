//! The networks Rapport reads from and writes to.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Bluesky,
    Mastodon,
    X,
    /// Posts from a file whose network is not known (or not one of the above).
    Import,
}

impl Network {
    pub const ALL: [Network; 4] = [
        Network::Bluesky,
        Network::Mastodon,
        Network::X,
        Network::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Network::Bluesky => "bluesky",
            Network::Mastodon => "mastodon",
            Network::X => "x",
            Network::Import => "import",
        }
    }

    /// The most characters a post may hold on this network, counted the way the network counts
    /// (see `rapport_domain::post::network_length` in later work); `None` where there is no limit.
    pub fn post_length_limit(self) -> Option<usize> {
        match self {
            Network::Bluesky => Some(300),
            Network::Mastodon => Some(500),
            Network::X => Some(280),
            Network::Import => None,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown network '{0}' (expected bluesky, mastodon, x or import)")]
pub struct ParseNetworkError(pub String);

impl FromStr for Network {
    type Err = ParseNetworkError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "bluesky" | "bsky" => Ok(Network::Bluesky),
            "mastodon" => Ok(Network::Mastodon),
            "x" | "twitter" => Ok(Network::X),
            "import" => Ok(Network::Import),
            _ => Err(ParseNetworkError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_name() {
        for n in Network::ALL {
            assert_eq!(n.as_str().parse::<Network>().unwrap(), n);
        }
        assert_eq!("Twitter".parse::<Network>().unwrap(), Network::X);
        assert!("myspace".parse::<Network>().is_err());
    }
}
