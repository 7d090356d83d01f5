//! `chat_audit`: who changed a chat's mode or assignee, from what to what, and when.

use crate::Error;
use model::{ChatId, UserId};
use sqlx::PgConnection;

/// `user` and `api_key` are both `None` for the system (the bot, a customer reopening a chat,
/// auto-assignment).
pub async fn record(
    conn: &mut PgConnection,
    chat_id: ChatId,
    (user, api_key): (Option<UserId>, Option<i64>),
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(), Error> {
    sqlx::query("insert into chat_audit (chat_id, actor_user_id, actor_api_key_id, action, from_value, to_value) values ($1, $2, $3, $4, $5, $6)")
        .bind(chat_id)
        .bind(user)
        .bind(api_key)
        .bind(action)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(())
}
