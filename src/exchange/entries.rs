//! The journal entries of a write: for every object created or changed, its fields before
//! and after (as the import format names them), its versions and the change event kind.

use std::collections::BTreeMap;

use entity::enums::{CaseStatus, ChangeKind, SubjectType};
use serde_json::Value;

use super::export;
use super::record::{Case, Category, Collection, FollowUpAction, Organisation, Stamped};
use crate::store::journal::{Entry, FieldChange};

/// Fields the journal leaves out: they change with every write.
const STAMPS: [&str; 3] = ["createdAt", "updatedAt", "version"];

/// A record the journal describes.
pub trait Journaled: Clone {
    /// What kind of object it is.
    const SUBJECT: SubjectType;
    /// Its slug.
    fn slug(&self) -> &str;
    /// Its fields, as the import format writes them.
    fn fields(&self) -> Value;
    /// Its version (after the write has settled it).
    fn version(&self) -> Option<i32>;
    /// Whether a caller without `read:drafts` may see it (a published case; any other
    /// object).
    fn is_public(&self) -> bool {
        true
    }
    /// What changing `old` into `new` was.
    fn kind(old: &Self, new: &Self) -> ChangeKind {
        let _ = (old, new);
        ChangeKind::Updated
    }
}

/// The entry of `new` (with database id `id`), created when `old` is `None`.
pub fn entry<R: Journaled>(id: i64, old: Option<&R>, new: &R) -> Entry {
    let before = old.map(Journaled::fields).unwrap_or(Value::Null);
    Entry {
        subject_type: R::SUBJECT,
        subject_id: id,
        label: new.slug().to_owned(),
        version_before: old.and_then(Journaled::version),
        version_after: new.version(),
        changes: diff(&before, &new.fields()),
        kind: Some(old.map_or(ChangeKind::Created, |old| R::kind(old, new))),
        visible: (old.is_some_and(Journaled::is_public), new.is_public()),
    }
}

/// The entry of a deleted (or merged away) object.
pub fn removal<R: Journaled>(id: i64, old: &R, kind: ChangeKind) -> Entry {
    Entry {
        subject_type: R::SUBJECT,
        subject_id: id,
        label: old.slug().to_owned(),
        version_before: old.version(),
        version_after: None,
        changes: diff(&old.fields(), &Value::Null),
        kind: Some(kind),
        visible: (old.is_public(), false),
    }
}

/// Every leaf field that differs between `old` and `new`: objects are walked (`texts.ar.title`),
/// lists and scalars compared whole.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (mut before, mut after) = (BTreeMap::new(), BTreeMap::new());
    flatten("", old, &mut before);
    flatten("", new, &mut after);
    let mut changes = Vec::new();
    for (field, value) in &after {
        let previous = before.get(field).map_or(Value::Null, |previous| (*previous).clone());
        if previous != **value {
            changes.push(FieldChange { field: field.clone(), old: previous, new: (*value).clone() });
        }
    }
    for (field, value) in before {
        if !after.contains_key(&field) {
            changes.push(FieldChange { field, old: value.clone(), new: Value::Null });
        }
    }
    changes.sort_by(|a, b| a.field.cmp(&b.field));
    changes
}

fn flatten<'a>(prefix: &str, value: &'a Value, into: &mut BTreeMap<String, &'a Value>) {
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                if prefix.is_empty() && STAMPS.contains(&key.as_str()) {
                    continue;
                }
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&path, value, into);
            }
        }
        Value::Null => {}
        other => {
            into.insert(prefix.to_owned(), other);
        }
    }
}

fn json<T: serde::Serialize>(row: T) -> Value {
    serde_json::to_value(row).unwrap_or(Value::Null)
}

impl Journaled for Case {
    const SUBJECT: SubjectType = SubjectType::Case;
    fn slug(&self) -> &str {
        &self.slug
    }
    fn fields(&self) -> Value {
        json(export::case(self.clone()))
    }
    fn version(&self) -> Option<i32> {
        self.stamps().version
    }
    fn is_public(&self) -> bool {
        self.status == CaseStatus::Published
    }
    fn kind(old: &Self, new: &Self) -> ChangeKind {
        use CaseStatus::{Archived, Draft, Published};
        match (old.status, new.status) {
            (Draft, Published) => ChangeKind::Published,
            (Published, Draft) => ChangeKind::Unpublished,
            (Draft | Published, Archived) => ChangeKind::Archived,
            (Archived, Draft | Published) => ChangeKind::Restored,
            _ => ChangeKind::Updated,
        }
    }
}

impl Journaled for Organisation {
    const SUBJECT: SubjectType = SubjectType::Organisation;
    fn slug(&self) -> &str {
        &self.slug
    }
    fn fields(&self) -> Value {
        json(export::organisation(self.clone()))
    }
    fn version(&self) -> Option<i32> {
        self.stamps().version
    }
}

impl Journaled for FollowUpAction {
    const SUBJECT: SubjectType = SubjectType::FollowUpAction;
    fn slug(&self) -> &str {
        &self.slug
    }
    fn fields(&self) -> Value {
        json(export::follow_up_action(self.clone()))
    }
    fn version(&self) -> Option<i32> {
        self.stamps().version
    }
}

impl Journaled for Collection {
    const SUBJECT: SubjectType = SubjectType::Collection;
    fn slug(&self) -> &str {
        &self.slug
    }
    fn fields(&self) -> Value {
        // Categories have entries of their own.
        let mut fields = json(export::collection(Collection { categories: Vec::new(), ..self.clone() }));
        if let Value::Object(map) = &mut fields {
            map.remove("categories");
        }
        fields
    }
    fn version(&self) -> Option<i32> {
        self.version
    }
}

impl Journaled for Category {
    const SUBJECT: SubjectType = SubjectType::Category;
    fn slug(&self) -> &str {
        &self.slug
    }
    fn fields(&self) -> Value {
        json(export::category(self.clone()))
    }
    fn version(&self) -> Option<i32> {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_diff_names_each_changed_leaf_with_its_old_and_new_value() {
        let old = json!({"slug": "a", "version": 1, "texts": {"en": {"title": "A"}, "ar": {"title": "أ"}}, "tags": ["x"]});
        let new = json!({"slug": "a", "version": 2, "texts": {"en": {"title": "A"}, "zh": {"title": "甲"}}, "tags": ["x", "y"]});
        let fields: Vec<(String, Value, Value)> =
            diff(&old, &new).into_iter().map(|change| (change.field, change.old, change.new)).collect();
        assert_eq!(
            fields,
            [
                ("tags".to_owned(), json!(["x"]), json!(["x", "y"])),
                ("texts.ar.title".to_owned(), json!("أ"), Value::Null),
                ("texts.zh.title".to_owned(), Value::Null, json!("甲")),
            ]
        );
    }
}
