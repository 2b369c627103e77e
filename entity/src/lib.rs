//! sea-orm models of Casegraph's tables. Models only: no GraphQL, no HTTP, no business rules.
//!
//! Every localised text lives in a `*_translation` table keyed by (owner, locale), so a new
//! locale needs no schema change.

pub mod api_key;
pub mod audit_entry;
pub mod case;
pub mod case_country;
pub mod case_organisation;
pub mod case_tag;
pub mod case_translation;
pub mod category;
pub mod category_translation;
pub mod change_event;
pub mod collection;
pub mod collection_translation;
pub mod enums;
pub mod follow_up_action;
pub mod follow_up_action_case;
pub mod follow_up_action_translation;
pub mod organisation;
pub mod organisation_translation;
pub mod tag;
pub mod trusted_document;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;
