//! `contact` as the API lists and edits it (the ingest path keeps contacts through
//! `inbox_store_inbound`, and "New conversation" through [`super::chats::contact_of_phone`]).

use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ContactId};
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

/// Whether a contact has a chat on one of `channels` (`$n::bigint[]`; null: every contact).
const ON_CHANNELS: &str = "exists (select 1 from chat c where c.contact_id = contact.contact_id
                                       and c.channel_id = any($CH))";

/// Contacts newest first, after the keyset cursor `before` (a contact id), whose name or number
/// contains `search` when given; with `channels`, only customers with a chat on one of them.
pub async fn page(
    pool: &PgPool,
    search: Option<&str>,
    before: Option<ContactId>,
    channels: Option<&[ChannelId]>,
    limit: i64,
) -> Result<Vec<ContactRow>, Error> {
    Ok(sqlx::query_as(&format!(
        "select contact_id, phone, display_name as name, created_at, updated_at from contact
          where ($1::bigint is null or contact_id < $1)
            and ($2::text is null or display_name ilike '%' || $2 || '%' or phone like '%' || $2 || '%')
            and ($4::bigint[] is null or {})
          order by contact_id desc limit $3",
        ON_CHANNELS.replace("$CH", "$4")
    ))
    .bind(before)
    .bind(search)
    .bind(limit)
    .bind(channels)
    .fetch_all(pool)
    .await?)
}

/// A contact by its id or its number; with `channels`, only a customer with a chat on one of
/// them.
pub async fn find(
    pool: &PgPool,
    by: Either<'_>,
    channels: Option<&[ChannelId]>,
) -> Result<Option<ContactRow>, Error> {
    let (id, phone) = match by {
        Either::Id(id) => (Some(id), None),
        Either::Phone(p) => (None, Some(p)),
    };
    Ok(sqlx::query_as(&format!(
        "select contact_id, phone, display_name as name, created_at, updated_at from contact
          where ($1::bigint is null or contact_id = $1) and ($2::text is null or phone = $2)
            and ($1::bigint is not null or $2::text is not null)
            and ($3::bigint[] is null or {})",
        ON_CHANNELS.replace("$CH", "$3")
    ))
    .bind(id)
    .bind(phone)
    .bind(channels)
    .fetch_optional(pool)
    .await?)
}

/// How a contact is looked up.
#[derive(Debug, Clone, Copy)]
pub enum Either<'a> {
    Id(ContactId),
    Phone(&'a str),
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
