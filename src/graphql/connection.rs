//! Relay connections: page info, case edges with relevance and highlights, and the
//! argument handling every case list shares.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject};

use super::access::Access;
use super::cost_directives::{ASSUMED_HIGHLIGHTS, list_size};
use super::inputs::{CaseFilterInput, CaseOrderInput};
use super::prefetch::{self, CaseNeeds, case_detail};
use super::types::Case;
use super::types::localised::preference;
use crate::error::Error;
use crate::locale::DEFAULT_LOCALE;
use crate::store::Store;
use crate::store::brief::Detail;
use crate::store::cases::{CaseFilter, CaseListing, CaseRecord};
use crate::store::sql::page::{CursorKey, Page, PageArguments, Window, encode_cursor};
use crate::text::{SearchQuery, snippet};

/// Where a page sits in its list.
#[derive(Clone, Debug, SimpleObject)]
pub struct PageInfo {
    /// More items follow this page.
    pub has_next_page: bool,
    /// Items precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// Works out `hasPreviousPage`/`hasNextPage` exactly at both ends of any page.
pub async fn page_info<T, F, Fut>(
    page: &Page<T>,
    window: &Window,
    ordering: &str,
    beyond: F,
) -> Result<PageInfo, Error>
where
    F: Fn(CursorKey, bool) -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    let (has_next_page, has_previous_page) = if window.backward {
        let has_next = match &window.before {
            Some(before) => beyond(before.clone(), false).await?,
            None => false,
        };
        (has_next, page.has_more)
    } else {
        let has_previous = match &window.after {
            Some(after) => beyond(after.clone(), true).await?,
            None => false,
        };
        (page.has_more, has_previous)
    };
    Ok(PageInfo {
        has_next_page,
        has_previous_page,
        start_cursor: page.rows.first().map(|(_, key)| encode_cursor(ordering, key)),
        end_cursor: page.rows.last().map(|(_, key)| encode_cursor(ordering, key)),
    })
}

/// The arguments of every case list.
pub struct CaseListArguments {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub filter: Option<CaseFilterInput>,
    pub order_by: Option<CaseOrderInput>,
}

impl CaseListArguments {
    /// Validates the arguments, scopes the filter (`scope` pins a nested list to its
    /// parent) and fetches the page.
    pub async fn resolve(
        self,
        context: &Context<'_>,
        scope: impl FnOnce(&mut CaseFilter),
    ) -> Result<CaseConnection, Error> {
        let store = context.data::<Store>().map_err(|_| Error::Internal("no store in context".to_owned()))?;
        let mut filter = self.filter.unwrap_or_default().into_store(Access::of(context))?;
        scope(&mut filter);
        let title_locale =
            preference(context).tags().first().map_or(DEFAULT_LOCALE, String::as_str).to_owned();
        let order = CaseOrderInput::resolve(self.order_by, filter.search.is_some(), &title_locale);
        let search = filter.search.as_deref().map(SearchQuery::parse).transpose()?.flatten();
        let listing = CaseListing { filter, order };
        let ordering = listing.order.cursor_ordering();
        let window = crate::graphql::window(
            context,
            PageArguments {
                first: self.first,
                after: self.after,
                last: self.last,
                before: self.before,
                max: None,
            },
            &ordering,
        )?;
        let look_ahead = context.look_ahead();
        let nodes = [look_ahead.field("nodes"), look_ahead.field("edges").field("node")];
        // Highlights are cut from the summaries and bodies.
        let detail = if look_ahead.field("edges").field("highlights").exists() {
            Detail::Full
        } else {
            case_detail(&nodes)
        };
        // The count, when asked for, runs beside the page on a second connection rather than
        // after it: a search's page and count each pay for the full-text match.
        let (page, total) = if look_ahead.field("totalCount").exists() {
            let (page, total) =
                tokio::join!(store.case_page(&listing, &window, detail), store.count_cases(&listing));
            (page?, Some(total?))
        } else {
            (store.case_page(&listing, &window, detail).await?, None)
        };
        let page = page.map(Arc::new);
        let needs = CaseNeeds::of(&nodes);
        let cases =
            prefetch::cases(context, page.rows.iter().map(|(record, _)| record.clone()), needs).await?;
        Ok(CaseConnection {
            store: store.clone(),
            listing: Arc::new(listing),
            window,
            page,
            cases,
            total,
            ordering,
            search,
        })
    }
}

/// A page of cases.
pub struct CaseConnection {
    store: Store,
    listing: Arc<CaseListing>,
    window: Window,
    page: Page<Arc<CaseRecord>>,
    /// The page's cases (in the order of `page.rows`), with the relations the query selects.
    cases: Vec<Case>,
    /// `totalCount`, when it was fetched with the page.
    total: Option<u64>,
    ordering: String,
    search: Option<SearchQuery>,
}

/// A case in a page, with its cursor and, for searches, its relevance and highlights.
pub struct CaseEdge {
    case: Case,
    cursor: String,
    search: Option<SearchQuery>,
}

/// A matched passage of a text field.
#[derive(Clone, Debug, SimpleObject)]
pub struct Highlight {
    /// title, summary or body.
    pub field: String,
    /// Excerpt with matches wrapped in <mark>…</mark>; the rest HTML-escaped.
    pub snippet: String,
}

/// The highlights of a case for a search: the shown translation's fields first, any other
/// locale's where the shown one has no match.
pub fn case_highlights(context: &Context<'_>, record: &CaseRecord, query: &SearchQuery) -> Vec<Highlight> {
    let shown = super::types::localised::pick(context, &record.translations);
    let candidates = shown.into_iter().chain(record.translations.iter());
    let mut highlights: Vec<Highlight> = Vec::new();
    for translation in candidates {
        for (field, text) in [
            ("title", Some(translation.title.as_str())),
            ("summary", translation.summary.as_deref()),
            ("body", translation.body.as_deref()),
        ] {
            if highlights.iter().any(|highlight| highlight.field == field) {
                continue;
            }
            if let Some(snippet) = text.and_then(|text| snippet(text, query)) {
                highlights.push(Highlight { field: field.to_owned(), snippet });
            }
        }
    }
    let order = |field: &str| ["title", "summary", "body"].iter().position(|known| *known == field);
    highlights.sort_by_key(|highlight| order(&highlight.field));
    highlights
}

#[Object]
impl CaseEdge {
    /// Opaque position of this case in the list, for `after`/`before`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The case.
    async fn node(&self) -> Case {
        self.case.clone()
    }

    /// Relevance when the filter has a search; null otherwise. Higher is better.
    async fn score(&self) -> Option<f64> {
        self.case.record.score
    }

    /// Matched passages when the filter has a search; empty otherwise.
    #[graphql(directive = list_size::apply(Some(ASSUMED_HIGHLIGHTS), None, None))]
    async fn highlights(&self, context: &Context<'_>) -> Result<Vec<Highlight>> {
        let Some(query) = &self.search else {
            return Ok(Vec::new());
        };
        let record = self.case.full(context).await?;
        Ok(case_highlights(context, &record, query))
    }
}

#[Object]
impl CaseConnection {
    /// The cases of the page with their cursors.
    async fn edges(&self) -> Vec<CaseEdge> {
        self.page
            .rows
            .iter()
            .zip(&self.cases)
            .map(|((_, key), case)| CaseEdge {
                case: case.clone(),
                cursor: encode_cursor(&self.ordering, key),
                search: self.search.clone(),
            })
            .collect()
    }

    /// The cases of the page.
    async fn nodes(&self) -> Vec<Case> {
        self.cases.clone()
    }

    /// Where this page sits.
    async fn page_info(&self) -> Result<PageInfo> {
        let info = page_info(&self.page, &self.window, &self.ordering, |key, towards_start| {
            let store = self.store.clone();
            let listing = self.listing.clone();
            async move { store.case_exists_beyond(&listing, &key, towards_start).await }
        })
        .await?;
        Ok(info)
    }

    /// Number of cases matching the filter (all pages).
    async fn total_count(&self) -> Result<i32> {
        let total = match self.total {
            Some(total) => total,
            None => self.store.count_cases(&self.listing).await?,
        };
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}
