//! Accounts: the rules that span several queries (the first-admin rule, validation, keeping at
//! least one active admin; each runs in one transaction under the accounts lock), plus
//! [`passwords`] (argon2id) and [`sessions`] (sign-in, throttling, the session ↔ user link).

pub mod address;
pub mod passwords;
pub mod sessions;

use crate::chat_changes::{self, rules::ChatState};
use crate::db::chats;
use crate::db::users::{self, NewUser};
use crate::Error;
use model::Reason;
use model::UserId;
use model::{Role, UserInfo};
use sqlx::PgPool;

/// The longest username (ASCII, so bytes).
pub const USERNAME_MAX: usize = 64;

pub fn validate_username(username: &str) -> Result<String, Error> {
    let u = username.trim();
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+'));
    if u.len() < 3 || u.len() > USERNAME_MAX || !ok_chars {
        return Err(Error::invalid("username", Reason::UsernameFormat));
    }
    Ok(u.to_string())
}

pub fn validate_display_name(name: &str) -> Result<String, Error> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(Error::invalid("display_name", Reason::DisplayNameLength));
    }
    Ok(n.to_string())
}

/// A new account's username and display name, validated, and its password, validated and
/// hashed.
async fn new_account(
    username: &str,
    display_name: &str,
    password: String,
) -> Result<(String, String, String), Error> {
    let username = validate_username(username)?;
    let display_name = validate_display_name(display_name)?;
    passwords::validate_password(&password)?;
    let hash = passwords::hash_password(password).await?;
    Ok((username, display_name, hash))
}

pub async fn create_first_admin(
    pool: &PgPool,
    username: &str,
    display_name: &str,
    password: String,
) -> Result<UserInfo, Error> {
    let (username, display_name, hash) = new_account(username, display_name, password).await?;
    let mut tx = pool.begin().await?;
    users::lock_accounts(&mut tx).await?;
    if users::count_in(&mut tx).await? > 0 {
        return Err(Error::Conflict(Reason::FirstAdminExists));
    }
    let user = users::insert(
        &mut tx,
        &NewUser {
            username: &username,
            display_name: &display_name,
            role: Role::Admin,
            password_hash: &hash,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, "first admin created");
    Ok(user)
}

pub async fn create_user(
    pool: &PgPool,
    username: &str,
    display_name: &str,
    role: Role,
    password: String,
) -> Result<UserInfo, Error> {
    let (username, display_name, hash) = new_account(username, display_name, password).await?;
    let mut tx = pool.begin().await?;
    let user = users::insert(
        &mut tx,
        &NewUser {
            username: &username,
            display_name: &display_name,
            role,
            password_hash: &hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates the user unless the username exists (for demo and bootstrap accounts).
pub async fn ensure_user(
    pool: &PgPool,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> Result<bool, Error> {
    if users::find_credentials(pool, username).await?.is_some() {
        return Ok(false);
    }
    create_user(pool, username, display_name, role, password.to_string()).await?;
    Ok(true)
}

pub async fn update_user(
    pool: &PgPool,
    user_id: UserId,
    display_name: &str,
    role: Role,
) -> Result<UserInfo, Error> {
    let display_name = validate_display_name(display_name)?;
    let mut tx = pool.begin().await?;
    users::lock_accounts(&mut tx).await?;
    let before = users::find_in(&mut tx, user_id).await?;
    if before.role == Role::Admin
        && role != Role::Admin
        && before.active
        && users::count_active_admins(&mut tx).await? <= 1
    {
        return Err(Error::Conflict(Reason::LastAdmin));
    }
    users::update_profile(&mut tx, user_id, &display_name, role).await?;
    let after = users::find_in(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Activates or deactivates a user (by `actor`, an admin). A deactivated user's chats go back
/// to the queue, unassigned, each with a system event (auto-assignment, when on, hands them
/// out again); their sessions end at once (the auth epoch moves).
pub async fn set_active(
    pool: &PgPool,
    actor: &UserInfo,
    user_id: UserId,
    active: bool,
) -> Result<UserInfo, Error> {
    let mut tx = pool.begin().await?;
    users::lock_accounts(&mut tx).await?;
    let before = users::find_in(&mut tx, user_id).await?;
    if !active
        && before.active
        && before.role == Role::Admin
        && users::count_active_admins(&mut tx).await? <= 1
    {
        return Err(Error::Conflict(Reason::LastAdmin));
    }
    users::set_active(&mut tx, user_id, active).await?;
    if before.active && !active {
        release_chats(&mut tx, user_id, chat_changes::Actor::User(actor)).await?;
    }
    let after = users::find_in(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// A deactivated user's chats go back to the queue, unassigned.
async fn release_chats(
    conn: &mut sqlx::PgConnection,
    user_id: UserId,
    actor: chat_changes::Actor<'_>,
) -> Result<(), Error> {
    for chat_id in chats::assigned_to(conn, user_id).await? {
        chat_changes::update(conn, chat_id, actor, |state| {
            Ok(ChatState {
                assigned: None,
                ..*state
            })
        })
        .await?;
    }
    Ok(())
}

/// In demo mode, a demo account retired by an earlier start outside it (and still with the
/// published password) is active again.
pub async fn restore_demo_account(
    pool: &PgPool,
    username: &str,
    published_password: &str,
) -> Result<(), Error> {
    if let Some((user, hash)) = users::find_credentials(pool, username).await? {
        if !user.active && passwords::verify_password(published_password.into(), hash).await? {
            let mut tx = pool.begin().await?;
            users::lock_accounts(&mut tx).await?;
            users::set_active(&mut tx, user.user_id, true).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Outside demo mode, a demo account whose password is still the published one must not guard
/// a real installation: it is deactivated (its chats go back to the queue). Returns whether it
/// was. An account of that name with its own password is left alone.
pub async fn retire_demo_account(
    pool: &PgPool,
    username: &str,
    published_password: &str,
) -> Result<bool, Error> {
    let Some((user, hash)) = users::find_credentials(pool, username).await? else {
        return Ok(false);
    };
    if !user.active || !passwords::verify_password(published_password.into(), hash).await? {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    users::lock_accounts(&mut tx).await?;
    users::set_active(&mut tx, user.user_id, false).await?;
    release_chats(&mut tx, user.user_id, chat_changes::Actor::System).await?;
    tx.commit().await?;
    Ok(true)
}
