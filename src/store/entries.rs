//! What one write did to one object: the fields changed, the versions, the change event
//! and who could see it. The journal records them; the webhook outbox reads them.

use entity::enums::{ChangeKind, SubjectType};
use serde::{Deserialize, Serialize};

/// One changed field, with its value before and after (JSON, `null` when absent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Path of the field, as in the import format: `texts.ar.title`, `status`, `tags`.
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// One object changed by a write.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub subject_type: SubjectType,
    pub subject_id: i64,
    /// Slug (or name) of the subject.
    pub label: String,
    pub version_before: Option<i32>,
    pub version_after: Option<i32>,
    pub changes: Vec<FieldChange>,
    /// The change event to publish; `None` for changes partners do not follow (API keys).
    pub kind: Option<ChangeKind>,
    /// Whether a caller without `read:drafts` could see the subject before the change
    /// (a published case, any other object that existed) and after it.
    pub visible: (bool, bool),
}
