//! `FollowUpAction`: a measure announced with a collection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use super::enums::{CaseStatus, FollowUpActionKind, FollowUpActionStatus};
use super::localised::{available, pick, shown_direction, shown_locale};
use super::{Case, Collection, Organisation, TextDirection};
use crate::graphql::access::Access;
use crate::graphql::cost_directives::{TYPICAL_CASES_PER_ACTION, list_size};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::loaders::{Loaders, StatusSet, load};
use crate::store::records::FollowUpActionRecord;
use crate::text::to_safe_html;

/// A follow-up measure announced with a collection: summarising experience, showcasing
/// cases, international exchange, capacity-building projects, training courses.
#[derive(Clone, Debug)]
pub struct FollowUpAction(pub Arc<FollowUpActionRecord>);

#[Object]
impl FollowUpAction {
    /// Opaque global ID (see `Query.node`).
    pub async fn id(&self) -> ID {
        id::encode(NodeKind::FollowUpAction, self.0.model.id)
    }

    /// Revision number: 1 when created, raised by every change; what `expectedVersion`
    /// of a mutation is compared with.
    async fn version(&self) -> i32 {
        self.0.model.version
    }

    /// Stable human-readable key (as in the import format, and what case and organisation
    /// mutations name it by).
    async fn slug(&self) -> &str {
        &self.0.model.slug
    }

    /// What kind of measure this is.
    async fn kind(&self) -> FollowUpActionKind {
        self.0.model.kind.into()
    }

    /// Title in the resolved locale.
    async fn title(&self, context: &Context<'_>) -> String {
        pick(context, &self.0.translations).map(|text| text.title.clone()).unwrap_or_default()
    }

    /// Description in the resolved locale, when there is one (Markdown).
    async fn description(&self, context: &Context<'_>) -> Option<String> {
        pick(context, &self.0.translations).and_then(|text| text.description.clone())
    }

    /// The description rendered as HTML, sanitised as `Case.bodyHtml` is.
    async fn description_html(&self, context: &Context<'_>) -> Option<String> {
        pick(context, &self.0.translations).and_then(|text| text.description.as_deref()).map(to_safe_html)
    }

    /// Progress.
    async fn status(&self) -> FollowUpActionStatus {
        self.0.model.status.into()
    }

    /// First day, `YYYY-MM-DD`, when known.
    async fn starts_on(&self) -> Option<String> {
        self.0.model.starts_on.map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// Last day, `YYYY-MM-DD`, when known.
    async fn ends_on(&self) -> Option<String> {
        self.0.model.ends_on.map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// Where it takes place, when known.
    async fn place(&self) -> Option<&str> {
        self.0.model.place.as_deref()
    }

    /// The organisation running it, when known.
    async fn organiser(&self, context: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(organiser_id) = self.0.model.organiser_id else { return Ok(None) };
        let loaders = context.data::<Loaders>()?;
        Ok(load(&loaders.organisations, organiser_id).await?.map(Organisation))
    }

    /// The collection it was announced with, when known.
    async fn collection(&self, context: &Context<'_>) -> Result<Option<Collection>> {
        let Some(collection_id) = self.0.model.collection_id else { return Ok(None) };
        let loaders = context.data::<Loaders>()?;
        Ok(load(&loaders.collections, collection_id).await?.map(Collection))
    }

    /// The cases it concerns, newest first (default: published only).
    #[graphql(directive = list_size::apply(Some(TYPICAL_CASES_PER_ACTION), None, None))]
    async fn cases(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Statuses of the cases to list (default: [PUBLISHED]); DRAFT and ARCHIVED \
                          need the read:drafts scope.")]
        statuses: Option<Vec<CaseStatus>>,
    ) -> Result<Vec<Case>> {
        let statuses = StatusSet::of(&Access::of(context).listed_statuses(statuses)?);
        let loaders = context.data::<Loaders>()?;
        let key = (self.0.model.id, statuses);
        let cases = load(&loaders.follow_up_action_cases, key).await?.unwrap_or_default();
        Ok(cases.iter().map(|record| Case::new(Arc::new(record.clone()))).collect())
    }

    /// Synthetic demo data, not a real action.
    async fn is_sample(&self) -> bool {
        self.0.model.is_sample
    }

    /// The locale actually used for this object's texts (after fallback).
    pub async fn locale(&self, context: &Context<'_>) -> String {
        shown_locale(context, &self.0.translations)
    }

    /// Writing direction of `locale`.
    pub async fn direction(&self, context: &Context<'_>) -> TextDirection {
        shown_direction(context, &self.0.translations)
    }

    /// Every locale this object has texts in, sorted.
    pub async fn available_locales(&self) -> Vec<String> {
        available(&self.0.translations)
    }
}
