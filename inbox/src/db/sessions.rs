//! The session rows tower-sessions keeps (`tower_sessions.session`), read back for what
//! outlives a request: an open event stream.

use crate::Error;
use model::UserId;
use sqlx::PgPool;

/// Which of `keys` (session id, user, auth epoch) still stand, in their order: a session stands
/// while its row exists and has not expired (a logout deletes it) and its user is active with
/// the auth epoch the session signed in with (a deactivation or a password reset moves them).
/// One query for all of them.
pub async fn standing(pool: &PgPool, keys: &[(&str, UserId, i32)]) -> Result<Vec<bool>, Error> {
    let ids: Vec<&str> = keys.iter().map(|k| k.0).collect();
    let users: Vec<i64> = keys.iter().map(|k| k.1 .0).collect();
    let epochs: Vec<i32> = keys.iter().map(|k| k.2).collect();
    let standing: Vec<i64> = sqlx::query_scalar(
        "select k.n from unnest($1::text[], $2::int8[], $3::int4[])
                          with ordinality as k(id, user_id, epoch, n)
          where exists(select 1 from tower_sessions.session s
                        where s.id = k.id and s.expiry_date > now())
            and exists(select 1 from app_user u
                        where u.user_id = k.user_id and u.active and u.auth_epoch = k.epoch)",
    )
    .bind(&ids)
    .bind(&users)
    .bind(&epochs)
    .fetch_all(pool)
    .await?;
    let mut out = vec![false; keys.len()];
    for n in standing {
        // `with ordinality` counts from 1.
        if let Some(slot) = usize::try_from(n - 1).ok().and_then(|i| out.get_mut(i)) {
            *slot = true;
        }
    }
    Ok(out)
}
