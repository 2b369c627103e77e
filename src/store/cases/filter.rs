//! One translation of a case filter into SQL, shared by lists, counts and statistics.

use chrono::{DateTime, Utc};
use entity::enums::{CaseStatus, OrganisationType, SourcingMethod};
use entity::{case, case_country, case_organisation, case_tag, category, collection, organisation, tag};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};

/// Which cases a list, count or statistic covers. `None` keys do not constrain; list keys
/// match any of their values (an empty list matches nothing), except `tags`, which must all
/// be present.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFilter {
    pub collections: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
    /// Matches the case's industry-chain link.
    pub organisation_types: Option<Vec<OrganisationType>>,
    pub organisations: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub statuses: Vec<CaseStatus>,
    pub tags: Option<Vec<String>>,
    pub sourcing_methods: Option<Vec<SourcingMethod>>,
    /// Published at or after (inclusive).
    pub published_after: Option<DateTime<Utc>>,
    /// Published strictly before.
    pub published_before: Option<DateTime<Utc>>,
    /// Updated at or after (inclusive).
    pub updated_since: Option<DateTime<Utc>>,
    pub is_sample: Option<bool>,
    /// Full-text query (applied by the search module, not here).
    pub search: Option<String>,
    /// Scope of a nested connection (`Collection.cases`, …).
    pub collection_id: Option<i64>,
    pub category_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Internal scopes: cases linked to these follow-up actions.
    pub case_ids: Option<Vec<i64>>,
}

impl Default for CaseFilter {
    fn default() -> Self {
        Self {
            collections: None,
            categories: None,
            organisation_types: None,
            organisations: None,
            countries: None,
            statuses: vec![CaseStatus::Published],
            tags: None,
            sourcing_methods: None,
            published_after: None,
            published_before: None,
            updated_since: None,
            is_sample: None,
            search: None,
            collection_id: None,
            category_id: None,
            organisation_id: None,
            case_ids: None,
        }
    }
}

fn cases(column: case::Column) -> Expr {
    Expr::col((case::Entity, column))
}

impl CaseFilter {
    /// The WHERE condition on the `cases` table (without the full-text part).
    pub fn condition(&self) -> Condition {
        let mut all = Condition::all();
        all =
            all.add(cases(case::Column::Status).is_in(self.statuses.iter().map(|status| status.to_value())));
        if let Some(slugs) = &self.collections {
            all = all.add(
                cases(case::Column::CollectionId).in_subquery(
                    Query::select()
                        .column(collection::Column::Id)
                        .from(collection::Entity)
                        .and_where(Expr::col(collection::Column::Slug).is_in(slugs.clone()))
                        .to_owned(),
                ),
            );
        }
        if let Some(slugs) = &self.categories {
            all = all.add(
                cases(case::Column::CategoryId).in_subquery(
                    Query::select()
                        .column(category::Column::Id)
                        .from(category::Entity)
                        .and_where(Expr::col(category::Column::Slug).is_in(slugs.clone()))
                        .to_owned(),
                ),
            );
        }
        if let Some(types) = &self.organisation_types {
            all = all.add(
                cases(case::Column::IndustryChainLink)
                    .is_in(types.iter().map(|organisation_type| organisation_type.to_value())),
            );
        }
        if let Some(slugs) = &self.organisations {
            all = all.add(
                cases(case::Column::Id).in_subquery(
                    Query::select()
                        .column((case_organisation::Entity, case_organisation::Column::CaseId))
                        .from(case_organisation::Entity)
                        .inner_join(
                            organisation::Entity,
                            Expr::col((organisation::Entity, organisation::Column::Id)).equals((
                                case_organisation::Entity,
                                case_organisation::Column::OrganisationId,
                            )),
                        )
                        .and_where(
                            Expr::col((organisation::Entity, organisation::Column::Slug))
                                .is_in(slugs.clone()),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(codes) = &self.countries {
            let codes: Vec<String> = codes.iter().map(|code| code.to_ascii_uppercase()).collect();
            all = all.add(
                cases(case::Column::Id).in_subquery(
                    Query::select()
                        .column(case_country::Column::CaseId)
                        .from(case_country::Entity)
                        .and_where(Expr::col(case_country::Column::CountryCode).is_in(codes))
                        .to_owned(),
                ),
            );
        }
        for name in self.tags.iter().flatten() {
            all = all.add(
                cases(case::Column::Id).in_subquery(
                    Query::select()
                        .column((case_tag::Entity, case_tag::Column::CaseId))
                        .from(case_tag::Entity)
                        .inner_join(
                            tag::Entity,
                            Expr::col((tag::Entity, tag::Column::Id))
                                .equals((case_tag::Entity, case_tag::Column::TagId)),
                        )
                        .and_where(Expr::col((tag::Entity, tag::Column::Name)).eq(name.clone()))
                        .to_owned(),
                ),
            );
        }
        if let Some(methods) = &self.sourcing_methods {
            all = all.add(
                cases(case::Column::SourcingMethod).is_in(methods.iter().map(|method| method.to_value())),
            );
        }
        if let Some(after) = self.published_after {
            all = all.add(cases(case::Column::PublishedAt).gte(after));
        }
        if let Some(before) = self.published_before {
            all = all.add(cases(case::Column::PublishedAt).lt(before));
        }
        if let Some(since) = self.updated_since {
            all = all.add(cases(case::Column::UpdatedAt).gte(since));
        }
        if let Some(is_sample) = self.is_sample {
            all = all.add(cases(case::Column::IsSample).eq(is_sample));
        }
        if let Some(id) = self.collection_id {
            all = all.add(cases(case::Column::CollectionId).eq(id));
        }
        if let Some(id) = self.category_id {
            all = all.add(cases(case::Column::CategoryId).eq(id));
        }
        if let Some(id) = self.organisation_id {
            all = all.add(
                cases(case::Column::Id).in_subquery(
                    Query::select()
                        .column(case_organisation::Column::CaseId)
                        .from(case_organisation::Entity)
                        .and_where(Expr::col(case_organisation::Column::OrganisationId).eq(id))
                        .to_owned(),
                ),
            );
        }
        if let Some(ids) = &self.case_ids {
            all = all.add(cases(case::Column::Id).is_in(ids.clone()));
        }
        all
    }
}
