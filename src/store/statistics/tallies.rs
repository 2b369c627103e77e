//! Statistics read from the rollups (`case_tally`, see [`rollups`](crate::store::rollups))
//! instead of the base tables, when the filter is one they keep: statuses, and at most one
//! of categories, collections (their categories' rows) or a single country. Each statement reads the rollup rows of
//! one scope and dimension, a few hundred at most for a group-by, and returns the same
//! columns, order and limits as the statement over the base tables.

use entity::enums::CaseStatus;
use entity::{category, collection, follow_up_action};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ActiveEnum, EntityName};

use super::groups::Group;
use super::months::DateField;
use super::{COUNT, Distinct, KEY};
use crate::store::cases::CaseFilter;
use crate::store::rollups::{Dimension, Scope};

fn column(name: &str) -> Expr {
    Expr::col((Alias::new("case_tally"), Alias::new(name)))
}

/// Which scope keys a filter names.
#[derive(Clone, Debug, PartialEq)]
enum Keys {
    /// The one key of the `all` scope.
    Everything,
    /// Ids or codes, as stored.
    Stored(Vec<String>),
    /// The categories with these slugs (in any collection).
    CategorySlugs(Vec<String>),
    /// The categories of the collections with these slugs.
    CollectionSlugs(Vec<String>),
    /// The categories of the collection with this id.
    CollectionId(i64),
}

/// The rollup rows a filter reads: one scope, its keys, the statuses.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TallyScope {
    scope: Scope,
    keys: Keys,
    statuses: Vec<CaseStatus>,
}

impl TallyScope {
    /// The rollup rows that answer `filter`, when it is one the rollups keep.
    pub(super) fn of(filter: &CaseFilter) -> Option<Self> {
        let CaseFilter {
            collections,
            categories,
            organisation_types,
            organisations,
            countries,
            statuses,
            tags,
            sourcing_methods,
            published_after,
            published_before,
            updated_since,
            is_sample,
            search,
            collection_id,
            category_id,
            organisation_id,
            case_ids,
        } = filter;
        let unkept = organisation_types.is_some()
            || organisations.is_some()
            || tags.is_some()
            || sourcing_methods.is_some()
            || published_after.is_some()
            || published_before.is_some()
            || updated_since.is_some()
            || is_sample.is_some()
            || search.is_some()
            || organisation_id.is_some()
            || case_ids.is_some();
        if unkept {
            return None;
        }
        let mut scopes = Vec::new();
        if let Some(slugs) = categories {
            scopes.push((Scope::Category, Keys::CategorySlugs(slugs.clone())));
        }
        if let Some(slugs) = collections {
            scopes.push((Scope::Category, Keys::CollectionSlugs(slugs.clone())));
        }
        if let Some(codes) = countries {
            // Cases cover several countries: only one country's rows are the filter's cases.
            let [code] = codes.as_slice() else { return None };
            scopes.push((Scope::Country, Keys::Stored(vec![code.to_ascii_uppercase()])));
        }
        if let Some(id) = category_id {
            scopes.push((Scope::Category, Keys::Stored(vec![id.to_string()])));
        }
        if let Some(id) = collection_id {
            scopes.push((Scope::Category, Keys::CollectionId(*id)));
        }
        let (scope, keys) = match scopes.len() {
            0 => (Scope::All, Keys::Everything),
            1 => scopes.pop()?,
            _ => return None,
        };
        Some(Self { scope, keys, statuses: statuses.clone() })
    }

    /// `FROM case_tally WHERE` this scope, `dimension` and the statuses.
    fn rows(&self, select: &mut SelectStatement, dimension: Dimension) {
        select
            .from(Alias::new("case_tally"))
            .and_where(column("scope").eq(self.scope.code()))
            .and_where(column("dimension").eq(dimension.code()))
            .and_where(column("status").is_in(self.statuses.iter().map(ActiveEnum::to_value)));
        let categories = || {
            Query::select()
                .expr(Expr::cust("CAST(id AS TEXT)"))
                .from(Alias::new(category::Entity.table_name()))
                .to_owned()
        };
        let keys = match &self.keys {
            Keys::Everything => column("scope_key").eq(""),
            Keys::Stored(keys) => column("scope_key").is_in(keys.iter().cloned()),
            Keys::CategorySlugs(slugs) => column("scope_key").in_subquery(
                categories().and_where(Expr::col(Alias::new("slug")).is_in(slugs.iter().cloned())).to_owned(),
            ),
            Keys::CollectionSlugs(slugs) => column("scope_key").in_subquery(
                categories()
                    .and_where(
                        Expr::col(Alias::new("collection_id")).in_subquery(
                            Query::select()
                                .column(Alias::new("id"))
                                .from(Alias::new(collection::Entity.table_name()))
                                .and_where(Expr::col(Alias::new("slug")).is_in(slugs.iter().cloned()))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
            Keys::CollectionId(id) => column("scope_key").in_subquery(
                categories().and_where(Expr::col(Alias::new("collection_id")).eq(*id)).to_owned(),
            ),
        };
        select.and_where(keys);
    }

    /// The keys of `dimension` that some covered case carries.
    fn carried(&self, dimension: Dimension) -> SelectStatement {
        let mut select = Query::select();
        select.column(Alias::new("tally_key"));
        self.rows(&mut select, dimension);
        select.group_by_col(Alias::new("tally_key")).and_having(Expr::cust("SUM(tally) > 0"));
        select
    }

    /// `SELECT … AS case_count`: the number of covered cases.
    pub(super) fn total(&self) -> SelectStatement {
        let mut select = Query::select();
        select.expr_as(Expr::cust("CAST(COALESCE(SUM(tally), 0) AS BIGINT)"), Alias::new(COUNT));
        self.rows(&mut select, Dimension::Cases);
        select
    }

    /// `SELECT … AS case_count`: the number of distinct linked items.
    pub(super) fn distinct(&self, distinct: Distinct) -> SelectStatement {
        let dimension = match distinct {
            Distinct::Organisations => Dimension::Organisation,
            Distinct::Countries => Dimension::Country,
            Distinct::FollowUpActions => Dimension::FollowUpAction,
        };
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new(COUNT))
            .from_subquery(self.carried(dimension), Alias::new("carried"))
            .to_owned()
    }

    /// `SELECT … AS group_key, … AS case_count` of `group`, in its order and limit; `None`
    /// when the rollups do not keep it for this scope.
    pub(super) fn group(&self, group: Group) -> Option<SelectStatement> {
        let mut select = Query::select();
        let dimension = match group {
            Group::Category => Dimension::Category,
            Group::Collection => Dimension::Collection,
            Group::OrganisationType => Dimension::OrganisationType,
            Group::Country { .. } => Dimension::Country,
            Group::Tag { .. } => Dimension::Tag,
            Group::Month(DateField::PublishedAt) => Dimension::PublishedMonth,
            Group::Month(DateField::CreatedAt) => Dimension::CreatedMonth,
            Group::Month(DateField::UpdatedAt) => Dimension::UpdatedMonth,
            Group::FollowUpActionKind | Group::FollowUpActionStatus => {
                return Some(self.follow_up_actions(group == Group::FollowUpActionKind));
            }
        };
        if self.scope != Scope::All && !dimension.in_every_scope() {
            return None;
        }
        let key = match dimension {
            Dimension::Category | Dimension::Collection => Expr::cust("CAST(tally_key AS BIGINT)"),
            _ => Expr::col(Alias::new("tally_key")),
        };
        select
            .expr_as(key, Alias::new(KEY))
            .expr_as(Expr::cust("CAST(SUM(tally) AS BIGINT)"), Alias::new(COUNT));
        self.rows(&mut select, dimension);
        select.group_by_col(Alias::new("tally_key")).and_having(Expr::cust("SUM(tally) > 0"));
        match group {
            Group::Month(_) => {
                select.order_by(Alias::new(KEY), Order::Asc);
            }
            _ => {
                select.order_by(Alias::new(COUNT), Order::Desc).order_by(Alias::new(KEY), Order::Asc);
            }
        }
        if let Group::Country { limit } | Group::Tag { limit } = group {
            select.limit(limit);
        }
        Some(select)
    }

    /// Distinct linked follow-up actions per kind (or status), most first.
    fn follow_up_actions(&self, by_kind: bool) -> SelectStatement {
        let actions = follow_up_action::Entity;
        let key = if by_kind { follow_up_action::Column::Kind } else { follow_up_action::Column::Status };
        Query::select()
            .expr_as(Expr::col((actions, key)), Alias::new(KEY))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new(COUNT))
            .from_subquery(self.carried(Dimension::FollowUpAction), Alias::new("carried"))
            .inner_join(
                actions,
                Expr::col((actions, follow_up_action::Column::Id))
                    .eq(Expr::cust("CAST(carried.tally_key AS BIGINT)")),
            )
            .add_group_by([Expr::col((actions, key))])
            .order_by(Alias::new(COUNT), Order::Desc)
            .order_by(Alias::new(KEY), Order::Asc)
            .to_owned()
    }
}
