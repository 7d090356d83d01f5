//! `app_user`: accounts, roles, the active flag and the auth epoch that invalidates sessions.

use crate::Error;
use model::Reason;
use model::{Role, UserId, UserInfo};
use sqlx::{PgConnection, PgPool};

const COLUMNS: &str = "user_id, username, display_name, role, active";

pub async fn count(pool: &PgPool) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(pool)
        .await?)
}

/// The user and password hash for a username (case-insensitive).
pub async fn find_credentials(
    pool: &PgPool,
    username: &str,
) -> Result<Option<(UserInfo, String)>, Error> {
    let row: Option<(UserId, String)> = sqlx::query_as(
        "select user_id, password_hash from app_user where lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?;
    let Some((id, hash)) = row else {
        return Ok(None);
    };
    Ok(Some((find(pool, id).await?, hash)))
}

pub async fn find(pool: &PgPool, user_id: UserId) -> Result<UserInfo, Error> {
    Ok(sqlx::query_as::<_, UserInfo>(&format!(
        "select {COLUMNS} from app_user where user_id = $1"
    ))
    .bind(user_id)
    .fetch_one(pool)
    .await?)
}

pub async fn find_with_epoch(
    pool: &PgPool,
    user_id: UserId,
) -> Result<Option<(UserInfo, i32)>, Error> {
    let row: Option<(i32,)> = sqlx::query_as("select auth_epoch from app_user where user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
    let Some((epoch,)) = row else { return Ok(None) };
    Ok(Some((find(pool, user_id).await?, epoch)))
}

pub async fn auth_epoch(pool: &PgPool, user_id: UserId) -> Result<i32, Error> {
    Ok(
        sqlx::query_scalar("select auth_epoch from app_user where user_id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await?,
    )
}

pub async fn list(pool: &PgPool) -> Result<Vec<UserInfo>, Error> {
    Ok(sqlx::query_as::<_, UserInfo>(&format!(
        "select {COLUMNS} from app_user order by active desc, role, lower(display_name)"
    ))
    .fetch_all(pool)
    .await?)
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<UserInfo, Error> {
    let row = sqlx::query_as::<_, UserInfo>(&format!(
        "insert into app_user (username, display_name, role, password_hash) values ($1, $2, $3, $4)
         returning {COLUMNS}"
    ))
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.role.as_str())
    .bind(new.password_hash)
    .fetch_one(conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("app_user_username_key") => {
            Error::invalid("username", Reason::UsernameTaken)
        }
        _ => Error::from(e),
    })?;
    Ok(row)
}

/// Serialises changes that must keep at least one active admin (and the first-admin rule).
pub async fn lock_accounts(conn: &mut PgConnection) -> Result<(), Error> {
    sqlx::query("select pg_advisory_xact_lock(7310001)")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count_in(conn: &mut PgConnection) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(conn)
        .await?)
}

pub async fn count_active_admins(conn: &mut PgConnection) -> Result<i64, Error> {
    Ok(
        sqlx::query_scalar("select count(*) from app_user where role = 'admin' and active")
            .fetch_one(conn)
            .await?,
    )
}

pub async fn find_in(conn: &mut PgConnection, user_id: UserId) -> Result<UserInfo, Error> {
    Ok(sqlx::query_as::<_, UserInfo>(&format!(
        "select {COLUMNS} from app_user where user_id = $1"
    ))
    .bind(user_id)
    .fetch_one(conn)
    .await?)
}

pub async fn update_profile(
    conn: &mut PgConnection,
    user_id: UserId,
    display_name: &str,
    role: Role,
) -> Result<(), Error> {
    sqlx::query(
        "update app_user set display_name = $2, role = $3, updated_at = now() where user_id = $1",
    )
    .bind(user_id)
    .bind(display_name)
    .bind(role.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Activates or deactivates; deactivation also moves the epoch so every session ends at once.
pub async fn set_active(
    conn: &mut PgConnection,
    user_id: UserId,
    active: bool,
) -> Result<(), Error> {
    sqlx::query(
        "update app_user set active = $2, updated_at = now(),
           auth_epoch = auth_epoch + case when $2 then 0 else 1 end
         where user_id = $1",
    )
    .bind(user_id)
    .bind(active)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a new password and ends every existing session of that user.
pub async fn set_password(
    pool: &PgPool,
    user_id: UserId,
    password_hash: &str,
) -> Result<(), Error> {
    let done = sqlx::query(
        "update app_user set password_hash = $2, auth_epoch = auth_epoch + 1, updated_at = now() where user_id = $1",
    )
    .bind(user_id)
    .bind(password_hash)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Whether the user is active; `None` when there is no such user.
pub async fn is_active(conn: &mut PgConnection, user_id: UserId) -> Result<Option<bool>, Error> {
    Ok(
        sqlx::query_scalar("select active from app_user where user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn display_name(conn: &mut PgConnection, user_id: UserId) -> Result<String, Error> {
    Ok(
        sqlx::query_scalar("select display_name from app_user where user_id = $1")
            .bind(user_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Marks a user as online now (while their event stream is open).
pub async fn seen(pool: &PgPool, user_id: UserId) -> Result<(), Error> {
    sqlx::query("update app_user set last_seen_at = now() where user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// [`seen`] for several users at once.
pub async fn seen_all(pool: &PgPool, user_ids: &[UserId]) -> Result<(), Error> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = user_ids.iter().map(|u| u.0).collect();
    sqlx::query("update app_user set last_seen_at = now() where user_id = any($1)")
        .bind(&ids)
        .execute(pool)
        .await?;
    Ok(())
}

/// The online agent with the fewest open chats, under `capacity`, if any.
pub async fn least_busy_agent(
    conn: &mut PgConnection,
    online_secs: i32,
    capacity: i64,
) -> Result<Option<UserId>, Error> {
    Ok(sqlx::query_scalar(
        "select u.user_id from app_user u
           left join chat c on c.assigned_user_id = u.user_id and c.mode <> 'closed'
          where u.role = 'agent' and u.active and u.last_seen_at > now() - make_interval(secs => $1)
          group by u.user_id
         having count(c.chat_id) < $2
          order by count(c.chat_id), u.user_id
          limit 1",
    )
    .bind(online_secs as f64)
    .bind(capacity)
    .fetch_optional(conn)
    .await?)
}
