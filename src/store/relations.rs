//! Batched relation reads for the per-request loaders: each function answers for many
//! parents in one statement.

use std::collections::HashMap;
use std::sync::Arc;

use entity::enums::{CaseStatus, OrganisationRole};
use entity::{
    case, case_country, case_organisation, case_tag, case_translation, follow_up_action,
    follow_up_action_case, follow_up_action_translation, organisation, organisation_translation, tag,
};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ActiveEnum, ConnectionTrait, Statement};

use super::Store;
use super::brief::{BriefOrganisation, Detail, name_optional, owned_by};
use super::cases::CaseRecord;
use super::records::{
    FollowUpActionRecord, OrganisationRecord, follow_up_action_columns, organisation_columns,
};
use super::sql::joined::{grouped, grouped_statement};
use super::sql::positional::{Cursor, Positional, select_columns};
use crate::error::Result;

/// An organisation as it takes part in a case.
#[derive(Clone, Debug)]
pub struct CaseOrganisationRecord {
    pub role: OrganisationRole,
    pub organisation: Arc<OrganisationRecord>,
}

impl Store {
    /// Organisations by id, with their texts.
    pub async fn organisations_by_ids(&self, ids: &[i64]) -> Result<Vec<OrganisationRecord>> {
        let statement = self.shapes().by_ids(self.backend(), "organisations_by_ids", ids, || {
            let mut select = Query::select();
            select.from(organisation::Entity);
            organisation_columns(&mut select, Detail::Full);
            select
                .and_where(
                    Expr::col((organisation::Entity, organisation::Column::Id)).is_in(ids.iter().copied()),
                )
                .order_by((organisation::Entity, organisation::Column::Id), Order::Asc)
                .order_by(
                    (organisation_translation::Entity, organisation_translation::Column::Locale),
                    Order::Asc,
                );
            select
        });
        let groups = grouped_statement(
            self.connection(),
            statement,
            |row| row.peek::<i64>(),
            organisation::Model::read,
            organisation_translation::Model::read_optional,
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|(_, model, translations)| OrganisationRecord { model, translations, detail: Detail::Full })
            .collect())
    }

    /// The organisation with this slug.
    pub async fn organisation_by_slug(&self, slug: &str) -> Result<Option<OrganisationRecord>> {
        let id: Option<i64> = self
            .connection()
            .query_one(
                &Query::select()
                    .column(organisation::Column::Id)
                    .from(organisation::Entity)
                    .and_where(Expr::col(organisation::Column::Slug).eq(slug))
                    .to_owned(),
            )
            .await?
            .map(|row| row.try_get("", "id"))
            .transpose()?;
        match id {
            Some(id) => Ok(self.organisations_by_ids(&[id]).await?.into_iter().next()),
            None => Ok(None),
        }
    }

    /// Follow-up actions by id, with their texts.
    pub async fn follow_up_actions_by_ids(&self, ids: &[i64]) -> Result<Vec<FollowUpActionRecord>> {
        let mut select = Query::select();
        select.from(follow_up_action::Entity);
        follow_up_action_columns(&mut select);
        select
            .and_where(
                Expr::col((follow_up_action::Entity, follow_up_action::Column::Id))
                    .is_in(ids.iter().copied()),
            )
            .order_by((follow_up_action::Entity, follow_up_action::Column::Id), Order::Asc)
            .order_by(
                (follow_up_action_translation::Entity, follow_up_action_translation::Column::Locale),
                Order::Asc,
            );
        let groups = grouped(
            self.connection(),
            &select,
            |row| row.peek::<i64>(),
            follow_up_action::Model::read,
            follow_up_action_translation::Model::read_optional,
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|(_, model, translations)| FollowUpActionRecord { model, translations })
            .collect())
    }

    /// The organisations of each case, lead first, in their stored order, read with `detail`.
    pub async fn case_organisations(
        &self,
        case_ids: &[i64],
        detail: Detail,
    ) -> Result<HashMap<i64, Vec<CaseOrganisationRecord>>> {
        let shape = match detail {
            Detail::Full => "case_organisations",
            Detail::Brief => "case_organisations_brief",
        };
        let statement = self.shapes().by_ids(self.backend(), shape, case_ids, || {
            let mut select = Query::select();
            select
                .column((case_organisation::Entity, case_organisation::Column::CaseId))
                .column((case_organisation::Entity, case_organisation::Column::Role))
                .from(case_organisation::Entity)
                .inner_join(
                    organisation::Entity,
                    Expr::col((organisation::Entity, organisation::Column::Id))
                        .equals((case_organisation::Entity, case_organisation::Column::OrganisationId)),
                );
            organisation_columns(&mut select, detail);
            select
                .and_where(
                    Expr::col((case_organisation::Entity, case_organisation::Column::CaseId))
                        .is_in(case_ids.iter().copied()),
                )
                .order_by((case_organisation::Entity, case_organisation::Column::CaseId), Order::Asc)
                .order_by((case_organisation::Entity, case_organisation::Column::Position), Order::Asc)
                .order_by((organisation::Entity, organisation::Column::Id), Order::Asc)
                .order_by(
                    (organisation_translation::Entity, organisation_translation::Column::Locale),
                    Order::Asc,
                );
            select
        });
        match detail {
            Detail::Full => {
                self.case_organisation_groups::<organisation::Model>(
                    statement,
                    detail,
                    organisation_translation::Model::read_optional,
                )
                .await
            }
            Detail::Brief => {
                self.case_organisation_groups::<BriefOrganisation>(statement, detail, name_optional).await
            }
        }
    }

    /// The organisations of each case `statement` reads, each as a `P` and its translations.
    async fn case_organisation_groups<P: Positional + Into<organisation::Model>>(
        &self,
        statement: Statement,
        detail: Detail,
        translation: impl Fn(&mut Cursor<'_>) -> Result<Option<organisation_translation::Model>>,
    ) -> Result<HashMap<i64, Vec<CaseOrganisationRecord>>> {
        let groups = grouped_statement(
            self.connection(),
            statement,
            |row| {
                let case_id: i64 = row.take()?;
                let role: OrganisationRole = row.take()?;
                Ok((case_id, role, row.peek::<i64>()?))
            },
            P::read,
            translation,
        )
        .await?;
        let mut by_case: HashMap<i64, Vec<CaseOrganisationRecord>> = HashMap::new();
        for ((case_id, role, _), model, translations) in groups {
            let model: organisation::Model = model.into();
            let translations = owned_by(model.id, translations);
            by_case.entry(case_id).or_default().push(CaseOrganisationRecord {
                role,
                organisation: Arc::new(OrganisationRecord { model, translations, detail }),
            });
        }
        Ok(by_case)
    }

    /// The country codes of each case, sorted.
    pub async fn case_countries(&self, case_ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
        let statement = self.shapes().by_ids(self.backend(), "case_countries", case_ids, || {
            Query::select()
                .columns([case_country::Column::CaseId, case_country::Column::CountryCode])
                .from(case_country::Entity)
                .and_where(Expr::col(case_country::Column::CaseId).is_in(case_ids.iter().copied()))
                .order_by(case_country::Column::CaseId, Order::Asc)
                .order_by(case_country::Column::CountryCode, Order::Asc)
                .to_owned()
        });
        let mut by_case: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self.connection().query_all_raw(statement).await? {
            by_case.entry(row.try_get("", "case_id")?).or_default().push(row.try_get("", "country_code")?);
        }
        Ok(by_case)
    }

    /// The tags of each case, sorted.
    pub async fn case_tags(&self, case_ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
        let statement = self.shapes().by_ids(self.backend(), "case_tags", case_ids, || {
            Query::select()
                .column((case_tag::Entity, case_tag::Column::CaseId))
                .column((tag::Entity, tag::Column::Name))
                .from(case_tag::Entity)
                .inner_join(
                    tag::Entity,
                    Expr::col((tag::Entity, tag::Column::Id))
                        .equals((case_tag::Entity, case_tag::Column::TagId)),
                )
                .and_where(
                    Expr::col((case_tag::Entity, case_tag::Column::CaseId)).is_in(case_ids.iter().copied()),
                )
                .order_by((case_tag::Entity, case_tag::Column::CaseId), Order::Asc)
                .order_by((tag::Entity, tag::Column::Name), Order::Asc)
                .to_owned()
        });
        let mut by_case: HashMap<i64, Vec<String>> = HashMap::new();
        for row in self.connection().query_all_raw(statement).await? {
            by_case.entry(row.try_get("", "case_id")?).or_default().push(row.try_get("", "name")?);
        }
        Ok(by_case)
    }

    /// The follow-up actions of each case, by start date then id.
    pub async fn case_follow_up_actions(
        &self,
        case_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<FollowUpActionRecord>>> {
        let mut select = Query::select();
        select
            .column((follow_up_action_case::Entity, follow_up_action_case::Column::CaseId))
            .from(follow_up_action_case::Entity)
            .inner_join(
                follow_up_action::Entity,
                Expr::col((follow_up_action::Entity, follow_up_action::Column::Id))
                    .equals((follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId)),
            );
        follow_up_action_columns(&mut select);
        select
            .and_where(
                Expr::col((follow_up_action_case::Entity, follow_up_action_case::Column::CaseId))
                    .is_in(case_ids.iter().copied()),
            )
            .order_by((follow_up_action_case::Entity, follow_up_action_case::Column::CaseId), Order::Asc)
            .order_by((follow_up_action::Entity, follow_up_action::Column::StartsOn), Order::Asc)
            .order_by((follow_up_action::Entity, follow_up_action::Column::Id), Order::Asc)
            .order_by(
                (follow_up_action_translation::Entity, follow_up_action_translation::Column::Locale),
                Order::Asc,
            );
        let groups = grouped(
            self.connection(),
            &select,
            |row| {
                let case_id: i64 = row.take()?;
                Ok((case_id, row.peek::<i64>()?))
            },
            follow_up_action::Model::read,
            follow_up_action_translation::Model::read_optional,
        )
        .await?;
        let mut by_case: HashMap<i64, Vec<FollowUpActionRecord>> = HashMap::new();
        for ((case_id, _), model, translations) in groups {
            by_case.entry(case_id).or_default().push(FollowUpActionRecord { model, translations });
        }
        Ok(by_case)
    }

    /// The cases of each follow-up action whose status is in `statuses`, newest first.
    pub async fn follow_up_action_cases(
        &self,
        action_ids: &[i64],
        statuses: &[CaseStatus],
    ) -> Result<HashMap<i64, Vec<CaseRecord>>> {
        let mut select = Query::select();
        select
            .column((follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId))
            .from(follow_up_action_case::Entity)
            .inner_join(
                case::Entity,
                Expr::col((case::Entity, case::Column::Id))
                    .equals((follow_up_action_case::Entity, follow_up_action_case::Column::CaseId)),
            )
            .left_join(
                case_translation::Entity,
                Expr::col((case_translation::Entity, case_translation::Column::CaseId))
                    .equals((case::Entity, case::Column::Id)),
            );
        select_columns::<case::Entity>(&mut select);
        select_columns::<case_translation::Entity>(&mut select);
        select
            .and_where(
                Expr::col((follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId))
                    .is_in(action_ids.iter().copied()),
            )
            .and_where(
                Expr::col((case::Entity, case::Column::Status))
                    .is_in(statuses.iter().map(ActiveEnum::to_value)),
            )
            .order_by(
                (follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId),
                Order::Asc,
            )
            .order_by((case::Entity, case::Column::PublishedAt), Order::Desc)
            .order_by((case::Entity, case::Column::Id), Order::Desc)
            .order_by((case_translation::Entity, case_translation::Column::Locale), Order::Asc);
        let groups = grouped(
            self.connection(),
            &select,
            |row| {
                let action_id: i64 = row.take()?;
                Ok((action_id, row.peek::<i64>()?))
            },
            case::Model::read,
            case_translation::Model::read_optional,
        )
        .await?;
        let mut by_action: HashMap<i64, Vec<CaseRecord>> = HashMap::new();
        for ((action_id, _), model, translations) in groups {
            by_action.entry(action_id).or_default().push(CaseRecord {
                model,
                translations,
                score: None,
                detail: Detail::Full,
            });
        }
        Ok(by_action)
    }
}
