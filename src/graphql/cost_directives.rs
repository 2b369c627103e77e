//! Cost annotations written on the schema beside the fields and types they describe, so
//! `schema.graphql` tells partners (and their cost tools) what the server's cost analysis
//! assumes: `@listSize` and `@cost` as the IBM GraphQL Cost Directives specification
//! defines them (<https://ibm.github.io/graphql-specs/cost-spec.html>), and Casegraph's
//! `@maxItems`. The cost analysis (`protection::cost`) reads them from the schema's own
//! SDL, so what the schema says and what a request is charged cannot drift apart.
//!
//! Each argument is written as `list_size::apply(Some(5), …)` on the field; values come from
//! the constants the resolvers use.

use async_graphql::TypeDirective;

/// The size of a list field for cost analysis (IBM GraphQL Cost Directives): sliced by the
/// given arguments (`first`, or the number of items of a list argument such as `ids`), or
/// assumed to hold `assumedSize` items when none is given. Lists without it are assumed to
/// hold 5 items.
#[TypeDirective(name = "listSize", location = "FieldDefinition")]
pub fn list_size(
    #[graphql(desc = "Items assumed when no slicing argument is given.")] assumed_size: Option<i32>,
    #[graphql(desc = "Arguments that set how many items the list holds.")] slicing_arguments: Option<
        Vec<String>,
    >,
    #[graphql(
        desc = "Whether exactly one slicing argument must be given (here: false, `assumedSize` applies).",
        default_with = "Some(true)"
    )]
    require_one_slicing_argument: Option<bool>,
) {
}

/// The cost of one object of this type (IBM GraphQL Cost Directives), as a number in a
/// string. Objects cost 1 unless they say otherwise; `"0"` marks objects computed in memory
/// (statistics rows, country names), of which a whole list costs 1.
#[TypeDirective(name = "cost", location = "Object")]
pub fn cost(#[graphql(desc = "Cost of one object.")] weight: String) {}

/// The most items this list field returns: a larger slicing argument (or a list argument
/// with more items) is refused with `BAD_USER_INPUT` naming this maximum, before the
/// request runs or is charged.
#[TypeDirective(name = "maxItems", location = "FieldDefinition")]
pub fn max_items(#[graphql(desc = "Most items.")] value: i32) {}

/// Size of a list a field's `@listSize` does not state.
pub const UNSTATED_LIST_SIZE: u64 = 5;

/// Organisations of a typical case (`Case.organisations`).
pub const TYPICAL_ORGANISATIONS: i32 = 3;
/// Countries of a typical case (`Case.countries`).
pub const TYPICAL_COUNTRIES: i32 = 3;
/// Follow-up actions of a typical case (`Case.followUpActions`).
pub const TYPICAL_FOLLOW_UP_ACTIONS: i32 = 3;
/// Cases of a typical follow-up action (`FollowUpAction.cases`).
pub const TYPICAL_CASES_PER_ACTION: i32 = 3;
/// Editions of the collection (`Query.collections`, `byCollection`).
pub const TYPICAL_COLLECTIONS: i32 = 2;
/// Categories of an edition (`categories`, `byCategory`).
pub const TYPICAL_CATEGORIES: i32 = 9;
/// Organisation types (`byOrganisationType`).
pub const TYPICAL_ORGANISATION_TYPES: i32 = 8;
/// Months of a typical `byMonth` (two years).
pub const TYPICAL_MONTHS: i32 = 24;
/// Follow-up action kinds (`byKind`).
pub const TYPICAL_ACTION_KINDS: i32 = 8;
/// Follow-up action states (`byStatus`).
pub const TYPICAL_ACTION_STATES: i32 = 4;
/// Highlights assumed per search result. A result returns at most three (one per searched
/// text field: a case's title, summary and body), but the cost analysis has always counted
/// five, as for any list, and lowering it changes what every search costs: that is a
/// change of its own, announced to partners, not part of stating the sizes.
pub const ASSUMED_HIGHLIGHTS: i32 = 5;

/// Problems in a mutation payload's `userErrors` (usually none).
pub const TYPICAL_USER_ERRORS: i32 = 3;
/// Fields one audit entry typically records as changed.
pub const TYPICAL_FIELD_CHANGES: i32 = 5;
