//! What cases count for in the rollups, as one SQL statement over the base tables: for each
//! picked case, every (scope, dimension key) pair it belongs to, grouped and counted. The
//! writers add or subtract it around a change; `verify` compares it with the stored rows.

use sea_orm::DatabaseBackend;

/// Which cases a statement covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cases<'a> {
    /// Every case.
    All,
    /// The cases with these ids (an empty list covers none).
    Ids(&'a [i64]),
    /// The cases with ids from the first to the second, both included.
    Range(i64, i64),
}

impl Cases<'_> {
    /// The condition on `cases` (aliased `c`).
    fn condition(&self) -> String {
        match self {
            Self::All => "1 = 1".to_owned(),
            Self::Ids([]) => "1 = 0".to_owned(),
            Self::Ids(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("c.id IN ({})", list.join(","))
            }
            Self::Range(first, last) => format!("c.id BETWEEN {first} AND {last}"),
        }
    }
}

/// Which dimensions a statement covers: follow-up action links change without their cases,
/// so writers of follow-up actions move only that part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every dimension.
    Whole,
    /// Only the cases' links to follow-up actions.
    FollowUpActionLinks,
    /// Every dimension but the links to follow-up actions.
    CaseRows,
}

/// A dimension of the rollups: what its keys are, and where they come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// One key (`''`): the number of cases.
    Cases,
    /// Category id.
    Category,
    /// Collection id.
    Collection,
    /// Industry-chain link code (cases without one are not counted).
    OrganisationType,
    /// ISO country code.
    Country,
    /// Tag name.
    Tag,
    /// UTC `YYYY-MM` of `published_at` (unpublished cases are not counted).
    PublishedMonth,
    /// UTC `YYYY-MM` of `created_at`.
    CreatedMonth,
    /// UTC `YYYY-MM` of `updated_at`.
    UpdatedMonth,
    /// Organisation id (lead or partner).
    Organisation,
    /// Follow-up action id.
    FollowUpAction,
}

impl Dimension {
    pub const ALL: [Self; 11] = [
        Self::Cases,
        Self::Category,
        Self::Collection,
        Self::OrganisationType,
        Self::Country,
        Self::Tag,
        Self::PublishedMonth,
        Self::CreatedMonth,
        Self::UpdatedMonth,
        Self::Organisation,
        Self::FollowUpAction,
    ];

    /// Its name in `case_tally.dimension`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::Category => "category",
            Self::Collection => "collection",
            Self::OrganisationType => "organisation_type",
            Self::Country => "country",
            Self::Tag => "tag",
            Self::PublishedMonth => "published_month",
            Self::CreatedMonth => "created_month",
            Self::UpdatedMonth => "updated_month",
            Self::Organisation => "organisation",
            Self::FollowUpAction => "follow_up_action",
        }
    }

    fn in_part(self, part: Part) -> bool {
        match part {
            Part::Whole => true,
            Part::FollowUpActionLinks => self == Self::FollowUpAction,
            Part::CaseRows => self != Self::FollowUpAction,
        }
    }

    /// Whether scopes other than `all` keep this dimension (months of creation and update
    /// are kept for all cases only: dashboards chart publication).
    pub fn in_every_scope(self) -> bool {
        !matches!(self, Self::CreatedMonth | Self::UpdatedMonth)
    }

    /// Joins to `cases c`, key and condition of this dimension.
    fn source(self, backend: DatabaseBackend) -> (&'static str, String, Option<&'static str>) {
        match self {
            Self::Cases => ("", "''".to_owned(), None),
            Self::Category => ("", "CAST(c.category_id AS TEXT)".to_owned(), None),
            Self::Collection => ("", "CAST(c.collection_id AS TEXT)".to_owned(), None),
            Self::OrganisationType => {
                ("", "c.industry_chain_link".to_owned(), Some("c.industry_chain_link IS NOT NULL"))
            }
            Self::Country => ("JOIN case_country d ON d.case_id = c.id", "d.country_code".to_owned(), None),
            Self::Tag => (
                "JOIN case_tag d ON d.case_id = c.id JOIN tag t ON t.id = d.tag_id",
                "t.name".to_owned(),
                None,
            ),
            Self::PublishedMonth => {
                ("", month_sql(backend, "c.published_at"), Some("c.published_at IS NOT NULL"))
            }
            Self::CreatedMonth => ("", month_sql(backend, "c.created_at"), None),
            Self::UpdatedMonth => ("", month_sql(backend, "c.updated_at"), None),
            Self::Organisation => (
                "JOIN case_organisation d ON d.case_id = c.id",
                "CAST(d.organisation_id AS TEXT)".to_owned(),
                None,
            ),
            Self::FollowUpAction => (
                "JOIN follow_up_action_case d ON d.case_id = c.id",
                "CAST(d.follow_up_action_id AS TEXT)".to_owned(),
                None,
            ),
        }
    }
}

/// A scope of the rollups: which cases a row counts among. A collection's cases are its
/// categories' cases: collection filters read the category rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every case (key `''`).
    All,
    /// The cases of one category (key: its id).
    Category,
    /// The cases covering one country (key: its ISO code).
    Country,
}

impl Scope {
    pub const ALL: [Self; 3] = [Self::All, Self::Category, Self::Country];

    /// Its name in `case_tally.scope`.
    pub fn code(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Category => "category",
            Self::Country => "country",
        }
    }

    /// Joins to `cases c` and key of this scope.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Self::All => ("", "''"),
            Self::Category => ("", "CAST(c.category_id AS TEXT)"),
            Self::Country => ("JOIN case_country s ON s.case_id = c.id", "s.country_code"),
        }
    }
}

/// `YYYY-MM` in UTC of the timestamp `column` (an SQL expression), in `backend`'s dialect:
/// the rollups and the statistics computed from the base tables key months alike.
pub fn month_sql(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {column})"),
    }
}

/// `SELECT scope, scope_key, dimension, status, tally_key, tally` of what `cases` count
/// for in `part`, each count multiplied by `sign` (1 or -1): one group-by per scope and
/// dimension, so each reads only the tables it needs.
pub fn select(backend: DatabaseBackend, cases: &Cases<'_>, part: Part, sign: i8) -> String {
    let count = if sign < 0 { "-COUNT(*)" } else { "COUNT(*)" };
    let condition = cases.condition();
    let mut parts = Vec::new();
    for scope in Scope::ALL {
        let (scope_join, scope_key) = scope.source();
        for dimension in Dimension::ALL {
            if !dimension.in_part(part) || (scope != Scope::All && !dimension.in_every_scope()) {
                continue;
            }
            let (join, key, only) = dimension.source(backend);
            let only = only.map(|only| format!(" AND {only}")).unwrap_or_default();
            let groups: Vec<&str> =
                [scope_key, "c.status", key.as_str()].into_iter().filter(|group| *group != "''").collect();
            parts.push(format!(
                "SELECT '{scope}' AS scope, {scope_key} AS scope_key, '{dimension}' AS dimension, \
                 c.status AS status, {key} AS tally_key, {count} AS tally \
                 FROM cases c {scope_join} {join} WHERE {condition}{only} GROUP BY {groups}",
                scope = scope.code(),
                dimension = dimension.code(),
                groups = groups.join(", "),
            ));
        }
    }
    parts.join(" UNION ALL ")
}
