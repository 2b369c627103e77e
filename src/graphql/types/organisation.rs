//! `Organisation`: an actor of the industrial chain.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use super::enums::OrganisationType;
use super::localised::{available, pick, shown_direction, shown_locale};
use super::{CaseConnection, Country, TextDirection};
use crate::error::Error;
use crate::graphql::connection::CaseListArguments;
use crate::graphql::id::{self, NodeKind};
use crate::graphql::inputs::{CaseFilterInput, CaseOrderInput};
use crate::graphql::loaders::{Loaders, load};
use crate::store::brief::Detail;
use crate::store::records::OrganisationRecord;

/// An organisation on the cross-border e-commerce industrial chain: a government body,
/// platform, logistics enterprise, financial institution, seller, …
#[derive(Clone, Debug)]
pub struct Organisation(pub Arc<OrganisationRecord>);

impl Organisation {
    /// The organisation read in full: itself, or read again through the loader when it was
    /// read briefly (see [`Detail::Brief`]).
    async fn full(&self, context: &Context<'_>) -> Result<Arc<OrganisationRecord>, Error> {
        if self.0.detail == Detail::Full {
            return Ok(self.0.clone());
        }
        let loaders =
            context.data::<Loaders>().map_err(|_| Error::Internal("no loaders in context".to_owned()))?;
        let id = self.0.model.id;
        load(&loaders.organisations, id)
            .await?
            .ok_or_else(|| Error::Internal(format!("organisation {id} is missing")))
    }
}

#[Object]
impl Organisation {
    /// Opaque global ID (see `Query.node`).
    pub async fn id(&self) -> ID {
        id::encode(NodeKind::Organisation, self.0.model.id)
    }

    /// Stable human-readable key.
    async fn slug(&self) -> &str {
        &self.0.model.slug
    }

    /// Name in the resolved locale.
    async fn name(&self, context: &Context<'_>) -> String {
        pick(context, &self.0.translations).map(|text| text.name.clone()).unwrap_or_default()
    }

    /// Description in the resolved locale, when there is one.
    async fn description(&self, context: &Context<'_>) -> Result<Option<String>> {
        let record = self.full(context).await?;
        Ok(pick(context, &record.translations).and_then(|text| text.description.clone()))
    }

    /// Link of the industrial chain the organisation belongs to.
    #[graphql(name = "type")]
    async fn organisation_type(&self, context: &Context<'_>) -> Result<OrganisationType> {
        Ok(self.full(context).await?.model.organisation_type.into())
    }

    /// Country of the organisation, when known.
    async fn country(&self, context: &Context<'_>) -> Result<Option<Country>> {
        Ok(self.full(context).await?.model.country.clone().map(Country))
    }

    /// Region, province or city, when known.
    async fn region(&self, context: &Context<'_>) -> Result<Option<String>> {
        Ok(self.full(context).await?.model.region.clone())
    }

    /// Website URL, when known.
    async fn website(&self, context: &Context<'_>) -> Result<Option<String>> {
        Ok(self.full(context).await?.model.website.clone())
    }

    /// Revision number: 1 when created, raised by every change; what `expectedVersion`
    /// of a mutation is compared with.
    async fn version(&self, context: &Context<'_>) -> Result<i32> {
        Ok(self.full(context).await?.model.version)
    }

    /// Synthetic demo data, not a real organisation.
    async fn is_sample(&self, context: &Context<'_>) -> Result<bool> {
        Ok(self.full(context).await?.model.is_sample)
    }

    /// Cases involving this organisation (default: published, newest first).
    #[allow(clippy::too_many_arguments)]
    async fn cases(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
        #[graphql(desc = "Which cases.")] filter: Option<CaseFilterInput>,
        #[graphql(desc = "Sort order (default: newest published first).")] order_by: Option<CaseOrderInput>,
    ) -> Result<CaseConnection> {
        let arguments = CaseListArguments { first, after, last, before, filter, order_by };
        Ok(arguments.resolve(context, |filter| filter.organisation_id = Some(self.0.model.id)).await?)
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
