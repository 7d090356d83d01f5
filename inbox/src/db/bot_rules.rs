//! `bot_rule`: the bot's keyword rules, in the admin's order.

use crate::Error;
use bot::{MatchType, Rule};
use model::{ChannelId, ChatId};
use sqlx::PgConnection;

#[derive(sqlx::FromRow, serde::Deserialize)]
struct RuleRow {
    bot_rule_id: i64,
    keyword: String,
    match_type: String,
    reply: String,
    enabled: bool,
    buttons: sqlx::types::Json<Vec<String>>,
}

impl From<RuleRow> for Rule {
    fn from(r: RuleRow) -> Rule {
        Rule {
            id: r.bot_rule_id,
            keyword: r.keyword,
            match_type: if r.match_type == "exact" {
                MatchType::Exact
            } else {
                MatchType::Contains
            },
            reply: r.reply,
            enabled: r.enabled,
            buttons: r.buttons.0,
        }
    }
}

fn match_str(m: MatchType) -> &'static str {
    match m {
        MatchType::Exact => "exact",
        MatchType::Contains => "contains",
    }
}

pub async fn all(conn: &mut PgConnection) -> Result<Vec<Rule>, Error> {
    let rows: Vec<RuleRow> = sqlx::query_as(
        "select bot_rule_id, keyword, match_type, reply, enabled, buttons from bot_rule order by position, bot_rule_id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Rule::from).collect())
}

/// The bot's settings (raw), its enabled rules, what it said lately in the chats, and the
/// channels it does not answer on.
pub type Brain = (
    Option<serde_json::Value>,
    Vec<Rule>,
    Vec<(ChatId, String)>,
    Vec<ChannelId>,
);

/// What the bot needs to answer, read in one statement (ingest needs it for every group of
/// webhook bodies): its settings (the `bot` setting, `None` when never saved), its enabled
/// rules in order, and what it said in the last `hours` hours in `chats` (chat id and text), and the
/// channels it is silent on (switched off there, or the channel disabled).
pub async fn brain(conn: &mut PgConnection, chats: &[ChatId], hours: i32) -> Result<Brain, Error> {
    type Said = sqlx::types::Json<Vec<(ChatId, String)>>;
    type Silent = sqlx::types::Json<Vec<ChannelId>>;
    let (settings, rules, said, silent): (
        Option<serde_json::Value>,
        sqlx::types::Json<Vec<RuleRow>>,
        Said,
        Silent,
    ) =
        sqlx::query_as(
            "select (select value from setting where key = $1),
                    coalesce((select json_agg(r order by r.position, r.bot_rule_id)
                                from (select bot_rule_id, keyword, match_type, reply, enabled, buttons, position
                                        from bot_rule where enabled) r), '[]'::json),
                    coalesce((select json_agg(distinct jsonb_build_array(m.chat_id, m.body))
                                from message m
                               where m.sender_kind = 'bot' and m.chat_id = any($2) and m.body is not null
                                 and m.created_at > now() - make_interval(hours => $3)), '[]'::json),
                    coalesce((select json_agg(channel_id) from channel
                               where not enabled or settings->>'bot' = 'false'), '[]'::json)",
        )
        .bind(super::settings::BOT)
        .bind(chats)
        .bind(hours)
        .fetch_one(conn)
        .await?;
    Ok((
        settings,
        rules.0.into_iter().map(Rule::from).collect(),
        said.0,
        silent.0,
    ))
}

/// Creates a rule (`id` = None) or updates one; returns its id.
pub async fn save(
    conn: &mut PgConnection,
    id: Option<i64>,
    keyword: &str,
    match_type: MatchType,
    reply: &str,
    enabled: bool,
    buttons: &[String],
) -> Result<i64, Error> {
    let buttons = sqlx::types::Json(buttons);
    match id {
        None => Ok(sqlx::query_scalar(
            "insert into bot_rule (keyword, match_type, reply, enabled, buttons, position)
             values ($1, $2, $3, $4, $5, coalesce((select max(position) + 1 from bot_rule), 0)) returning bot_rule_id",
        )
        .bind(keyword)
        .bind(match_str(match_type))
        .bind(reply)
        .bind(enabled)
        .bind(buttons)
        .fetch_one(conn)
        .await?),
        Some(id) => Ok(sqlx::query_scalar(
            "update bot_rule set keyword = $2, match_type = $3, reply = $4, enabled = $5, buttons = $6,
                    updated_at = now()
              where bot_rule_id = $1 returning bot_rule_id",
        )
        .bind(id)
        .bind(keyword)
        .bind(match_str(match_type))
        .bind(reply)
        .bind(enabled)
        .bind(buttons)
        .fetch_one(conn)
        .await?),
    }
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), Error> {
    sqlx::query("delete from bot_rule where bot_rule_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut PgConnection) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("select count(*) from bot_rule")
        .fetch_one(conn)
        .await?)
}
