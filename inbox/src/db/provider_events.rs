//! What providers tell us about things other than conversations: alerts about the business
//! account, template reviews, and the raw bodies of deliveries we acknowledged without acting
//! on all of them (`webhook_kept`, `account_alert`, `template_status`).

use crate::Error;
use model::AccountAlert;
use sqlx::{PgConnection, PgPool};

/// Keeps a body we acknowledged but did not fully act on, with the reasons.
pub async fn keep(
    pool: &PgPool,
    provider: &str,
    reasons: &[String],
    body: &[u8],
) -> Result<(), Error> {
    sqlx::query("insert into webhook_kept (provider, reasons, body) values ($1, $2, $3)")
        .bind(provider)
        .bind(reasons)
        .bind(body)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn insert_alert(
    conn: &mut PgConnection,
    provider: &str,
    account_id: &str,
    event: &str,
    detail: Option<&str>,
    raw: &serde_json::Value,
) -> Result<(), Error> {
    sqlx::query(
        "insert into account_alert (provider, account_id, event, detail, raw) values ($1, $2, $3, $4, $5)",
    )
    .bind(provider)
    .bind(account_id)
    .bind(event)
    .bind(detail)
    .bind(raw)
    .execute(conn)
    .await?;
    Ok(())
}

/// Account alerts of the last `days` days, newest first.
pub async fn recent_alerts(pool: &PgPool, days: i32) -> Result<Vec<AccountAlert>, Error> {
    Ok(sqlx::query_as(
        "select provider, account_id, event, detail, received_at from account_alert
          where received_at > now() - make_interval(days => $1)
          order by received_at desc limit 20",
    )
    .bind(days)
    .fetch_all(pool)
    .await?)
}

pub struct TemplateStatus<'a> {
    pub provider: &'a str,
    pub account_id: &'a str,
    pub template_id: &'a str,
    pub name: Option<&'a str>,
    pub language: Option<&'a str>,
    pub status: &'a str,
    pub reason: Option<&'a str>,
}

pub async fn upsert_template_status(
    conn: &mut PgConnection,
    t: &TemplateStatus<'_>,
) -> Result<(), Error> {
    sqlx::query(
        "insert into template_status (provider, account_id, template_id, name, language, status, reason)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (provider, account_id, template_id) do update
            set name = coalesce(excluded.name, template_status.name),
                language = coalesce(excluded.language, template_status.language),
                status = excluded.status, reason = excluded.reason, updated_at = now()",
    )
    .bind(t.provider)
    .bind(t.account_id)
    .bind(t.template_id)
    .bind(t.name)
    .bind(t.language)
    .bind(t.status)
    .bind(t.reason)
    .execute(conn)
    .await?;
    Ok(())
}
