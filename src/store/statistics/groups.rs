//! How each statistic reads the filtered cases: which tables it joins to `cases`, what it
//! groups by, how it counts and orders. The case filter itself is already on the statement.

use entity::{case, case_country, case_organisation, case_tag, follow_up_action, follow_up_action_case, tag};
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, SelectStatement};

use super::months::{DateField, month_of};
use super::{COUNT, Distinct, KEY};

/// A group-by of the filtered cases (or of what they link to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// By `cases.category_id`.
    Category,
    /// By `cases.collection_id`.
    Collection,
    /// By `cases.industry_chain_link` (the `organisationTypes` filter's meaning).
    OrganisationType,
    /// By country covered; the `limit` largest.
    Country { limit: u64 },
    /// By tag; the `limit` largest.
    Tag { limit: u64 },
    /// By UTC month of a timestamp, oldest first.
    Month(DateField),
    /// Distinct linked follow-up actions by kind.
    FollowUpActionKind,
    /// Distinct linked follow-up actions by status.
    FollowUpActionStatus,
}

fn cases(column: case::Column) -> Expr {
    Expr::col((case::Entity, column))
}

fn join_countries(select: &mut SelectStatement) {
    select.inner_join(
        case_country::Entity,
        Expr::col((case_country::Entity, case_country::Column::CaseId))
            .equals((case::Entity, case::Column::Id)),
    );
}

fn join_follow_up_action_links(select: &mut SelectStatement) {
    select.inner_join(
        follow_up_action_case::Entity,
        Expr::col((follow_up_action_case::Entity, follow_up_action_case::Column::CaseId))
            .equals((case::Entity, case::Column::Id)),
    );
}

fn join_follow_up_actions(select: &mut SelectStatement) {
    join_follow_up_action_links(select);
    select.inner_join(
        follow_up_action::Entity,
        Expr::col((follow_up_action::Entity, follow_up_action::Column::Id))
            .equals((follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId)),
    );
}

/// Adds `COUNT(DISTINCT …)` of the linked items to a statement over the filtered cases.
pub(super) fn distinct(select: &mut SelectStatement, distinct: Distinct) {
    let counted = match distinct {
        Distinct::Organisations => {
            select.inner_join(
                case_organisation::Entity,
                Expr::col((case_organisation::Entity, case_organisation::Column::CaseId))
                    .equals((case::Entity, case::Column::Id)),
            );
            Expr::col((case_organisation::Entity, case_organisation::Column::OrganisationId))
        }
        Distinct::Countries => {
            join_countries(select);
            Expr::col((case_country::Entity, case_country::Column::CountryCode))
        }
        Distinct::FollowUpActions => {
            join_follow_up_action_links(select);
            Expr::col((follow_up_action_case::Entity, follow_up_action_case::Column::FollowUpActionId))
        }
    };
    select.expr_as(counted.count_distinct(), Alias::new(COUNT));
}

impl Group {
    /// Joins, key, count, grouping, order and limit of this group-by.
    pub(super) fn apply(self, select: &mut SelectStatement, backend: DatabaseBackend) {
        // Case-level groups count rows of `cases` (or of a link table whose key includes
        // the case): each case once per group. Follow-up actions count distinct actions.
        let mut count = Expr::col((case::Entity, case::Column::Id)).count();
        let key = match self {
            Self::Category => cases(case::Column::CategoryId),
            Self::Collection => cases(case::Column::CollectionId),
            Self::OrganisationType => {
                select.and_where(cases(case::Column::IndustryChainLink).is_not_null());
                cases(case::Column::IndustryChainLink)
            }
            Self::Country { .. } => {
                join_countries(select);
                Expr::col((case_country::Entity, case_country::Column::CountryCode))
            }
            Self::Tag { .. } => {
                select.inner_join(
                    case_tag::Entity,
                    Expr::col((case_tag::Entity, case_tag::Column::CaseId))
                        .equals((case::Entity, case::Column::Id)),
                );
                select.inner_join(
                    tag::Entity,
                    Expr::col((tag::Entity, tag::Column::Id))
                        .equals((case_tag::Entity, case_tag::Column::TagId)),
                );
                Expr::col((tag::Entity, tag::Column::Name))
            }
            Self::Month(field) => {
                select.and_where(cases(field.column()).is_not_null());
                month_of(backend, field)
            }
            Self::FollowUpActionKind | Self::FollowUpActionStatus => {
                join_follow_up_actions(select);
                count = Expr::col((follow_up_action::Entity, follow_up_action::Column::Id)).count_distinct();
                let column = if self == Self::FollowUpActionKind {
                    follow_up_action::Column::Kind
                } else {
                    follow_up_action::Column::Status
                };
                Expr::col((follow_up_action::Entity, column))
            }
        };
        select.expr_as(key.clone(), Alias::new(KEY)).expr_as(count, Alias::new(COUNT)).add_group_by([key]);
        match self {
            Self::Month(_) => {
                select.order_by(Alias::new(KEY), Order::Asc);
            }
            _ => {
                select.order_by(Alias::new(COUNT), Order::Desc).order_by(Alias::new(KEY), Order::Asc);
            }
        }
        if let Self::Country { limit } | Self::Tag { limit } = self {
            select.limit(limit);
        }
    }
}
