//! Trusted documents: the operations an operator registered from a client's manifest
//! (`casegraph documents add FILE`), in the formats the tools produce:
//!
//! - Apollo's persisted query manifest (`generate-persisted-query-manifest`):
//!   `{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
//!   [{"id", "name", "type", "body"}]}`;
//! - GraphQL Codegen's client preset (`persistedDocuments: true`): `{"<hash>": "<body>"}`.
//!
//! Every id must be the SHA-256 of its text (the default of both tools). Registered
//! documents run by hash on every replica. Under `--trusted-documents require`, callers
//! other than `admin` keys may run only them.

use sha2::{Digest, Sha256};

use crate::store::trusted_documents::NewDocument;

/// The lower-case hex SHA-256 of `text`.
pub fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The documents of a manifest file, or every problem with it.
pub fn parse_manifest(text: &str) -> Result<Vec<NewDocument>, Vec<String>> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|error| vec![format!("not JSON: {error}")])?;
    let mut documents = Vec::new();
    let mut problems = Vec::new();
    if json.get("format").and_then(serde_json::Value::as_str) == Some("apollo-persisted-query-manifest") {
        if json.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
            problems.push("only version 1 of Apollo's manifest is known".to_owned());
        }
        for (index, operation) in
            json.get("operations").and_then(serde_json::Value::as_array).into_iter().flatten().enumerate()
        {
            let id = operation.get("id").and_then(serde_json::Value::as_str);
            let body = operation.get("body").and_then(serde_json::Value::as_str);
            match (id, body) {
                (Some(id), Some(body)) => documents.push(NewDocument {
                    hash: id.to_ascii_lowercase(),
                    name: operation.get("name").and_then(serde_json::Value::as_str).map(str::to_owned),
                    body: body.to_owned(),
                }),
                _ => problems.push(format!("operations[{index}] needs an id and a body")),
            }
        }
    } else if let Some(entries) = json.as_object() {
        for (hash, body) in entries {
            match body.as_str() {
                Some(body) => documents.push(NewDocument {
                    hash: hash.to_ascii_lowercase(),
                    name: None,
                    body: body.to_owned(),
                }),
                None => problems.push(format!("{hash}: the document must be a string")),
            }
        }
    } else {
        problems.push("neither an Apollo persisted query manifest nor a GraphQL Codegen hash map".to_owned());
    }
    for document in &documents {
        if sha256(&document.body) != document.hash {
            problems.push(format!("{}: not the SHA-256 of its text", document.hash));
        }
        if async_graphql::parser::parse_query(&document.body).is_err() {
            problems.push(format!("{}: not a GraphQL document", document.hash));
        }
    }
    if problems.is_empty() { Ok(documents) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_manifest_formats_are_read_and_wrong_hashes_refused() {
        let body = "query Collections { collections { slug } }";
        let apollo = serde_json::json!({ "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": sha256(body), "name": "Collections", "type": "query", "body": body }] });
        let parsed = parse_manifest(&apollo.to_string()).expect("Apollo manifest");
        assert_eq!(parsed[0].name.as_deref(), Some("Collections"));
        let codegen = serde_json::json!({ sha256(body): body });
        assert_eq!(parse_manifest(&codegen.to_string()).expect("Codegen map")[0].body, body);
        let wrong = serde_json::json!({ "0".repeat(64): body });
        assert!(parse_manifest(&wrong.to_string()).is_err());
    }
}
