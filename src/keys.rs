//! API keys and scopes: what a key looks like, how it is generated and recognised, and
//! which scopes exist. Keys are `cg_` + 8 public characters (the prefix) + `_` + 43 secret
//! characters (32 random bytes, base64url). Only the SHA-256 digest of the whole key is
//! stored; the key is shown once, when it is created.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Characters of a key prefix after `cg_`.
const PREFIX_CHARS: usize = 8;
/// Alphabet of prefixes: lower-case letters and digits without look-alikes.
const PREFIX_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A permission a key can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read published content.
    Read,
    /// Read drafts and archived cases too (implies `read`).
    ReadDrafts,
    /// Change content (editorial mutations).
    Write,
    /// Everything, including key management through the API.
    Admin,
}

impl Scope {
    /// Every scope, in documentation order.
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::ReadDrafts, Scope::Write, Scope::Admin];

    /// The scope's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadDrafts => "read:drafts",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == text.trim()).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|scope| scope.as_str()).collect();
            Error::BadUserInput(format!("unknown scope `{text}`; scopes are {}", known.join(", ")))
        })
    }
}

/// A set of scopes, with the implications applied: `admin` holds every scope, `read:drafts`
/// holds `read`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// The scopes of an anonymous caller: `read`.
    pub fn anonymous() -> Self {
        Self::from_iter([Scope::Read])
    }

    /// Whether `scope` is held, directly or by implication.
    pub fn has(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
            || self.0.contains(&Scope::Admin)
            || (scope == Scope::Read && self.0.contains(&Scope::ReadDrafts))
    }

    /// Parses a comma- or space-separated list (`read,read:drafts`); empty is an error.
    pub fn parse_list(text: &str) -> Result<Self, Error> {
        let scopes = text
            .split([',', ' '])
            .filter(|part| !part.trim().is_empty())
            .map(Scope::from_str)
            .collect::<Result<Self, Error>>()?;
        if scopes.0.is_empty() {
            return Err(Error::BadUserInput("a key needs at least one scope".to_owned()));
        }
        Ok(scopes)
    }

    /// The scopes as given, in documentation order (implications not applied).
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// Space-separated, as stored.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The scopes as stored; unknown names (written by a newer version) are ignored.
    pub fn from_stored(text: &str) -> Self {
        text.split_whitespace().filter_map(|part| part.parse().ok()).collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(scopes: I) -> Self {
        Self(scopes.into_iter().collect())
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|scope| scope.as_str()).collect();
        formatter.write_str(&names.join(","))
    }
}

/// A freshly generated key: the secret to hand over once, and what is stored.
#[derive(Clone)]
pub struct NewKey {
    /// The whole key; never stored, never logged.
    pub secret: String,
    /// Public part (`cg_xxxxxxxx`).
    pub prefix: String,
    /// What is stored to recognise the key.
    pub hash: String,
}

impl fmt::Debug for NewKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("NewKey").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl NewKey {
    /// A new random key (operating-system randomness).
    pub fn generate() -> Self {
        let mut random = rand::rng();
        let prefix: String = (0..PREFIX_CHARS)
            .map(|_| {
                let index = (random.next_u32() as usize) % PREFIX_ALPHABET.len();
                char::from(PREFIX_ALPHABET[index])
            })
            .collect();
        let mut secret_bytes = [0u8; 32];
        random.fill_bytes(&mut secret_bytes);
        let prefix = format!("cg_{prefix}");
        let secret = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(secret_bytes));
        let hash = digest(&secret);
        Self { secret, prefix, hash }
    }
}

/// Lower-case hex SHA-256 of `key`.
pub fn digest(key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(key.as_bytes()) {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Whether `key` has the shape of a Casegraph key (checked before any database lookup).
pub fn is_well_formed(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("cg_") else {
        return false;
    };
    let Some((prefix, secret)) = rest.split_once('_') else {
        return false;
    };
    prefix.len() == PREFIX_CHARS
        && prefix.bytes().all(|byte| PREFIX_ALPHABET.contains(&byte))
        && secret.len() == 43
        && secret.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_lower_case_hex_sha256() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn generated_keys_are_well_formed_and_distinct() {
        let first = NewKey::generate();
        let second = NewKey::generate();
        assert!(is_well_formed(&first.secret), "{}", first.secret);
        assert_ne!(first.secret, second.secret);
        assert_eq!(first.hash, digest(&first.secret));
        assert!(first.secret.starts_with(&first.prefix));
        assert!(!format!("{first:?}").contains(&first.secret));
    }

    #[test]
    fn malformed_keys_are_recognised() {
        for key in ["", "cg_", "abc", "cg_ABCDEFGH_x", "cg_abcdefgh_short", "Bearer cg_x"] {
            assert!(!is_well_formed(key), "{key}");
        }
    }

    #[test]
    fn scopes_imply_each_other_and_round_trip() {
        let scopes = Scopes::parse_list("read:drafts").expect("valid");
        assert!(scopes.has(Scope::Read) && scopes.has(Scope::ReadDrafts) && !scopes.has(Scope::Write));
        let admin = Scopes::parse_list("admin").expect("valid");
        assert!(Scope::ALL.iter().all(|scope| admin.has(*scope)));
        let listed = Scopes::parse_list("read, write").expect("valid");
        assert_eq!(Scopes::from_stored(&listed.to_stored()), listed);
        assert!(Scopes::parse_list("read,root").is_err());
        assert!(Scopes::parse_list(" , ").is_err());
    }
}
