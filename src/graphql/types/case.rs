//! `Case`: a practice case of a collection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::{CaseStatus, OrganisationRole, OrganisationType, SourcingMethod};
use super::localised::{available, pick, shown_direction, shown_locale};
use super::{Category, Collection, Country, FollowUpAction, Organisation, TextDirection};
use crate::error::Error;
use crate::graphql::access::Access;
use crate::graphql::cost_directives::{
    TYPICAL_COUNTRIES, TYPICAL_FOLLOW_UP_ACTIONS, TYPICAL_ORGANISATIONS, list_size, max_items,
};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::loaders::{Loaders, StatusSet, load};
use crate::store::brief::Detail;
use crate::store::cases::CaseRecord;
use crate::store::catalogue::{CategoryRecord, CollectionRecord};
use crate::store::related::{DEFAULT_RELATED, MAX_RELATED};
use crate::store::relations::CaseOrganisationRecord;
use crate::text::to_safe_html;

/// A practice case of a collection: what an organisation did, where, with whom.
#[derive(Clone, Debug)]
pub struct Case {
    /// The case and its texts.
    pub record: Arc<CaseRecord>,
    /// Relations read ahead with the list the case came in (see `graphql::prefetch`).
    related: Related,
}

/// A case's relations read ahead; `None` where they were not, and the loaders read them.
#[derive(Clone, Debug, Default)]
pub struct Related {
    pub category: Option<Arc<CategoryRecord>>,
    pub collection: Option<Arc<CollectionRecord>>,
    pub organisations: Option<Arc<Vec<CaseOrganisationRecord>>>,
    pub countries: Option<Arc<Vec<String>>>,
    pub tags: Option<Arc<Vec<String>>>,
}

impl Case {
    /// A case whose relations the loaders will read when asked.
    pub fn new(record: Arc<CaseRecord>) -> Self {
        Self { record, related: Related::default() }
    }

    /// A case with relations read ahead.
    pub fn with_related(record: Arc<CaseRecord>, related: Related) -> Self {
        Self { record, related }
    }

    /// The case read in full: itself, or read again through the loader when it was read
    /// briefly (see [`Detail::Brief`]).
    pub async fn full(&self, context: &Context<'_>) -> Result<Arc<CaseRecord>, Error> {
        if self.record.detail == Detail::Full {
            return Ok(self.record.clone());
        }
        let loaders =
            context.data::<Loaders>().map_err(|_| Error::Internal("no loaders in context".to_owned()))?;
        let id = self.record.model.id;
        load(&loaders.cases, id).await?.ok_or_else(|| Error::Internal(format!("case {id} is missing")))
    }
}

/// An organisation taking part in a case, with its role.
#[derive(Clone, Debug, SimpleObject)]
pub struct CaseOrganisation {
    /// LEAD or PARTNER.
    pub role: OrganisationRole,
    /// The organisation.
    pub organisation: Organisation,
}

#[Object]
impl Case {
    /// Opaque global ID (see `Query.node`).
    pub async fn id(&self) -> ID {
        id::encode(NodeKind::Case, self.record.model.id)
    }

    /// Stable human-readable key for URLs.
    async fn slug(&self) -> &str {
        &self.record.model.slug
    }

    /// Title in the resolved locale.
    async fn title(&self, context: &Context<'_>) -> String {
        pick(context, &self.record.translations).map(|text| text.title.clone()).unwrap_or_default()
    }

    /// Short summary in the resolved locale.
    async fn summary(&self, context: &Context<'_>) -> Result<Option<String>> {
        let record = self.full(context).await?;
        Ok(pick(context, &record.translations).and_then(|text| text.summary.clone()))
    }

    /// Markdown.
    async fn body(&self, context: &Context<'_>) -> Result<Option<String>> {
        let record = self.full(context).await?;
        Ok(pick(context, &record.translations).and_then(|text| text.body.clone()))
    }

    /// The body rendered as HTML, sanitised: safe to insert into a page as it is (no
    /// scripts, styles, frames, event handlers or `javascript:` URLs; links get
    /// `rel="noopener noreferrer nofollow ugc"`).
    async fn body_html(&self, context: &Context<'_>) -> Result<Option<String>> {
        let record = self.full(context).await?;
        Ok(pick(context, &record.translations).and_then(|text| text.body.as_deref()).map(to_safe_html))
    }

    /// The collection (edition) the case belongs to.
    async fn collection(&self, context: &Context<'_>) -> Result<Collection> {
        if let Some(record) = &self.related.collection {
            return Ok(Collection(record.clone()));
        }
        let loaders = context.data::<Loaders>()?;
        let id = self.record.model.collection_id;
        let record = load(&loaders.collections, id).await?;
        Ok(Collection(
            record.ok_or_else(|| Error::Internal(format!("collection {id} of a case is missing")))?,
        ))
    }

    /// The category (aspect) the case is classified under.
    async fn category(&self, context: &Context<'_>) -> Result<Category> {
        if let Some(record) = &self.related.category {
            return Ok(Category(record.clone()));
        }
        let loaders = context.data::<Loaders>()?;
        let id = self.record.model.category_id;
        let record = load(&loaders.categories, id).await?;
        Ok(Category(record.ok_or_else(|| Error::Internal(format!("category {id} of a case is missing")))?))
    }

    /// The organisations involved, lead first.
    #[graphql(directive = list_size::apply(Some(TYPICAL_ORGANISATIONS), None, None))]
    async fn organisations(&self, context: &Context<'_>) -> Result<Vec<CaseOrganisation>> {
        let records = match &self.related.organisations {
            Some(records) => records.clone(),
            None => {
                let loaders = context.data::<Loaders>()?;
                load(&loaders.case_organisations, self.record.model.id).await?.unwrap_or_default()
            }
        };
        Ok(records
            .iter()
            .map(|record| CaseOrganisation {
                role: record.role.into(),
                organisation: Organisation(record.organisation.clone()),
            })
            .collect())
    }

    /// The countries the case covers, by code.
    #[graphql(directive = list_size::apply(Some(TYPICAL_COUNTRIES), None, None))]
    async fn countries(&self, context: &Context<'_>) -> Result<Vec<Country>> {
        let codes = match &self.related.countries {
            Some(codes) => codes.clone(),
            None => {
                let loaders = context.data::<Loaders>()?;
                load(&loaders.case_countries, self.record.model.id).await?.unwrap_or_default()
            }
        };
        Ok(codes.iter().cloned().map(Country).collect())
    }

    /// The link of the industrial chain this case showcases.
    async fn industry_chain_link(&self, context: &Context<'_>) -> Result<Option<OrganisationType>> {
        Ok(self.full(context).await?.model.industry_chain_link.map(Into::into))
    }

    /// How the case was collected.
    async fn sourcing_method(&self, context: &Context<'_>) -> Result<Option<SourcingMethod>> {
        Ok(self.full(context).await?.model.sourcing_method.map(Into::into))
    }

    /// Keywords, sorted.
    async fn tags(&self, context: &Context<'_>) -> Result<Vec<String>> {
        if let Some(tags) = &self.related.tags {
            return Ok(tags.to_vec());
        }
        let loaders = context.data::<Loaders>()?;
        Ok(load(&loaders.case_tags, self.record.model.id)
            .await?
            .map(|tags| tags.to_vec())
            .unwrap_or_default())
    }

    /// Cover image URL, when there is one.
    async fn cover_image_url(&self, context: &Context<'_>) -> Result<Option<String>> {
        Ok(self.full(context).await?.model.cover_image_url.clone())
    }

    /// Publication state.
    async fn status(&self) -> CaseStatus {
        self.record.model.status.into()
    }

    /// Synthetic demo data, not a real case of the collection.
    async fn is_sample(&self) -> bool {
        self.record.model.is_sample
    }

    /// When it was published; null for drafts.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.record.model.published_at
    }

    /// When it was created.
    async fn created_at(&self, context: &Context<'_>) -> Result<DateTime<Utc>> {
        Ok(self.full(context).await?.model.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self, context: &Context<'_>) -> Result<DateTime<Utc>> {
        Ok(self.full(context).await?.model.updated_at)
    }

    /// Revision number, raised by every change (for optimistic concurrency and sync).
    async fn version(&self, context: &Context<'_>) -> Result<i32> {
        Ok(self.full(context).await?.model.version)
    }

    /// Follow-up actions concerning this case, by start date.
    #[graphql(directive = list_size::apply(Some(TYPICAL_FOLLOW_UP_ACTIONS), None, None))]
    async fn follow_up_actions(&self, context: &Context<'_>) -> Result<Vec<FollowUpAction>> {
        let loaders = context.data::<Loaders>()?;
        let records = load(&loaders.case_follow_up_actions, self.record.model.id).await?.unwrap_or_default();
        Ok(records.iter().map(|record| FollowUpAction(Arc::new(record.clone()))).collect())
    }

    /// Other cases sharing this one's organisations, category or tags, most related first
    /// (default: published only).
    #[graphql(
        directive = list_size::apply(Some(DEFAULT_RELATED as i32), Some(vec!["first".to_owned()]), Some(false)),
        directive = max_items::apply(MAX_RELATED as i32)
    )]
    async fn related_cases(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "How many (default 5, at most 20).")] first: Option<i32>,
        #[graphql(desc = "Statuses of the cases to list (default: [PUBLISHED]); DRAFT and ARCHIVED \
                          need the read:drafts scope.")]
        statuses: Option<Vec<CaseStatus>>,
    ) -> Result<Vec<Case>> {
        let first = first.unwrap_or(DEFAULT_RELATED as i32);
        let first = u32::try_from(first).ok().filter(|first| *first <= MAX_RELATED).ok_or_else(|| {
            Error::BadUserInput(format!("`first` must be between 0 and {MAX_RELATED}, got {first}"))
        })?;
        let access = Access::of(context);
        let statuses = StatusSet::of(&access.listed_statuses(statuses)?);
        let loaders = context.data::<Loaders>()?;
        let ids =
            load(&loaders.related_cases, (self.record.model.id, first, statuses)).await?.unwrap_or_default();
        let found = loaders.cases.load_many(ids.iter().copied()).await.map_err(|error| error.copied())?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id))
            .filter(|record| access.can_see(record.model.status))
            .map(|record| Case::new(record.clone()))
            .collect())
    }

    /// The locale actually used for this object's texts (after fallback).
    pub async fn locale(&self, context: &Context<'_>) -> String {
        shown_locale(context, &self.record.translations)
    }

    /// Writing direction of `locale`.
    pub async fn direction(&self, context: &Context<'_>) -> TextDirection {
        shown_direction(context, &self.record.translations)
    }

    /// Every locale this object has texts in, sorted.
    pub async fn available_locales(&self) -> Vec<String> {
        available(&self.record.translations)
    }
}
