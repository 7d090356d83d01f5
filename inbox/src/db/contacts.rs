//! `contact` as the API lists and edits it (the ingest path keeps contacts through
//! `inbox_store_inbound`, and "New conversation" through [`super::chats::contact_of_phone`]).

use crate::Error;
use chrono::{DateTime, Utc};
use model::ContactId;
use sqlx::PgPool;

/// A contact as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactRow {
    pub contact_id: ContactId,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Contacts newest first, after the keyset cursor `before` (a contact id), whose name or number
/// contains `search` when given.
pub async fn page(
    pool: &PgPool,
    search: Option<&str>,
    before: Option<ContactId>,
    limit: i64,
) -> Result<Vec<ContactRow>, Error> {
    Ok(sqlx::query_as(
        "select contact_id, phone, display_name as name, created_at, updated_at from contact
          where ($1::bigint is null or contact_id < $1)
            and ($2::text is null or display_name ilike '%' || $2 || '%' or phone like '%' || $2 || '%')
          order by contact_id desc limit $3",
    )
    .bind(before)
    .bind(search)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

pub async fn find(pool: &PgPool, contact_id: ContactId) -> Result<Option<ContactRow>, Error> {
    Ok(sqlx::query_as(
        "select contact_id, phone, display_name as name, created_at, updated_at from contact
          where contact_id = $1",
    )
    .bind(contact_id)
    .fetch_optional(pool)
    .await?)
}

/// The contact of `phone` (normalised digits), made if new, with its name set when `name` is
/// given; whether it was new.
pub async fn upsert(
    pool: &PgPool,
    phone: &str,
    name: Option<&str>,
) -> Result<(ContactRow, bool), Error> {
    let r: ContactWithFlag = sqlx::query_as(
        "insert into contact (phone, display_name) values ($1, $2)
         on conflict (phone) where phone is not null do update
            set display_name = coalesce($2, contact.display_name), updated_at = now()
         returning contact_id, phone, display_name as name, created_at, updated_at, (xmax = 0) as created",
    )
    .bind(phone)
    .bind(name)
    .fetch_one(pool)
    .await?;
    Ok((r.row, r.created))
}

#[derive(sqlx::FromRow)]
struct ContactWithFlag {
    #[sqlx(flatten)]
    row: ContactRow,
    created: bool,
}
