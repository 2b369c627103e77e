//! Statistics over the cases a filter covers, for dashboards: totals, distinct counts and
//! group-bys. When the rollups keep the filter ([`tallies`]), each reads them; otherwise each
//! is one SQL statement that returns only its groups (never the cases), and
//! each starts from [`CaseFilter::restrict`], the same `FROM cases [JOIN search] WHERE …`
//! as `cases(filter)`, so a statistic and the matching list always agree.
//!
//! - [`groups`]: how each group-by is written
//! - [`months`]: the UTC `YYYY-MM` of a timestamp, in each engine's dialect
//! - [`tallies`]: the same answers read from the rollups, for the filters they keep

mod groups;
mod months;
mod tallies;

use entity::enums::{FollowUpActionKind, FollowUpActionStatus, OrganisationType};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ActiveEnum, ConnectionTrait, TryGetable};

pub use self::groups::Group;
pub use self::months::DateField;
use self::tallies::TallyScope;
use super::Store;
use super::cases::CaseFilter;
use crate::error::{Error, Result};

/// Column alias of a group's key.
const KEY: &str = "group_key";
/// Column alias of a count.
const COUNT: &str = "case_count";

/// Groups of one group-by: each key with its number, in the group's order.
pub type Counts<K> = Vec<(K, u64)>;

/// What a distinct count counts, among everything linked to the filtered cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Distinct {
    /// Organisations involved (lead or partner).
    Organisations,
    /// Countries covered.
    Countries,
    /// Follow-up actions the cases are linked to.
    FollowUpActions,
}

fn count_of(row: &sea_orm::QueryResult) -> Result<u64> {
    let count: i64 = row.try_get("", COUNT)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

impl Store {
    /// Number of cases `filter` covers (the `totalCount` of `cases(filter)`).
    pub async fn statistics_case_count(&self, filter: &CaseFilter) -> Result<u64> {
        if let Some(tallies) = TallyScope::of(filter) {
            return self.single_count(&tallies.total()).await;
        }
        let mut select = Query::select();
        select
            .expr_as(Expr::col((entity::case::Entity, entity::case::Column::Id)).count(), Alias::new(COUNT));
        filter.restrict(&mut select, self.backend())?;
        self.single_count(&select).await
    }

    /// Number of distinct organisations, countries or follow-up actions linked to the cases
    /// `filter` covers.
    pub async fn statistics_distinct_count(&self, filter: &CaseFilter, distinct: Distinct) -> Result<u64> {
        if let Some(tallies) = TallyScope::of(filter) {
            return self.single_count(&tallies.distinct(distinct)).await;
        }
        let mut select = Query::select();
        filter.restrict(&mut select, self.backend())?;
        groups::distinct(&mut select, distinct);
        self.single_count(&select).await
    }

    /// Cases per category id, most first (ties by id).
    pub async fn cases_by_category(&self, filter: &CaseFilter) -> Result<Counts<i64>> {
        self.group_counts(filter, Group::Category).await
    }

    /// Cases per collection id, most first (ties by id).
    pub async fn cases_by_collection(&self, filter: &CaseFilter) -> Result<Counts<i64>> {
        self.group_counts(filter, Group::Collection).await
    }

    /// Cases per industry-chain link (cases without one are left out), most first (ties by
    /// code).
    pub async fn cases_by_organisation_type(&self, filter: &CaseFilter) -> Result<Counts<OrganisationType>> {
        parsed(self.group_counts::<String>(filter, Group::OrganisationType).await?)
    }

    /// The `limit` countries covered by most cases, most first (ties by ISO code).
    pub async fn cases_by_country(&self, filter: &CaseFilter, limit: u64) -> Result<Counts<String>> {
        self.group_counts(filter, Group::Country { limit }).await
    }

    /// The `limit` tags carried by most cases, most first (ties by tag).
    pub async fn cases_by_tag(&self, filter: &CaseFilter, limit: u64) -> Result<Counts<String>> {
        self.group_counts(filter, Group::Tag { limit }).await
    }

    /// Cases per UTC month (`YYYY-MM`) of `field`, oldest first; months without cases, and
    /// cases without the date (unpublished), are left out.
    pub async fn cases_by_month(&self, filter: &CaseFilter, field: DateField) -> Result<Counts<String>> {
        self.group_counts(filter, Group::Month(field)).await
    }

    /// Distinct follow-up actions linked to the cases, per kind, most first (ties by kind).
    pub async fn follow_up_actions_by_kind(&self, filter: &CaseFilter) -> Result<Counts<FollowUpActionKind>> {
        parsed(self.group_counts::<String>(filter, Group::FollowUpActionKind).await?)
    }

    /// Distinct follow-up actions linked to the cases, per status, most first (ties by
    /// status).
    pub async fn follow_up_actions_by_status(
        &self,
        filter: &CaseFilter,
    ) -> Result<Counts<FollowUpActionStatus>> {
        parsed(self.group_counts::<String>(filter, Group::FollowUpActionStatus).await?)
    }

    /// Runs one group-by of the cases `filter` covers.
    /// Answered from the rollups when they keep `filter`.
    pub async fn group_counts<K: TryGetable>(&self, filter: &CaseFilter, group: Group) -> Result<Counts<K>> {
        let select = match TallyScope::of(filter).and_then(|tallies| tallies.group(group)) {
            Some(select) => select,
            None => {
                let mut select = Query::select();
                filter.restrict(&mut select, self.backend())?;
                group.apply(&mut select, self.backend());
                select
            }
        };
        let rows = crate::store::sql::statement::query_all(self.connection(), &select).await?;
        rows.iter().map(|row| Ok((row.try_get::<K>("", KEY)?, count_of(row)?))).collect()
    }

    async fn single_count(&self, select: &SelectStatement) -> Result<u64> {
        match self.connection().query_one(select).await? {
            Some(row) => count_of(&row),
            None => Ok(0),
        }
    }
}

/// Stored vocabulary codes as their enum values; a code this build does not know is an
/// internal error (data written outside Casegraph).
fn parsed<T: ActiveEnum<Value = String>>(counts: Counts<String>) -> Result<Counts<T>> {
    counts
        .into_iter()
        .map(|(code, count)| {
            T::try_from_value(&code)
                .map(|value| (value, count))
                .map_err(|_| Error::Internal(format!("unknown stored vocabulary code `{code}`")))
        })
        .collect()
}
