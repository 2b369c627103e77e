//! Responses kept by `Idempotency-Key` (see the `idempotency_key` migration): the first
//! request with a key claims it, and a retry is answered with the kept response.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, Value};

use super::Store;
use crate::error::Result;

const TABLE: &str = "idempotency_key";

/// How long a kept response answers retries.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);

/// What a request with an idempotency key finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or was abandoned): this request runs, then completes or releases it.
    Run,
    /// The key answered a request with this body before: its response.
    Replay { status: u16, content_type: String, body: String },
    /// The key was used with another body.
    OtherRequest,
    /// A request with the key is still running.
    InProgress,
}

fn column(name: &str) -> Alias {
    Alias::new(name)
}

impl Store {
    /// Claims `key` of `caller` for a request whose body hashes to `request_hash`. A claim
    /// older than `abandoned_after` that never completed (its server stopped) is taken over.
    pub async fn claim_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        abandoned_after: TimeDelta,
    ) -> Result<Claim> {
        let connection = self.pool();
        let expired = Query::delete()
            .from_table(column(TABLE))
            .and_where(Expr::col(column("created_at")).lt(now - KEPT_FOR))
            .to_owned();
        connection.execute(&expired).await?;
        let insert = Query::insert()
            .into_table(column(TABLE))
            .columns([column("caller"), column("key"), column("request_hash"), column("created_at")])
            .values_panic([caller.into(), key.into(), request_hash.into(), now.into()])
            .on_conflict(OnConflict::columns([column("caller"), column("key")]).do_nothing().to_owned())
            .to_owned();
        if connection.execute(&insert).await?.rows_affected() == 1 {
            return Ok(Claim::Run);
        }
        let select = Query::select()
            .columns([
                column("request_hash"),
                column("status"),
                column("content_type"),
                column("response"),
                column("created_at"),
            ])
            .from(column(TABLE))
            .and_where(Expr::col(column("caller")).eq(caller))
            .and_where(Expr::col(column("key")).eq(key))
            .to_owned();
        let Some(row) = connection.query_one(&select).await? else {
            // Released between the insert and the select: claim it again.
            return Box::pin(self.claim_idempotency_key(caller, key, request_hash, now, abandoned_after))
                .await;
        };
        let kept_hash: String = row.try_get("", "request_hash")?;
        if kept_hash != request_hash {
            return Ok(Claim::OtherRequest);
        }
        let status: Option<i32> = row.try_get("", "status")?;
        match status {
            Some(status) => Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                content_type: row.try_get::<Option<String>>("", "content_type")?.unwrap_or_default(),
                body: row.try_get::<Option<String>>("", "response")?.unwrap_or_default(),
            }),
            None => {
                let created_at: DateTime<Utc> = row.try_get("", "created_at")?;
                if created_at >= now - abandoned_after {
                    return Ok(Claim::InProgress);
                }
                // Take the abandoned claim over, unless another retry just did.
                let take_over = Query::update()
                    .table(column(TABLE))
                    .value(column("created_at"), Value::from(now))
                    .and_where(Expr::col(column("caller")).eq(caller))
                    .and_where(Expr::col(column("key")).eq(key))
                    .and_where(Expr::col(column("status")).is_null())
                    .and_where(Expr::col(column("created_at")).eq(created_at))
                    .to_owned();
                let taken = connection.execute(&take_over).await?.rows_affected() == 1;
                Ok(if taken { Claim::Run } else { Claim::InProgress })
            }
        }
    }

    /// Keeps the response of the request that claimed `key`.
    pub async fn complete_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> Result<()> {
        let update = Query::update()
            .table(column(TABLE))
            .value(column("status"), i32::from(status))
            .value(column("content_type"), content_type)
            .value(column("response"), body)
            .and_where(Expr::col(column("caller")).eq(caller))
            .and_where(Expr::col(column("key")).eq(key))
            .to_owned();
        self.pool().execute(&update).await?;
        Ok(())
    }

    /// Gives `key` up without a response (the request failed in a way a retry may not):
    /// the next request with it runs.
    pub async fn release_idempotency_key(&self, caller: &str, key: &str) -> Result<()> {
        let delete = Query::delete()
            .from_table(column(TABLE))
            .and_where(Expr::col(column("caller")).eq(caller))
            .and_where(Expr::col(column("key")).eq(key))
            .and_where(Expr::col(column("status")).is_null())
            .to_owned();
        self.pool().execute(&delete).await?;
        Ok(())
    }
}
