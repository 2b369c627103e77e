//! SQL plumbing shared by every query of the data layer, and nothing of the domain: the
//! connection a request holds ([`connection`]), statements built once per shape
//! ([`statement`]), rows read by position ([`positional`]) and regrouped under their
//! parents ([`joined`]), keyset pages and cursors ([`page`]), and bulk inserts ([`bulk`]).

pub mod bulk;
pub mod connection;
pub mod joined;
pub mod page;
pub mod positional;
pub mod statement;
