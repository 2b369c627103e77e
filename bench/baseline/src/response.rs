//! The response bodies: `{"data":…,"extensions":{"cost":…}}`, serialised as the GraphQL
//! server serialises them (keys in the order the operation requests its fields, `errors`
//! left out when empty, `extensions` last).

use serde::Serialize;

use crate::Error;
use crate::cases::{Case, PAGE_SIZE};

/// Objects a case costs at most, as the server's static cost analysis counts them: the case,
/// its category and collection, and 3 (the declared size of `Case.organisations` and
/// `Case.countries`) × (`CaseOrganisation` + `Organisation`) and 3 × `Country`.
const CASE_COST: u64 = 1 + 1 + 1 + 3 * 2 + 3;

/// The requested cost of `CaseBySlug`.
const CASE_BY_SLUG_COST: u64 = CASE_COST;

/// The requested cost of `CasePage`: the connection, and `first` × a case.
const CASE_PAGE_COST: u64 = 1 + PAGE_SIZE as u64 * CASE_COST;

/// The bench key's budget: `casegraph keys create … --budget 1000000000000`.
const BUDGET: u64 = 1_000_000_000_000;

/// The bench key's refill, points per second: `--refill 1000000000000`.
const RESTORE_RATE: f64 = 1e12;

#[derive(Serialize)]
struct Body<D> {
    data: D,
    extensions: Extensions,
}

#[derive(Serialize)]
struct Extensions {
    cost: Cost,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: u64,
    actual_query_cost: u64,
    throttle_status: ThrottleStatus,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    maximum_available: u64,
    currently_available: u64,
    restore_rate: f64,
}

#[derive(Serialize)]
struct CaseData<'a> {
    case: Option<&'a Case>,
}

#[derive(Serialize)]
struct PageData<'a> {
    cases: Nodes<'a>,
}

#[derive(Serialize)]
struct Nodes<'a> {
    nodes: &'a [Case],
}

/// The body of `CaseBySlug`.
pub fn case_body(case: Option<&Case>) -> Result<Vec<u8>, Error> {
    let actual = case.map_or(0, objects);
    Ok(serde_json::to_vec(&Body {
        data: CaseData { case },
        extensions: extensions(CASE_BY_SLUG_COST, actual),
    })?)
}

/// The body of `CasePage`.
pub fn page_body(cases: &[Case]) -> Result<Vec<u8>, Error> {
    let actual = 1 + cases.iter().map(objects).sum::<u64>();
    Ok(serde_json::to_vec(&Body {
        data: PageData { cases: Nodes { nodes: cases } },
        extensions: extensions(CASE_PAGE_COST, actual),
    })?)
}

/// The objects of one case in the response (the server's actual cost).
fn objects(case: &Case) -> u64 {
    3 + 2 * case.organisations.len() as u64 + case.countries.len() as u64
}

/// `extensions` for an operation that may cost `requested` and holds `actual` objects.
///
/// The server charges the requested cost up front and refunds what was not used (the actual
/// cost is capped at the requested one). After a refund, a bucket refilling 10¹² points a
/// second is full again; without one (the response holds as many objects as requested) it
/// reports the bucket just after the charge.
fn extensions(requested: u64, actual: u64) -> Extensions {
    let actual = actual.min(requested);
    let currently_available = if actual < requested { BUDGET } else { BUDGET.saturating_sub(requested) };
    Extensions {
        cost: Cost {
            requested_query_cost: requested,
            actual_query_cost: actual,
            throttle_status: ThrottleStatus {
                maximum_available: BUDGET,
                currently_available,
                restore_rate: RESTORE_RATE,
            },
        },
    }
}
