//! `contact`: customers, keyed by phone (digits with country code) or by Meta's business-scoped
//! user id when the number is hidden.

use crate::AppError;
use sqlx::PgConnection;

/// The contact for this identity, created if new. Concurrent first messages from one new number
/// all end up with the same row: the unique indexes let one insert win and the others wait for
/// it, then read it.
pub async fn upsert(
    conn: &mut PgConnection,
    phone: Option<&str>,
    bsuid: Option<&str>,
    name: Option<&str>,
) -> Result<i64, AppError> {
    if phone.is_none() && bsuid.is_none() {
        return Err(AppError::invalid("contact", "contact_without_identity"));
    }
    let inserted: Option<i64> = sqlx::query_scalar(
        "insert into contact (phone, bsuid, display_name) values ($1, $2, $3)
         on conflict do nothing returning contact_id",
    )
    .bind(phone)
    .bind(bsuid)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar(
        "select contact_id from contact
          where ($1::text is not null and phone = $1) or ($1::text is null and bsuid = $2)
          order by contact_id limit 1",
    )
    .bind(phone)
    .bind(bsuid)
    .fetch_one(&mut *conn)
    .await?;
    // Keep the name the customer currently shows, and learn a BSUID we did not know.
    sqlx::query(
        "update contact set display_name = coalesce($2, display_name), bsuid = coalesce(bsuid, $3), updated_at = now()
          where contact_id = $1 and (display_name is distinct from coalesce($2, display_name) or (bsuid is null and $3::text is not null))",
    )
    .bind(id)
    .bind(name)
    .bind(bsuid)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}
