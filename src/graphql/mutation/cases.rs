//! Case mutations (scope `write`): create a draft, change it, move it through its
//! lifecycle, delete a draft.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::editor::{Needs, editor};
use super::user_error::{UserError, user_errors};
use super::{WRITE_COST, patch, subject};
use crate::editorial::{self, CaseChanges, Edited, NewCase, Problem, Transition};
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, cost, list_size};
use crate::graphql::id::NodeKind;
use crate::graphql::loaders::{Loaders, load};
use crate::graphql::types::Case;
use crate::graphql::types::enums::{OrganisationRole, OrganisationType, SourcingMethod};

/// A case's texts in one locale.
#[derive(Debug, InputObject)]
pub struct CaseTranslationInput {
    /// Language tag such as `en`, `zh` or `ar`.
    pub locale: String,
    /// Title, 1 to 300 characters on one line.
    pub title: String,
    /// Summary, at most 2,000 characters.
    pub summary: Option<String>,
    /// Body in Markdown, at most 200,000 bytes (rendered, sanitised, as `bodyHtml`).
    pub body: Option<String>,
}

/// An organisation involved in a case.
#[derive(Debug, InputObject)]
pub struct CaseOrganisationInput {
    /// The organisation's slug.
    pub organisation: String,
    /// Its role in the case.
    pub role: OrganisationRole,
}

/// A new case. It is created as a DRAFT (publish it with `publishCase`).
#[derive(Debug, InputObject)]
pub struct CreateCaseInput {
    /// Permanent key: `a-z`, `0-9` and `-`, at most 160 characters, unused.
    pub slug: String,
    /// Slug of its collection, e.g. `wic-cbec-2025`.
    pub collection: String,
    /// Slug of a category of that collection.
    pub category: String,
    /// Link of the industrial chain the case belongs to.
    pub industry_chain_link: Option<OrganisationType>,
    /// How the case was collected.
    pub sourcing_method: Option<SourcingMethod>,
    /// An `https://` URL.
    pub cover_image_url: Option<String>,
    /// Synthetic demo data (its titles should say so).
    #[graphql(default)]
    pub is_sample: bool,
    /// Texts per locale; one must be English (`en`).
    pub translations: Vec<CaseTranslationInput>,
    /// Organisations in display order.
    #[graphql(default)]
    pub organisations: Vec<CaseOrganisationInput>,
    /// ISO 3166-1 alpha-2 codes, upper case, each once.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Free tags, each once, at most 80 characters.
    #[graphql(default)]
    pub tags: Vec<String>,
}

/// Changes to a case. A field left out keeps its value; `null` clears an optional one;
/// a list given replaces the whole list.
#[derive(Debug, InputObject)]
pub struct UpdateCaseInput {
    /// The case's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// Slug of another category of the case's collection.
    pub category: Option<String>,
    /// Link of the industrial chain.
    pub industry_chain_link: MaybeUndefined<OrganisationType>,
    /// How the case was collected.
    pub sourcing_method: MaybeUndefined<SourcingMethod>,
    /// An `https://` URL.
    pub cover_image_url: MaybeUndefined<String>,
    /// Texts to set, each replacing the whole text of its locale.
    #[graphql(default)]
    pub translations: Vec<CaseTranslationInput>,
    /// Locales whose text to remove; `en` is never removed.
    #[graphql(default)]
    pub remove_translations: Vec<String>,
    /// The new list of organisations, in display order.
    pub organisations: Option<Vec<CaseOrganisationInput>>,
    /// The new list of country codes.
    pub countries: Option<Vec<String>>,
    /// The new list of tags.
    pub tags: Option<Vec<String>>,
}

/// A case, at the version the caller last read.
#[derive(Debug, InputObject)]
pub struct CaseVersionInput {
    /// The case's `id`.
    pub id: ID,
    /// The `version` the caller last read; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
}

/// The case as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct CasePayload {
    /// The case; null when there are `userErrors`.
    pub case: Option<Case>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The case deleted.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct DeleteCasePayload {
    /// The `id` the case had; null when there are `userErrors`.
    pub deleted_case_id: Option<ID>,
    /// Problems with the input; nothing was deleted when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

fn translation(input: CaseTranslationInput) -> editorial::CaseText {
    editorial::CaseText { locale: input.locale, title: input.title, summary: input.summary, body: input.body }
}

fn link(input: CaseOrganisationInput) -> editorial::CaseLink {
    editorial::CaseLink { organisation: input.organisation, role: input.role.into() }
}

/// The payload of a case change.
async fn payload(context: &Context<'_>, outcome: Edited<i64>) -> async_graphql::Result<CasePayload> {
    match outcome {
        Err(problems) => Ok(CasePayload { case: None, user_errors: user_errors(problems) }),
        Ok(id) => {
            let loaders = context.data::<Loaders>()?;
            let case = super::after_write(context, "case", load(&loaders.cases, id).await).map(Case::new);
            Ok(CasePayload { case, user_errors: Vec::new() })
        }
    }
}

/// The case mutations.
#[derive(Default)]
pub struct CaseMutations;

impl CaseMutations {
    async fn step(
        context: &Context<'_>,
        action: &str,
        input: CaseVersionInput,
        step: Transition,
    ) -> async_graphql::Result<CasePayload> {
        let editor = editor(context, action, Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::Case) {
            None => Err(vec![Problem::not_found("id", "case")]),
            Some(id) => editor.transition_case(id, input.expected_version, step).await?,
        };
        payload(context, outcome).await
    }
}

#[Object]
impl CaseMutations {
    /// Creates a case, as a DRAFT (scope `write`).
    async fn create_case(
        &self,
        context: &Context<'_>,
        input: CreateCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        let editor = editor(context, "createCase", Needs::Write)?;
        let new = NewCase {
            slug: input.slug,
            collection: input.collection,
            category: input.category,
            industry_chain_link: input.industry_chain_link.map(Into::into),
            sourcing_method: input.sourcing_method.map(Into::into),
            cover_image_url: input.cover_image_url,
            is_sample: input.is_sample,
            translations: input.translations.into_iter().map(translation).collect(),
            organisations: input.organisations.into_iter().map(link).collect(),
            countries: input.countries,
            tags: input.tags,
        };
        let outcome = editor.create_case(new).await?;
        payload(context, outcome).await
    }

    /// Changes a case's fields, texts and links (scope `write`); its status changes only
    /// through `publishCase`, `unpublishCase`, `archiveCase` and `restoreCase`.
    async fn update_case(
        &self,
        context: &Context<'_>,
        input: UpdateCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        let editor = editor(context, "updateCase", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::Case) {
            None => Err(vec![Problem::not_found("id", "case")]),
            Some(id) => {
                let changes = CaseChanges {
                    category: input.category,
                    industry_chain_link: patch(input.industry_chain_link).map(Into::into),
                    sourcing_method: patch(input.sourcing_method).map(Into::into),
                    cover_image_url: patch(input.cover_image_url),
                    translations: input.translations.into_iter().map(translation).collect(),
                    remove_translations: input.remove_translations,
                    organisations: input.organisations.map(|links| links.into_iter().map(link).collect()),
                    countries: input.countries,
                    tags: input.tags,
                };
                editor.update_case(id, input.expected_version, changes).await?
            }
        };
        payload(context, outcome).await
    }

    /// Publishes a DRAFT case (scope `write`): it is listed, searchable and counted from
    /// the next request on, with `publishedAt` now.
    async fn publish_case(
        &self,
        context: &Context<'_>,
        input: CaseVersionInput,
    ) -> async_graphql::Result<CasePayload> {
        Self::step(context, "publishCase", input, Transition::Publish).await
    }

    /// Takes a PUBLISHED case back to DRAFT (scope `write`).
    async fn unpublish_case(
        &self,
        context: &Context<'_>,
        input: CaseVersionInput,
    ) -> async_graphql::Result<CasePayload> {
        Self::step(context, "unpublishCase", input, Transition::Unpublish).await
    }

    /// Archives a DRAFT or PUBLISHED case (scope `write`): withdrawn from every list and
    /// search, kept for the record. Published cases are archived, never deleted.
    async fn archive_case(
        &self,
        context: &Context<'_>,
        input: CaseVersionInput,
    ) -> async_graphql::Result<CasePayload> {
        Self::step(context, "archiveCase", input, Transition::Archive).await
    }

    /// Brings an ARCHIVED case back as a DRAFT (scope `write`).
    async fn restore_case(
        &self,
        context: &Context<'_>,
        input: CaseVersionInput,
    ) -> async_graphql::Result<CasePayload> {
        Self::step(context, "restoreCase", input, Transition::Restore).await
    }

    /// Deletes a DRAFT case (scope `write`); follow-up actions no longer list it. A
    /// published or archived case is refused (`INVALID_TRANSITION`): archive it instead.
    async fn delete_case(
        &self,
        context: &Context<'_>,
        input: CaseVersionInput,
    ) -> async_graphql::Result<DeleteCasePayload> {
        let editor = editor(context, "deleteCase", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::Case) {
            None => Err(vec![Problem::not_found("id", "case")]),
            Some(id) => editor.delete_case(id, input.expected_version).await?,
        };
        Ok(match outcome {
            Ok(_) => DeleteCasePayload { deleted_case_id: Some(input.id), user_errors: Vec::new() },
            Err(problems) => DeleteCasePayload { deleted_case_id: None, user_errors: user_errors(problems) },
        })
    }
}
