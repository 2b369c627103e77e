//! Follow-up action lists: filtered, ordered (start date, creation), keyset-paginated,
//! with their texts.

use std::collections::HashMap;

use entity::enums::CaseStatus;
use entity::{case, collection, follow_up_action, follow_up_action_case, follow_up_action_translation};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter, QueryOrder,
};

use super::{FollowUpActionFilter, Listing};
use crate::error::Result;
use crate::store::Store;
use crate::store::catalogue::group_by;
use crate::store::records::FollowUpActionRecord;
use crate::store::sql::page::{CursorKey, Keyset, Page, SortKind, SortValue, Window, finish_page};

/// What a follow-up action list is sorted by; `id` always breaks ties in the same direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpActionOrderField {
    /// Start date; undated actions sort lowest.
    StartsOn,
    CreatedAt,
}

/// A follow-up action ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowUpActionOrder {
    pub field: FollowUpActionOrderField,
    pub descending: bool,
}

/// A follow-up action list request: which actions, in what order.
#[derive(Clone, Debug)]
pub struct FollowUpActionListing {
    pub filter: FollowUpActionFilter,
    pub order: FollowUpActionOrder,
    /// Case statuses the caller may see: the `cases` key only matches these cases, so a
    /// filter cannot reveal a draft.
    pub visible_case_statuses: Vec<CaseStatus>,
}

fn actions(column: follow_up_action::Column) -> Expr {
    Expr::col((follow_up_action::Entity, column))
}

impl FollowUpActionOrder {
    /// The ordering a cursor is bound to.
    pub fn cursor_ordering(&self) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        match self.field {
            FollowUpActionOrderField::StartsOn => format!("follow-up-action:STARTS_ON:{direction}"),
            FollowUpActionOrderField::CreatedAt => format!("follow-up-action:CREATED_AT:{direction}"),
        }
    }

    fn keyset(&self) -> Keyset {
        let (expression, nullable, kind) = match self.field {
            FollowUpActionOrderField::StartsOn => {
                (actions(follow_up_action::Column::StartsOn), true, SortKind::Date)
            }
            FollowUpActionOrderField::CreatedAt => {
                (actions(follow_up_action::Column::CreatedAt), false, SortKind::Time)
            }
        };
        Keyset {
            expression,
            id: actions(follow_up_action::Column::Id),
            nullable,
            kind,
            descending: self.descending,
        }
    }

    fn key_of(&self, model: &follow_up_action::Model) -> CursorKey {
        let value = match self.field {
            FollowUpActionOrderField::StartsOn => model
                .starts_on
                .map_or(SortValue::Null, |date| SortValue::Text(date.format("%Y-%m-%d").to_string())),
            FollowUpActionOrderField::CreatedAt => SortValue::time(Some(model.created_at)),
        };
        CursorKey { value, id: model.id }
    }
}

impl FollowUpActionListing {
    /// The WHERE condition on the `follow_up_action` table.
    fn condition(&self) -> Condition {
        let filter = &self.filter;
        let mut all = Condition::all();
        if let Some(kinds) = &filter.kinds {
            all = all
                .add(actions(follow_up_action::Column::Kind).is_in(kinds.iter().map(ActiveEnum::to_value)));
        }
        if let Some(statuses) = &filter.statuses {
            all = all.add(
                actions(follow_up_action::Column::Status).is_in(statuses.iter().map(ActiveEnum::to_value)),
            );
        }
        if let Some(slugs) = &filter.collections {
            all = all.add(
                actions(follow_up_action::Column::CollectionId).in_subquery(
                    Query::select()
                        .column(collection::Column::Id)
                        .from(collection::Entity)
                        .and_where(Expr::col(collection::Column::Slug).is_in(slugs.clone()))
                        .to_owned(),
                ),
            );
        }
        if let Some(slugs) = &filter.cases {
            all = all.add(
                actions(follow_up_action::Column::Id).in_subquery(
                    Query::select()
                        .column((
                            follow_up_action_case::Entity,
                            follow_up_action_case::Column::FollowUpActionId,
                        ))
                        .from(follow_up_action_case::Entity)
                        .inner_join(
                            case::Entity,
                            Expr::col((case::Entity, case::Column::Id)).equals((
                                follow_up_action_case::Entity,
                                follow_up_action_case::Column::CaseId,
                            )),
                        )
                        .and_where(Expr::col((case::Entity, case::Column::Slug)).is_in(slugs.clone()))
                        .and_where(
                            Expr::col((case::Entity, case::Column::Status))
                                .is_in(self.visible_case_statuses.iter().map(ActiveEnum::to_value)),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(after) = filter.starts_after {
            all = all.add(actions(follow_up_action::Column::StartsOn).gte(after));
        }
        if let Some(before) = filter.starts_before {
            all = all.add(actions(follow_up_action::Column::StartsOn).lt(before));
        }
        all
    }
}

impl Listing for FollowUpActionListing {
    fn base(&self, select: &mut SelectStatement, _backend: DatabaseBackend) -> Result<()> {
        select.from(follow_up_action::Entity).cond_where(self.condition());
        Ok(())
    }

    fn keyset(&self) -> Keyset {
        self.order.keyset()
    }
}

impl Store {
    /// One page of follow-up actions for `listing` within `window`, with their texts.
    pub async fn follow_up_action_page(
        &self,
        listing: &FollowUpActionListing,
        window: &Window,
    ) -> Result<Page<FollowUpActionRecord>> {
        let mut select = Query::select();
        select.columns(follow_up_action::Column::iter().map(|column| (follow_up_action::Entity, column)));
        listing.base(&mut select, self.backend())?;
        let keyset = listing.order.keyset();
        keyset.bound(&mut select, window)?;
        keyset.apply(&mut select, window.backward);
        select.limit(window.limit + 1);

        let rows = crate::store::sql::statement::query_all(self.connection(), &select).await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let model = follow_up_action::Model::from_query_result(row, "")?;
            let key = listing.order.key_of(&model);
            records.push((FollowUpActionRecord { model, translations: Vec::new() }, key));
        }
        let mut page = finish_page(records, window);
        let mut texts =
            self.follow_up_action_translations(page.rows.iter().map(|(record, _)| record.model.id)).await?;
        for (record, _) in &mut page.rows {
            record.translations = texts.remove(&record.model.id).unwrap_or_default();
        }
        Ok(page)
    }

    /// Number of follow-up actions matching `listing`'s filter.
    pub async fn count_follow_up_actions(&self, listing: &FollowUpActionListing) -> Result<u64> {
        self.count_listed(listing).await
    }

    /// Whether any follow-up action of `listing` lies at or before `key`
    /// (`towards_start`), or at or after it.
    pub async fn follow_up_action_exists_beyond(
        &self,
        listing: &FollowUpActionListing,
        key: &CursorKey,
        towards_start: bool,
    ) -> Result<bool> {
        self.listed_beyond(listing, key, towards_start).await
    }

    async fn follow_up_action_translations(
        &self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, Vec<follow_up_action_translation::Model>>> {
        let ids: Vec<i64> = ids.collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = follow_up_action_translation::Entity::find()
            .filter(follow_up_action_translation::Column::FollowUpActionId.is_in(ids))
            .order_by_asc(follow_up_action_translation::Column::Locale)
            .all(self.connection())
            .await?;
        Ok(group_by(rows, |translation| translation.follow_up_action_id))
    }
}
