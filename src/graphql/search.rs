//! `Query.search`: one ranked list of cases, organisations and follow-up actions, with
//! highlighted snippets.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, Union};
use entity::{follow_up_action_translation, organisation_translation};

use super::access::Access;
use super::connection::{Highlight, PageInfo, case_highlights, page_info};
use super::cost_directives::{ASSUMED_HIGHLIGHTS, list_size};
use super::types::enums::CaseStatus;
use super::types::localised::{Translation, pick};
use super::types::{Case, FollowUpAction, Organisation};
use crate::error::Error;
use crate::store::Store;
use crate::store::directory::{SearchHit, SiteSearch};
use crate::store::sql::page::{Page, PageArguments, Window, encode_cursor};
use crate::text::{SearchQuery, snippet};

/// An object a search found.
#[derive(Clone, Union)]
pub enum SearchResult {
    /// A case (by default published only: see `statuses`).
    Case(Case),
    /// An organisation.
    Organisation(Organisation),
    /// A follow-up action.
    FollowUpAction(FollowUpAction),
}

/// Runs a search: `first`/`after` as in every connection; case hits have one of
/// `statuses` (default: published only).
pub async fn resolve(
    context: &Context<'_>,
    text: &str,
    first: Option<i32>,
    after: Option<String>,
    statuses: Option<Vec<CaseStatus>>,
) -> Result<SearchConnection, Error> {
    let store = context.data::<Store>().map_err(|_| Error::Internal("no store in context".to_owned()))?;
    let search = SiteSearch::new(text, Access::of(context).listed_statuses(statuses)?)?;
    let ordering = search.cursor_ordering();
    let window = crate::graphql::window(
        context,
        PageArguments { first, after, last: None, before: None, max: None },
        &ordering,
    )?;
    let page = store.search_page(&search, &window).await?.map(|record| {
        let node = match record.hit {
            SearchHit::Case(record) => SearchResult::Case(Case::new(Arc::new(record))),
            SearchHit::Organisation(record) => SearchResult::Organisation(Organisation(Arc::new(record))),
            SearchHit::FollowUpAction(record) => {
                SearchResult::FollowUpAction(FollowUpAction(Arc::new(record)))
            }
        };
        (node, record.score)
    });
    Ok(SearchConnection { store: store.clone(), search: Arc::new(search), window, page, ordering })
}

/// A page of search results, best first.
pub struct SearchConnection {
    store: Store,
    search: Arc<SiteSearch>,
    window: Window,
    page: Page<(SearchResult, f64)>,
    ordering: String,
}

/// A search result with its cursor, relevance and highlights.
pub struct SearchEdge {
    node: SearchResult,
    score: f64,
    cursor: String,
    query: Option<SearchQuery>,
}

/// A highlighted field: its public name and how to read it from a translation.
type Field<T> = (&'static str, fn(&T) -> Option<&str>);

/// The highlights of localised `fields` (name and text getter): the shown translation's
/// fields first, any other locale's where the shown one has no match; in field order.
fn localised_highlights<T: Translation>(
    context: &Context<'_>,
    translations: &[T],
    fields: &[Field<T>],
    query: &SearchQuery,
) -> Vec<Highlight> {
    let shown = pick(context, translations);
    let mut highlights: Vec<Highlight> = Vec::new();
    for translation in shown.into_iter().chain(translations.iter()) {
        for (field, text) in fields {
            if highlights.iter().any(|highlight| highlight.field == *field) {
                continue;
            }
            if let Some(snippet) = text(translation).and_then(|text| snippet(text, query)) {
                highlights.push(Highlight { field: (*field).to_owned(), snippet });
            }
        }
    }
    highlights.sort_by_key(|highlight| fields.iter().position(|(field, _)| *field == highlight.field));
    highlights
}

#[Object]
impl SearchEdge {
    /// Opaque position of this result, for `after`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The case, organisation or follow-up action found.
    async fn node(&self) -> SearchResult {
        self.node.clone()
    }

    /// Relevance; higher is better. Comparable within one search only.
    async fn score(&self) -> f64 {
        self.score
    }

    /// Matched passages (cases: title, summary, body; organisations: name, description;
    /// follow-up actions: title, description), with matches wrapped in <mark>…</mark>.
    #[graphql(directive = list_size::apply(Some(ASSUMED_HIGHLIGHTS), None, None))]
    async fn highlights(&self, context: &Context<'_>) -> Vec<Highlight> {
        let Some(query) = &self.query else { return Vec::new() };
        match &self.node {
            SearchResult::Case(case) => case_highlights(context, &case.record, query),
            SearchResult::Organisation(organisation) => {
                localised_highlights::<organisation_translation::Model>(
                    context,
                    &organisation.0.translations,
                    &[
                        ("name", |text| Some(text.name.as_str())),
                        ("description", |text| text.description.as_deref()),
                    ],
                    query,
                )
            }
            SearchResult::FollowUpAction(action) => {
                localised_highlights::<follow_up_action_translation::Model>(
                    context,
                    &action.0.translations,
                    &[
                        ("title", |text| Some(text.title.as_str())),
                        ("description", |text| text.description.as_deref()),
                    ],
                    query,
                )
            }
        }
    }
}

#[Object]
impl SearchConnection {
    /// The results of the page, best first.
    async fn edges(&self) -> Vec<SearchEdge> {
        self.page
            .rows
            .iter()
            .map(|((node, score), key)| SearchEdge {
                node: node.clone(),
                score: *score,
                cursor: encode_cursor(&self.ordering, key),
                query: self.search.query.clone(),
            })
            .collect()
    }

    /// Where this page sits.
    async fn page_info(&self) -> Result<PageInfo> {
        let info = page_info(&self.page, &self.window, &self.ordering, |key, towards_start| {
            let store = self.store.clone();
            let search = self.search.clone();
            async move { store.search_result_exists_beyond(&search, &key, towards_start).await }
        })
        .await?;
        Ok(info)
    }

    /// Number of results (all pages).
    async fn total_count(&self) -> Result<i32> {
        let total = self.store.count_search_results(&self.search).await?;
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}
