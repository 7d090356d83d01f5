//! Who has read what: the read receipt a customer's message gets (queued once, marked when the
//! provider took it), the message "typing…" refers to, and the sandbox phone's reading of our
//! replies and of how far the business has read the customer's.

use crate::Error;
use model::{ChannelId, ChatId, MessageId};
use sqlx::{PgConnection, PgPool};

/// The customer's latest message in the chat, if its read receipt has not been queued yet;
/// marks it (and every earlier one: a read receipt covers them) as queued, so each message
/// gets at most one, however many agents open the chat at once.
pub async fn take_read_receipt(
    conn: &mut PgConnection,
    chat_id: ChatId,
) -> Result<Option<MessageId>, Error> {
    let latest: Option<MessageId> = sqlx::query_scalar(
        "update message m set receipt_queued_at = now()
           from (select message_id from message
                  where chat_id = $1 and direction = 'in' and provider_message_id is not null
                  order by message_id desc limit 1) latest
          where m.message_id = latest.message_id and m.receipt_queued_at is null
         returning m.message_id",
    )
    .bind(chat_id)
    .fetch_optional(&mut *conn)
    .await?;
    if latest.is_some() {
        sqlx::query(
            "update message set receipt_queued_at = now()
              where chat_id = $1 and direction = 'in' and receipt_queued_at is null",
        )
        .bind(chat_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(latest)
}

/// The provider took the read receipt for `message_id`: it, and with it the chat's earlier
/// customer messages, is read on the customer's phone (blue ticks). Only this message is
/// marked (readers take the newest marked one): marking the earlier ones would rewrite a long
/// chat's history, index entries and all, on its first receipt. Returns whether it changed.
pub async fn receipt_delivered(
    conn: &mut PgConnection,
    message_id: MessageId,
) -> Result<bool, Error> {
    Ok(sqlx::query(
        "update message set marked_read_at = now()
          where message_id = $1 and direction = 'in' and marked_read_at is null",
    )
    .bind(message_id)
    .execute(conn)
    .await?
    .rows_affected()
        > 0)
}

/// The customer's latest message in the chat (typing indicators refer to it).
pub async fn latest_inbound(
    conn: &mut PgConnection,
    chat_id: ChatId,
) -> Result<Option<MessageId>, Error> {
    Ok(sqlx::query_scalar(
        "select message_id from message
          where chat_id = $1 and direction = 'in' and provider_message_id is not null
          order by message_id desc limit 1",
    )
    .bind(chat_id)
    .fetch_optional(conn)
    .await?)
}

/// The newest customer message of this phone on this channel that the business marked read
/// (its read receipt delivered).
pub async fn read_up_to_for_phone(
    pool: &PgPool,
    channel_id: ChannelId,
    phone: &str,
) -> Result<Option<MessageId>, Error> {
    Ok(sqlx::query_scalar(
        "select max(m.message_id) from message m
           join chat c on c.chat_id = m.chat_id join contact ct on ct.contact_id = c.contact_id
          where c.channel_id = $1 and ct.phone = $2 and m.direction = 'in'
            and m.marked_read_at is not null",
    )
    .bind(channel_id)
    .bind(phone)
    .fetch_one(pool)
    .await?)
}

/// Our sent or delivered messages to this phone on this channel become read; returns which.
pub async fn mark_read_for_phone(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    phone: &str,
) -> Result<Vec<MessageId>, Error> {
    Ok(sqlx::query_scalar(
        "update message m set status = 'read', status_at = now()
           from chat c join contact ct on ct.contact_id = c.contact_id
          where m.chat_id = c.chat_id and c.channel_id = $1 and ct.phone = $2
            and m.direction = 'out' and m.status in ('sent', 'delivered')
         returning m.message_id",
    )
    .bind(channel_id)
    .bind(phone)
    .fetch_all(conn)
    .await?)
}
