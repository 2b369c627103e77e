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
}

impl Cases<'_> {
    fn condition(&self) -> String {
        match self {
            Self::All => "1 = 1".to_owned(),
            Self::Ids([]) => "1 = 0".to_owned(),
            Self::Ids(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("id IN ({})", list.join(","))
            }
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

    /// `SELECT case_id, dimension, tally_key` of this dimension over `picked`.
    fn keys(self, backend: DatabaseBackend) -> String {
        let code = self.code();
        let month = |column: &str| month_sql(backend, &format!("picked.{column}"));
        match self {
            Self::Cases => format!("SELECT id, '{code}', '' FROM picked"),
            Self::Category => format!("SELECT id, '{code}', CAST(category_id AS TEXT) FROM picked"),
            Self::Collection => format!("SELECT id, '{code}', CAST(collection_id AS TEXT) FROM picked"),
            Self::OrganisationType => format!(
                "SELECT id, '{code}', industry_chain_link FROM picked WHERE industry_chain_link IS NOT NULL"
            ),
            Self::Country => format!(
                "SELECT picked.id, '{code}', case_country.country_code FROM picked \
                 JOIN case_country ON case_country.case_id = picked.id"
            ),
            Self::Tag => format!(
                "SELECT picked.id, '{code}', tag.name FROM picked \
                 JOIN case_tag ON case_tag.case_id = picked.id JOIN tag ON tag.id = case_tag.tag_id"
            ),
            Self::PublishedMonth => format!(
                "SELECT id, '{code}', {} FROM picked WHERE published_at IS NOT NULL",
                month("published_at")
            ),
            Self::CreatedMonth => format!("SELECT id, '{code}', {} FROM picked", month("created_at")),
            Self::UpdatedMonth => format!("SELECT id, '{code}', {} FROM picked", month("updated_at")),
            Self::Organisation => format!(
                "SELECT picked.id, '{code}', CAST(case_organisation.organisation_id AS TEXT) FROM picked \
                 JOIN case_organisation ON case_organisation.case_id = picked.id"
            ),
            Self::FollowUpAction => format!(
                "SELECT picked.id, '{code}', CAST(follow_up_action_case.follow_up_action_id AS TEXT) \
                 FROM picked JOIN follow_up_action_case ON follow_up_action_case.case_id = picked.id"
            ),
        }
    }
}

/// A scope of the rollups: which cases a row counts among.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every case (key `''`).
    All,
    /// The cases of one category (key: its id).
    Category,
    /// The cases of one collection (key: its id).
    Collection,
    /// The cases covering one country (key: its ISO code).
    Country,
}

impl Scope {
    /// Its name in `case_tally.scope`.
    pub fn code(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Category => "category",
            Self::Collection => "collection",
            Self::Country => "country",
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

/// The common table expressions `picked`, `scopes` and `tally_keys` for `cases` and
/// `part`, without `WITH`: the statement that counts them is [`GROUPED`].
pub fn tables(backend: DatabaseBackend, cases: &Cases<'_>, part: Part) -> String {
    let keys: Vec<String> = Dimension::ALL
        .into_iter()
        .filter(|dimension| dimension.in_part(part))
        .map(|dimension| dimension.keys(backend))
        .collect();
    let scopes = [
        format!("SELECT id, status, '{}', '' FROM picked", Scope::All.code()),
        format!("SELECT id, status, '{}', CAST(category_id AS TEXT) FROM picked", Scope::Category.code()),
        format!("SELECT id, status, '{}', CAST(collection_id AS TEXT) FROM picked", Scope::Collection.code()),
        format!(
            "SELECT picked.id, picked.status, '{}', case_country.country_code FROM picked \
             JOIN case_country ON case_country.case_id = picked.id",
            Scope::Country.code()
        ),
    ];
    format!(
        "picked AS (SELECT id, status, category_id, collection_id, industry_chain_link, \
         published_at, created_at, updated_at FROM cases WHERE {condition}), \
         scopes (case_id, status, scope, scope_key) AS ({scopes}), \
         tally_keys (case_id, dimension, tally_key) AS ({keys})",
        condition = cases.condition(),
        scopes = scopes.join(" UNION ALL "),
        keys = keys.join(" UNION ALL "),
    )
}

/// Counts the pairs of [`tables`]: `scope, scope_key, dimension, status, tally_key, tally`.
pub const GROUPED: &str = "SELECT scopes.scope, scopes.scope_key, tally_keys.dimension, scopes.status, \
     tally_keys.tally_key, COUNT(*) AS tally FROM scopes JOIN tally_keys ON tally_keys.case_id = scopes.case_id \
     GROUP BY scopes.scope, scopes.scope_key, tally_keys.dimension, scopes.status, tally_keys.tally_key";

/// `SELECT scope, scope_key, dimension, status, tally_key, tally` of what `cases` count
/// for in `part`, each count multiplied by `sign` (1 or -1).
pub fn select(backend: DatabaseBackend, cases: &Cases<'_>, part: Part, sign: i8) -> String {
    let grouped = if sign < 0 {
        GROUPED.replace("COUNT(*) AS tally", "-COUNT(*) AS tally")
    } else {
        GROUPED.to_owned()
    };
    format!("WITH {} {grouped}", tables(backend, cases, part))
}
