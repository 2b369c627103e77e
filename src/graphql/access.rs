//! What the caller may see. Until partner keys land, every caller is anonymous and sees
//! published content only.

use async_graphql::Context;
use entity::enums::CaseStatus;

use crate::error::Error;

/// The caller's read permissions for this request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Holds the `read:drafts` scope: may see DRAFT and ARCHIVED cases.
    pub read_drafts: bool,
}

impl Access {
    /// The access of the request behind `context` (anonymous when none was set).
    pub fn of(context: &Context<'_>) -> Self {
        context.data_opt::<Access>().copied().unwrap_or_default()
    }

    /// Case statuses visible through relations and lookups.
    pub fn visible_statuses(self) -> Vec<CaseStatus> {
        if self.read_drafts {
            vec![CaseStatus::Draft, CaseStatus::Published, CaseStatus::Archived]
        } else {
            vec![CaseStatus::Published]
        }
    }

    /// Whether a case with `status` may be shown.
    pub fn can_see(self, status: CaseStatus) -> bool {
        self.read_drafts || status == CaseStatus::Published
    }

    /// Refuses a filter asking for statuses the caller may not see.
    pub fn check_statuses(self, statuses: &[CaseStatus]) -> Result<(), Error> {
        match statuses.iter().find(|status| !self.can_see(**status)) {
            Some(status) => Err(Error::Forbidden(format!(
                "listing {} cases needs the read:drafts scope",
                sea_orm::ActiveEnum::to_value(status)
            ))),
            None => Ok(()),
        }
    }
}
