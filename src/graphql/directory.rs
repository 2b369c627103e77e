//! Organisation and follow-up action lists: their Relay connections and the argument
//! handling behind `Query.organisations` and `Query.followUpActions`.

use std::sync::Arc;

use async_graphql::{Context, Object, Result};

use super::access::Access;
use super::connection::{PageInfo, page_info};
use super::inputs::{
    FollowUpActionFilterInput, FollowUpActionOrderField, FollowUpActionOrderInput, OrganisationFilterInput,
    OrganisationOrderField, OrganisationOrderInput,
};
use super::types::enums::OrderDirection;
use super::types::localised::preference;
use super::types::{FollowUpAction, Organisation};
use crate::error::Error;
use crate::locale::DEFAULT_LOCALE;
use crate::store::Store;
use crate::store::directory::{self, FollowUpActionListing, OrganisationListing};
use crate::store::records::{FollowUpActionRecord, OrganisationRecord};
use crate::store::sql::page::{Page, PageArguments, Window, encode_cursor};

fn store<'a>(context: &'a Context<'_>) -> Result<&'a Store, Error> {
    context.data::<Store>().map_err(|_| Error::Internal("no store in context".to_owned()))
}

/// The arguments of `Query.organisations`.
pub struct OrganisationListArguments {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub filter: Option<OrganisationFilterInput>,
    pub order_by: Option<OrganisationOrderInput>,
}

impl OrganisationListArguments {
    /// Validates the arguments and fetches the page.
    pub async fn resolve(self, context: &Context<'_>) -> Result<OrganisationConnection, Error> {
        let store = store(context)?;
        let filter = self.filter.unwrap_or_default().into_store()?;
        let name_locale =
            preference(context).tags().first().map_or(DEFAULT_LOCALE, String::as_str).to_owned();
        let (field, descending) = match self.order_by {
            Some(order) => (
                match order.field {
                    OrganisationOrderField::Name => directory::OrganisationOrderField::Name,
                    OrganisationOrderField::CaseCount => directory::OrganisationOrderField::CaseCount,
                    OrganisationOrderField::CreatedAt => directory::OrganisationOrderField::CreatedAt,
                },
                order.direction == OrderDirection::Desc,
            ),
            None if filter.search.is_some() => (directory::OrganisationOrderField::Relevance, true),
            None => (directory::OrganisationOrderField::Name, false),
        };
        let order = directory::OrganisationOrder { field, descending, name_locale };
        let listing = OrganisationListing { filter, order };
        let ordering = listing.order.cursor_ordering();
        let window = crate::graphql::window(
            context,
            PageArguments {
                first: self.first,
                after: self.after,
                last: self.last,
                before: self.before,
                max: None,
            },
            &ordering,
        )?;
        let page = store.organisation_page(&listing, &window).await?.map(Arc::new);
        Ok(OrganisationConnection {
            store: store.clone(),
            listing: Arc::new(listing),
            window,
            page,
            ordering,
        })
    }
}

/// A page of organisations.
pub struct OrganisationConnection {
    store: Store,
    listing: Arc<OrganisationListing>,
    window: Window,
    page: Page<Arc<OrganisationRecord>>,
    ordering: String,
}

/// An organisation in a page, with its cursor.
pub struct OrganisationEdge {
    record: Arc<OrganisationRecord>,
    cursor: String,
}

#[Object]
impl OrganisationEdge {
    /// Opaque position of this organisation in the list, for `after`/`before`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The organisation.
    async fn node(&self) -> Organisation {
        Organisation(self.record.clone())
    }
}

#[Object]
impl OrganisationConnection {
    /// The organisations of the page with their cursors.
    async fn edges(&self) -> Vec<OrganisationEdge> {
        self.page
            .rows
            .iter()
            .map(|(record, key)| OrganisationEdge {
                record: record.clone(),
                cursor: encode_cursor(&self.ordering, key),
            })
            .collect()
    }

    /// The organisations of the page.
    async fn nodes(&self) -> Vec<Organisation> {
        self.page.rows.iter().map(|(record, _)| Organisation(record.clone())).collect()
    }

    /// Where this page sits.
    async fn page_info(&self) -> Result<PageInfo> {
        let info = page_info(&self.page, &self.window, &self.ordering, |key, towards_start| {
            let store = self.store.clone();
            let listing = self.listing.clone();
            async move { store.organisation_exists_beyond(&listing, &key, towards_start).await }
        })
        .await?;
        Ok(info)
    }

    /// Number of organisations matching the filter (all pages).
    async fn total_count(&self) -> Result<i32> {
        let total = self.store.count_organisations(&self.listing).await?;
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}

/// The arguments of `Query.followUpActions`.
pub struct FollowUpActionListArguments {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub filter: Option<FollowUpActionFilterInput>,
    pub order_by: Option<FollowUpActionOrderInput>,
}

impl FollowUpActionListArguments {
    /// Validates the arguments and fetches the page.
    pub async fn resolve(self, context: &Context<'_>) -> Result<FollowUpActionConnection, Error> {
        let store = store(context)?;
        let filter = self.filter.unwrap_or_default().into_store()?;
        let order = match self.order_by {
            Some(order) => directory::FollowUpActionOrder {
                field: match order.field {
                    FollowUpActionOrderField::StartsOn => directory::FollowUpActionOrderField::StartsOn,
                    FollowUpActionOrderField::CreatedAt => directory::FollowUpActionOrderField::CreatedAt,
                },
                descending: order.direction == OrderDirection::Desc,
            },
            None => directory::FollowUpActionOrder {
                field: directory::FollowUpActionOrderField::StartsOn,
                descending: true,
            },
        };
        let visible_case_statuses = Access::of(context).visible_statuses();
        let listing = FollowUpActionListing { filter, order, visible_case_statuses };
        let ordering = listing.order.cursor_ordering();
        let window = crate::graphql::window(
            context,
            PageArguments {
                first: self.first,
                after: self.after,
                last: self.last,
                before: self.before,
                max: None,
            },
            &ordering,
        )?;
        let page = store.follow_up_action_page(&listing, &window).await?.map(Arc::new);
        Ok(FollowUpActionConnection {
            store: store.clone(),
            listing: Arc::new(listing),
            window,
            page,
            ordering,
        })
    }
}

/// A page of follow-up actions.
pub struct FollowUpActionConnection {
    store: Store,
    listing: Arc<FollowUpActionListing>,
    window: Window,
    page: Page<Arc<FollowUpActionRecord>>,
    ordering: String,
}

/// A follow-up action in a page, with its cursor.
pub struct FollowUpActionEdge {
    record: Arc<FollowUpActionRecord>,
    cursor: String,
}

#[Object]
impl FollowUpActionEdge {
    /// Opaque position of this action in the list, for `after`/`before`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The follow-up action.
    async fn node(&self) -> FollowUpAction {
        FollowUpAction(self.record.clone())
    }
}

#[Object]
impl FollowUpActionConnection {
    /// The actions of the page with their cursors.
    async fn edges(&self) -> Vec<FollowUpActionEdge> {
        self.page
            .rows
            .iter()
            .map(|(record, key)| FollowUpActionEdge {
                record: record.clone(),
                cursor: encode_cursor(&self.ordering, key),
            })
            .collect()
    }

    /// The actions of the page.
    async fn nodes(&self) -> Vec<FollowUpAction> {
        self.page.rows.iter().map(|(record, _)| FollowUpAction(record.clone())).collect()
    }

    /// Where this page sits.
    async fn page_info(&self) -> Result<PageInfo> {
        let info = page_info(&self.page, &self.window, &self.ordering, |key, towards_start| {
            let store = self.store.clone();
            let listing = self.listing.clone();
            async move { store.follow_up_action_exists_beyond(&listing, &key, towards_start).await }
        })
        .await?;
        Ok(info)
    }

    /// Number of follow-up actions matching the filter (all pages).
    async fn total_count(&self) -> Result<i32> {
        let total = self.store.count_follow_up_actions(&self.listing).await?;
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}
