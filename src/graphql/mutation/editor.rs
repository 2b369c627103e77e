//! What every content mutation starts with: the caller's scope checked, and an
//! [`Editor`] writing on the caller's behalf (its key and the request id go in the audit
//! log).

use async_graphql::Context;

use crate::editorial::Editor;
use crate::error::Error;
use crate::graphql::access::Access;
use crate::store::Store;
use crate::store::journal::Actor;

/// The id of the HTTP request an operation runs in (as in the `x-request-id` header).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The scope a mutation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Write,
    Admin,
}

/// An editor for the caller of `context`, once it holds what `action` `needs`.
pub fn editor(context: &Context<'_>, action: &str, needs: Needs) -> Result<Editor, Error> {
    let access = Access::of(context);
    match needs {
        Needs::Write => access.require_write(action)?,
        Needs::Admin => access.require_admin(action)?,
    }
    let store = context.data::<Store>().map_err(|_| Error::Internal("no store in context".to_owned()))?;
    let actor = context
        .data_opt::<Actor>()
        .cloned()
        .ok_or_else(|| Error::Unauthenticated(format!("{action} needs an API key")))?;
    let request_id = context.data_opt::<RequestId>().map(|id| id.0.clone());
    Ok(Editor::new(store.clone(), actor, request_id))
}
