//! Organisation mutations (scope `write`): create, change, delete when unused, merge
//! duplicates.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::editor::{Needs, editor};
use super::user_error::{UserError, user_errors};
use super::{WRITE_COST, patch, subject};
use crate::editorial::{Edited, NameText, NewOrganisation, OrganisationChanges, Problem, ProblemCode};
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, cost, list_size};
use crate::graphql::id::NodeKind;
use crate::graphql::loaders::{Loaders, load};
use crate::graphql::types::Organisation;
use crate::graphql::types::enums::OrganisationType;

/// A name and an optional description in one locale.
#[derive(Debug, InputObject)]
pub struct NameTranslationInput {
    /// Language tag such as `en`, `zh` or `ar`.
    pub locale: String,
    /// Name, 1 to 300 characters on one line.
    pub name: String,
    /// Description, at most 20,000 characters.
    pub description: Option<String>,
}

/// A new organisation.
#[derive(Debug, InputObject)]
pub struct CreateOrganisationInput {
    /// Permanent key: `a-z`, `0-9` and `-`, at most 160 characters, unused.
    pub slug: String,
    /// Link of the industrial chain it belongs to.
    #[graphql(name = "type")]
    pub organisation_type: OrganisationType,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country: Option<String>,
    /// Region, province or city (one line, at most 300 characters).
    pub region: Option<String>,
    /// An `https://` URL.
    pub website: Option<String>,
    /// Synthetic demo data.
    #[graphql(default)]
    pub is_sample: bool,
    /// Names per locale; at least one.
    pub translations: Vec<NameTranslationInput>,
}

/// Changes to an organisation. A field left out keeps its value; `null` clears it.
#[derive(Debug, InputObject)]
pub struct UpdateOrganisationInput {
    /// The organisation's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// Link of the industrial chain.
    #[graphql(name = "type")]
    pub organisation_type: Option<OrganisationType>,
    /// ISO 3166-1 alpha-2 code.
    pub country: MaybeUndefined<String>,
    /// Region, province or city.
    pub region: MaybeUndefined<String>,
    /// An `https://` URL.
    pub website: MaybeUndefined<String>,
    /// Texts to set, each replacing the whole text of its locale.
    #[graphql(default)]
    pub translations: Vec<NameTranslationInput>,
    /// Locales whose text to remove.
    #[graphql(default)]
    pub remove_translations: Vec<String>,
}

/// An organisation, at the version the caller last read.
#[derive(Debug, InputObject)]
pub struct OrganisationVersionInput {
    /// The organisation's `id`.
    pub id: ID,
    /// The `version` the caller last read.
    pub expected_version: i32,
}

/// Duplicates to fold into one organisation.
#[derive(Debug, InputObject)]
pub struct MergeOrganisationsInput {
    /// The organisation kept.
    pub keep_id: ID,
    /// The `version` of the kept organisation the caller last read.
    pub expected_version: i32,
    /// The duplicates: every case and follow-up action naming one names the kept
    /// organisation instead, then they are deleted.
    pub merge_ids: Vec<ID>,
}

/// The organisation as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct OrganisationPayload {
    /// The organisation; null when there are `userErrors`.
    pub organisation: Option<Organisation>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The organisation deleted.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct DeleteOrganisationPayload {
    /// The `id` it had; null when there are `userErrors`.
    pub deleted_organisation_id: Option<ID>,
    /// Problems with the input (`IN_USE` names what still refers to it); nothing was
    /// deleted when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The organisation kept, and those merged into it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct MergeOrganisationsPayload {
    /// The organisation kept; null when there are `userErrors`.
    pub organisation: Option<Organisation>,
    /// The `id`s the merged duplicates had.
    pub merged_organisation_ids: Vec<ID>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The input's translations for an editor.
pub fn name_texts(inputs: Vec<NameTranslationInput>) -> Vec<NameText> {
    inputs
        .into_iter()
        .map(|input| NameText { locale: input.locale, name: input.name, description: input.description })
        .collect()
}

/// The organisation a committed write left, for its payload.
async fn organisation(context: &Context<'_>, id: i64) -> async_graphql::Result<Option<Organisation>> {
    let loaders = context.data::<Loaders>()?;
    Ok(super::after_write(context, "organisation", load(&loaders.organisations, id).await).map(Organisation))
}

async fn payload(context: &Context<'_>, outcome: Edited<i64>) -> async_graphql::Result<OrganisationPayload> {
    Ok(match outcome {
        Err(problems) => OrganisationPayload { organisation: None, user_errors: user_errors(problems) },
        Ok(id) => {
            OrganisationPayload { organisation: organisation(context, id).await?, user_errors: Vec::new() }
        }
    })
}

/// The organisation mutations.
#[derive(Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    /// Creates an organisation (scope `write`).
    async fn create_organisation(
        &self,
        context: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> async_graphql::Result<OrganisationPayload> {
        let editor = editor(context, "createOrganisation", Needs::Write)?;
        let new = NewOrganisation {
            slug: input.slug,
            organisation_type: Some(input.organisation_type.into()),
            country: input.country,
            region: input.region,
            website: input.website,
            is_sample: input.is_sample,
            translations: name_texts(input.translations),
        };
        let outcome = editor.create_organisation(new).await?;
        payload(context, outcome).await
    }

    /// Changes an organisation (scope `write`).
    async fn update_organisation(
        &self,
        context: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> async_graphql::Result<OrganisationPayload> {
        let editor = editor(context, "updateOrganisation", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::Organisation) {
            None => Err(vec![Problem::not_found("id", "organisation")]),
            Some(id) => {
                let changes = OrganisationChanges {
                    organisation_type: input.organisation_type.map(Into::into),
                    country: patch(input.country),
                    region: patch(input.region),
                    website: patch(input.website),
                    translations: name_texts(input.translations),
                    remove_translations: input.remove_translations,
                };
                editor.update_organisation(id, input.expected_version, changes).await?
            }
        };
        payload(context, outcome).await
    }

    /// Deletes an organisation no case or follow-up action refers to (scope `write`); one
    /// still referred to is refused with `IN_USE`, naming the referrers.
    async fn delete_organisation(
        &self,
        context: &Context<'_>,
        input: OrganisationVersionInput,
    ) -> async_graphql::Result<DeleteOrganisationPayload> {
        let editor = editor(context, "deleteOrganisation", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::Organisation) {
            None => Err(vec![Problem::not_found("id", "organisation")]),
            Some(id) => editor.delete_organisation(id, input.expected_version).await?,
        };
        Ok(match outcome {
            Ok(_) => {
                DeleteOrganisationPayload { deleted_organisation_id: Some(input.id), user_errors: Vec::new() }
            }
            Err(problems) => DeleteOrganisationPayload {
                deleted_organisation_id: None,
                user_errors: user_errors(problems),
            },
        })
    }

    /// Merges duplicate organisations into one, in one transaction (scope `write`): every
    /// case and follow-up action naming a duplicate names the kept one instead (a case
    /// naming both keeps one link, LEAD if either was), then the duplicates are deleted.
    async fn merge_organisations(
        &self,
        context: &Context<'_>,
        input: MergeOrganisationsInput,
    ) -> async_graphql::Result<MergeOrganisationsPayload> {
        let editor = editor(context, "mergeOrganisations", Needs::Write)?;
        let mut problems = Vec::new();
        let mut duplicates = Vec::with_capacity(input.merge_ids.len());
        for (index, id) in input.merge_ids.iter().enumerate() {
            match subject(id, NodeKind::Organisation) {
                Some(id) => duplicates.push(id),
                None => problems.push(Problem::at(
                    &["mergeIds".to_owned(), index.to_string()],
                    ProblemCode::NotFound,
                    "no organisation has this id",
                )),
            }
        }
        let keep = subject(&input.keep_id, NodeKind::Organisation);
        if keep.is_none() {
            problems.push(Problem::not_found("keepId", "organisation"));
        }
        let outcome = match keep {
            Some(keep) if problems.is_empty() => {
                editor.merge_organisations(keep, input.expected_version, duplicates).await?
            }
            _ => Err(problems),
        };
        Ok(match outcome {
            Ok(id) => MergeOrganisationsPayload {
                organisation: organisation(context, id).await?,
                merged_organisation_ids: input.merge_ids,
                user_errors: Vec::new(),
            },
            Err(problems) => MergeOrganisationsPayload {
                organisation: None,
                merged_organisation_ids: Vec::new(),
                user_errors: user_errors(problems.into_iter().map(rename_keep).collect()),
            },
        })
    }
}

/// The editor names the kept organisation `id`; the input calls it `keepId`.
fn rename_keep(mut problem: Problem) -> Problem {
    if problem.path == ["id"] {
        problem.path = vec!["keepId".to_owned()];
    }
    problem
}
