//! What the caller may see: published content, and with the `read:drafts` scope DRAFT and
//! ARCHIVED cases too. Every list shows published cases unless asked for other statuses
//! (`statuses`), which needs the scope; a lookup by id or slug returns what the caller may
//! see.

use async_graphql::Context;
use entity::enums::CaseStatus;

use crate::error::Error;

/// The caller's read permissions for this request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Holds the `read:drafts` scope: may see DRAFT and ARCHIVED cases.
    pub read_drafts: bool,
    /// Holds the `write` scope: may change content.
    pub write: bool,
    /// Holds the `admin` scope: may manage API keys, collections and categories, and read
    /// the audit log.
    pub admin: bool,
}

impl Access {
    /// The access of the request behind `context` (anonymous when none was set).
    pub fn of(context: &Context<'_>) -> Self {
        context.data_opt::<Access>().copied().unwrap_or_default()
    }

    /// Every case status the caller may see: what a lookup by id or slug may return, and
    /// the most any list may show.
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

    /// The statuses a case list shows: those `asked` for, by default published only; an
    /// error when the caller may not see one of them. Every case list takes its statuses
    /// from here, so they default and refuse alike.
    pub fn listed_statuses<S: Into<CaseStatus>>(
        self,
        asked: Option<Vec<S>>,
    ) -> Result<Vec<CaseStatus>, Error> {
        let statuses: Vec<CaseStatus> = match asked {
            Some(asked) => asked.into_iter().map(Into::into).collect(),
            None => vec![CaseStatus::Published],
        };
        self.check_statuses(&statuses)?;
        Ok(statuses)
    }

    /// Refuses the caller unless it holds the `write` scope; `what` names the action.
    pub fn require_write(self, what: &str) -> Result<(), Error> {
        if self.write { Ok(()) } else { Err(Error::Forbidden(format!("{what} needs the write scope"))) }
    }

    /// Refuses the caller unless it holds the `admin` scope; `what` names the action.
    pub fn require_admin(self, what: &str) -> Result<(), Error> {
        if self.admin { Ok(()) } else { Err(Error::Forbidden(format!("{what} needs the admin scope"))) }
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
