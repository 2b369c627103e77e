//! Related cases: others sharing the category, organisations or tags of a case, ranked by
//! what they share (an organisation 3, the category 2, a tag 1), never the case itself.

use std::collections::HashMap;

use entity::enums::CaseStatus;
use sea_orm::{ActiveEnum, ConnectionTrait, Statement};

use super::Store;
use crate::error::Result;

/// Most related cases returned per case.
pub const MAX_RELATED: u32 = 20;
/// Related cases listed when `first` is not given.
pub const DEFAULT_RELATED: u32 = 5;

impl Store {
    /// For each case id, up to `first` related case ids visible with `statuses`, best first.
    pub async fn related_case_ids(
        &self,
        case_ids: &[i64],
        first: u32,
        statuses: &[CaseStatus],
    ) -> Result<HashMap<i64, Vec<i64>>> {
        if case_ids.is_empty() || first == 0 || statuses.is_empty() {
            return Ok(HashMap::new());
        }
        // Every value below is an integer or one of our own enum codes: nothing from the
        // caller is spliced into the SQL text.
        let ids = case_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let statuses =
            statuses.iter().map(|status| format!("'{}'", status.to_value())).collect::<Vec<_>>().join(", ");
        let first = first.min(MAX_RELATED);
        let sql = format!(
            "SELECT source_id, case_id FROM ( \
               SELECT candidates.source_id, candidates.case_id, \
                 ROW_NUMBER() OVER (PARTITION BY candidates.source_id \
                   ORDER BY SUM(candidates.weight) DESC, candidates.case_id DESC) AS position \
               FROM ( \
                 SELECT s.id AS source_id, c.id AS case_id, 2 AS weight FROM cases s \
                   JOIN cases c ON c.category_id = s.category_id AND c.id <> s.id WHERE s.id IN ({ids}) \
                 UNION ALL \
                 SELECT s.case_id, o.case_id, 3 FROM case_organisation s \
                   JOIN case_organisation o ON o.organisation_id = s.organisation_id AND o.case_id <> s.case_id \
                   WHERE s.case_id IN ({ids}) \
                 UNION ALL \
                 SELECT s.case_id, t.case_id, 1 FROM case_tag s \
                   JOIN case_tag t ON t.tag_id = s.tag_id AND t.case_id <> s.case_id \
                   WHERE s.case_id IN ({ids}) \
               ) candidates \
               JOIN cases related ON related.id = candidates.case_id AND related.status IN ({statuses}) \
               GROUP BY candidates.source_id, candidates.case_id \
             ) ranked WHERE position <= {first} ORDER BY source_id, position"
        );
        let rows = self.connection().query_all_raw(Statement::from_string(self.backend(), sql)).await?;
        let mut related: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in rows {
            related.entry(row.try_get("", "source_id")?).or_default().push(row.try_get("", "case_id")?);
        }
        Ok(related)
    }
}
