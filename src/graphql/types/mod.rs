//! Output types of the public contract: newtypes over store records.

pub mod api_key;
pub mod audit_entry;
pub mod case;
pub mod category;
pub mod change;
pub mod collection;
pub mod country;
pub mod enums;
pub mod follow_up_action;
pub mod localised;
pub mod node;
pub mod organisation;
pub mod webhook;

pub use super::connection::CaseConnection;
pub use api_key::{ApiKey, ApiKeyConnection, ApiKeyScope};
pub use audit_entry::{AuditEntry, AuditEntryConnection, AuditLogFilter};
pub use case::{Case, CaseOrganisation};
pub use category::Category;
pub use collection::Collection;
pub use country::Country;
pub use follow_up_action::FollowUpAction;
pub use localised::{Localised, TextDirection};
pub use node::Node;
pub use organisation::Organisation;
