//! Follow-up action mutations (scope `write`): create, change, delete, link and unlink
//! cases.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;

use super::editor::{Needs, editor};
use super::user_error::{UserError, user_errors};
use super::{WRITE_COST, patch, subject};
use crate::editorial::{Edited, FollowUpActionChanges, NewFollowUpAction, Problem, TitleText};
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, cost, list_size};
use crate::graphql::id::NodeKind;
use crate::graphql::loaders::{Loaders, load};
use crate::graphql::types::FollowUpAction;
use crate::graphql::types::enums::{FollowUpActionKind, FollowUpActionStatus};

/// A title and an optional description in one locale.
#[derive(Debug, InputObject)]
pub struct TitleTranslationInput {
    /// Language tag such as `en`, `zh` or `ar`.
    pub locale: String,
    /// Title, 1 to 300 characters on one line.
    pub title: String,
    /// Description in Markdown, at most 20,000 characters.
    pub description: Option<String>,
}

/// A new follow-up action.
#[derive(Debug, InputObject)]
pub struct CreateFollowUpActionInput {
    /// Permanent key: `a-z`, `0-9` and `-`, at most 160 characters, unused.
    pub slug: String,
    /// What kind of measure it is.
    pub kind: FollowUpActionKind,
    /// Where it stands.
    pub status: FollowUpActionStatus,
    /// First day.
    pub starts_on: Option<NaiveDate>,
    /// Last day; not before `startsOn`.
    pub ends_on: Option<NaiveDate>,
    /// Where it takes place (one line, at most 300 characters).
    pub place: Option<String>,
    /// Slug of the organising organisation.
    pub organiser: Option<String>,
    /// Slug of the collection it was announced with.
    pub collection: Option<String>,
    /// Synthetic demo data.
    #[graphql(default)]
    pub is_sample: bool,
    /// Titles per locale; at least one.
    pub translations: Vec<TitleTranslationInput>,
    /// Slugs of the cases it concerns.
    #[graphql(default)]
    pub cases: Vec<String>,
}

/// Changes to a follow-up action. A field left out keeps its value; `null` clears it.
#[derive(Debug, InputObject)]
pub struct UpdateFollowUpActionInput {
    /// The action's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// What kind of measure it is.
    pub kind: Option<FollowUpActionKind>,
    /// Where it stands.
    pub status: Option<FollowUpActionStatus>,
    /// First day.
    pub starts_on: MaybeUndefined<NaiveDate>,
    /// Last day.
    pub ends_on: MaybeUndefined<NaiveDate>,
    /// Where it takes place.
    pub place: MaybeUndefined<String>,
    /// Slug of the organising organisation.
    pub organiser: MaybeUndefined<String>,
    /// Slug of the collection it was announced with.
    pub collection: MaybeUndefined<String>,
    /// Texts to set, each replacing the whole text of its locale.
    #[graphql(default)]
    pub translations: Vec<TitleTranslationInput>,
    /// Locales whose text to remove.
    #[graphql(default)]
    pub remove_translations: Vec<String>,
}

/// A follow-up action, at the version the caller last read.
#[derive(Debug, InputObject)]
pub struct FollowUpActionVersionInput {
    /// The action's `id`.
    pub id: ID,
    /// The `version` the caller last read.
    pub expected_version: i32,
}

/// Cases to link to, or unlink from, a follow-up action.
#[derive(Debug, InputObject)]
pub struct FollowUpActionCasesInput {
    /// The action's `id`.
    pub id: ID,
    /// The `version` the caller last read.
    pub expected_version: i32,
    /// Slugs of the cases.
    pub cases: Vec<String>,
}

/// The follow-up action as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct FollowUpActionPayload {
    /// The action; null when there are `userErrors`.
    pub follow_up_action: Option<FollowUpAction>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The follow-up action deleted.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct DeleteFollowUpActionPayload {
    /// The `id` it had; null when there are `userErrors`.
    pub deleted_follow_up_action_id: Option<ID>,
    /// Problems with the input; nothing was deleted when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

fn title_texts(inputs: Vec<TitleTranslationInput>) -> Vec<TitleText> {
    inputs
        .into_iter()
        .map(|input| TitleText { locale: input.locale, title: input.title, description: input.description })
        .collect()
}

async fn payload(
    context: &Context<'_>,
    outcome: Edited<i64>,
) -> async_graphql::Result<FollowUpActionPayload> {
    Ok(match outcome {
        Err(problems) => FollowUpActionPayload { follow_up_action: None, user_errors: user_errors(problems) },
        Ok(id) => {
            let loaders = context.data::<Loaders>()?;
            let action =
                super::after_write(context, "followUpAction", load(&loaders.follow_up_actions, id).await)
                    .map(FollowUpAction);
            FollowUpActionPayload { follow_up_action: action, user_errors: Vec::new() }
        }
    })
}

/// The follow-up action mutations.
#[derive(Default)]
pub struct FollowUpActionMutations;

impl FollowUpActionMutations {
    async fn link(
        context: &Context<'_>,
        action: &str,
        input: FollowUpActionCasesInput,
        link: bool,
    ) -> async_graphql::Result<FollowUpActionPayload> {
        let editor = editor(context, action, Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::FollowUpAction) {
            None => Err(vec![Problem::not_found("id", "follow-up action")]),
            Some(id) => editor.link_cases(id, input.expected_version, input.cases, link).await?,
        };
        payload(context, outcome).await
    }
}

#[Object]
impl FollowUpActionMutations {
    /// Creates a follow-up action (scope `write`).
    async fn create_follow_up_action(
        &self,
        context: &Context<'_>,
        input: CreateFollowUpActionInput,
    ) -> async_graphql::Result<FollowUpActionPayload> {
        let editor = editor(context, "createFollowUpAction", Needs::Write)?;
        let new = NewFollowUpAction {
            slug: input.slug,
            kind: Some(input.kind.into()),
            status: Some(input.status.into()),
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            place: input.place,
            organiser: input.organiser,
            collection: input.collection,
            is_sample: input.is_sample,
            translations: title_texts(input.translations),
            cases: input.cases,
        };
        let outcome = editor.create_follow_up_action(new).await?;
        payload(context, outcome).await
    }

    /// Changes a follow-up action (scope `write`).
    async fn update_follow_up_action(
        &self,
        context: &Context<'_>,
        input: UpdateFollowUpActionInput,
    ) -> async_graphql::Result<FollowUpActionPayload> {
        let editor = editor(context, "updateFollowUpAction", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::FollowUpAction) {
            None => Err(vec![Problem::not_found("id", "follow-up action")]),
            Some(id) => {
                let changes = FollowUpActionChanges {
                    kind: input.kind.map(Into::into),
                    status: input.status.map(Into::into),
                    starts_on: patch(input.starts_on),
                    ends_on: patch(input.ends_on),
                    place: patch(input.place),
                    organiser: patch(input.organiser),
                    collection: patch(input.collection),
                    translations: title_texts(input.translations),
                    remove_translations: input.remove_translations,
                };
                editor.update_follow_up_action(id, input.expected_version, changes).await?
            }
        };
        payload(context, outcome).await
    }

    /// Deletes a follow-up action and its case links (scope `write`).
    async fn delete_follow_up_action(
        &self,
        context: &Context<'_>,
        input: FollowUpActionVersionInput,
    ) -> async_graphql::Result<DeleteFollowUpActionPayload> {
        let editor = editor(context, "deleteFollowUpAction", Needs::Write)?;
        let outcome = match subject(&input.id, NodeKind::FollowUpAction) {
            None => Err(vec![Problem::not_found("id", "follow-up action")]),
            Some(id) => editor.delete_follow_up_action(id, input.expected_version).await?,
        };
        Ok(match outcome {
            Ok(_) => DeleteFollowUpActionPayload {
                deleted_follow_up_action_id: Some(input.id),
                user_errors: Vec::new(),
            },
            Err(problems) => DeleteFollowUpActionPayload {
                deleted_follow_up_action_id: None,
                user_errors: user_errors(problems),
            },
        })
    }

    /// Links cases to a follow-up action (scope `write`); a case already linked stays so.
    async fn link_follow_up_action_cases(
        &self,
        context: &Context<'_>,
        input: FollowUpActionCasesInput,
    ) -> async_graphql::Result<FollowUpActionPayload> {
        Self::link(context, "linkFollowUpActionCases", input, true).await
    }

    /// Unlinks cases from a follow-up action (scope `write`).
    async fn unlink_follow_up_action_cases(
        &self,
        context: &Context<'_>,
        input: FollowUpActionCasesInput,
    ) -> async_graphql::Result<FollowUpActionPayload> {
        Self::link(context, "unlinkFollowUpActionCases", input, false).await
    }
}
