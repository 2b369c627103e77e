//! `CaseStatistics.followUpActions`: the follow-up actions linked to the filtered cases.

use async_graphql::{Context, Object, Result};
use sea_orm::ActiveEnum;

use super::CaseStatistics;
use super::cache::Field;
use super::counts::{FollowUpActionKindCount, FollowUpActionStatusCount, int};
use super::support::{data, label};
use crate::error::Error;
use crate::graphql::cost_directives::{TYPICAL_ACTION_KINDS, TYPICAL_ACTION_STATES, list_size};
use crate::graphql::types::localised::preference;
use crate::reference::Vocabulary;
use crate::store::Store;
use crate::store::statistics::{Distinct, Group};

/// Follow-up actions linked to the filtered cases, each counted once however many of the
/// cases it is linked to.
#[derive(Clone, Debug)]
pub struct FollowUpActionStatistics(pub(super) CaseStatistics);

#[Object]
impl FollowUpActionStatistics {
    /// Number of distinct follow-up actions linked to the filtered cases.
    async fn total(&self, context: &Context<'_>) -> Result<i32> {
        Ok(int(self.0.distinct(context, Distinct::FollowUpActions).await?))
    }

    /// Those actions per kind, most first (ties by kind).
    #[graphql(directive = list_size::apply(Some(TYPICAL_ACTION_KINDS), None, None))]
    async fn by_kind(&self, context: &Context<'_>) -> Result<Vec<FollowUpActionKindCount>> {
        let store = data::<Store>(context)?;
        let locale = preference(context);
        let compute = async {
            let counts = store.follow_up_actions_by_kind(&self.0.0.filter).await?;
            counts
                .into_iter()
                .map(|(kind, count)| {
                    Ok(FollowUpActionKindCount {
                        label: label(locale, Vocabulary::FollowUpActionKind, &kind.to_value())?,
                        kind: kind.into(),
                        count: int(count),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(self.0.cached(context, Field::Group(Group::FollowUpActionKind), compute).await?)
    }

    /// Those actions per state, most first (ties by state).
    #[graphql(directive = list_size::apply(Some(TYPICAL_ACTION_STATES), None, None))]
    async fn by_status(&self, context: &Context<'_>) -> Result<Vec<FollowUpActionStatusCount>> {
        let store = data::<Store>(context)?;
        let compute = async {
            let counts = store.follow_up_actions_by_status(&self.0.0.filter).await?;
            Ok(counts
                .into_iter()
                .map(|(status, count)| FollowUpActionStatusCount { status: status.into(), count: int(count) })
                .collect::<Vec<_>>())
        };
        Ok(self.0.cached(context, Field::Group(Group::FollowUpActionStatus), compute).await?)
    }
}
