//! Opaque global object IDs: `base64url("<Type>:<key>")`, distinct across types. The
//! encoding is stated here once; `graphql::id` hands it to GraphQL as `ID`, and webhook
//! payloads carry the same ids.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The object types that have global IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Collection,
    Category,
    Organisation,
    Case,
    FollowUpAction,
    /// Not a `Node`: `node(id)` gives null for it; used by the key mutations.
    ApiKey,
}

impl NodeKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Collection => "Collection",
            Self::Category => "Category",
            Self::Organisation => "Organisation",
            Self::Case => "Case",
            Self::FollowUpAction => "FollowUpAction",
            Self::ApiKey => "ApiKey",
        }
    }

    fn from_prefix(prefix: &str) -> Option<Self> {
        [Self::Collection, Self::Category, Self::Organisation, Self::Case, Self::FollowUpAction, Self::ApiKey]
            .into_iter()
            .find(|kind| kind.prefix() == prefix)
    }
}

/// Encodes the ID of the `kind` object with database key `key`.
pub fn encode(kind: NodeKind, key: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.prefix()))
}

/// Decodes an ID made by [`encode`]; `None` for anything else.
pub fn decode(id: &str) -> Option<(NodeKind, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (prefix, key) = text.split_once(':')?;
    let key: i64 = key.parse().ok()?;
    (key > 0).then_some(())?;
    Some((NodeKind::from_prefix(prefix)?, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_differ_across_types() {
        let case = encode(NodeKind::Case, 7);
        let category = encode(NodeKind::Category, 7);
        assert_ne!(case, category);
        assert_eq!(decode(&case), Some((NodeKind::Case, 7)));
        assert_eq!(decode("7"), None);
        assert_eq!(decode("not base64!"), None);
    }
}
