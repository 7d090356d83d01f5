//! The chat list's query: a page of chats in list order under the tab, mode and channel
//! filters, keyset-paginated, and its search by name, number and message text (looked up as
//! [`Search`] says; [`crate::search`] decides).

use super::SUMMARY;
use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChatId, ChatSummary, Mode};
use sqlx::PgPool;

/// Which chats a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only chats assigned to this user ("Mine").
    pub assigned_to: Option<model::UserId>,
    /// Only unassigned chats.
    pub unassigned: bool,
    pub mode: Option<Mode>,
    /// Only chats of this channel.
    pub channel: Option<ChannelId>,
    /// Only chats of these channels (an API key limited to some).
    pub channels: Option<Vec<ChannelId>>,
    /// Customer name, phone number or message text contains this (case-insensitive).
    pub search: Option<Search>,
    /// Keyset cursor: chats older than this (last activity, chat id).
    pub before: Option<(DateTime<Utc>, model::ChatId)>,
}

/// A search, and how its message text is looked up ([`crate::search`] decides).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// What was typed (trimmed, not empty).
    pub text: String,
    /// Words of the text the trigram index is read by; the whole text is then checked on the
    /// messages found. Empty: the index is read by the whole text.
    pub index_words: Vec<String>,
    /// Check the list's chats in order first, up to this many, and read the index only when
    /// they hold less than a page of matches (for a text in most messages, whose index lists
    /// are as long as the table).
    pub walk_first: Option<i64>,
}

/// Escapes `%`, `_` and `\` so user input matches literally in LIKE.
fn escape_like(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The list's filters on `c` (a chat row), its parameters numbered as in [`page`].
const FILTERS: &str = "($1::bigint is null or c.assigned_user_id = $1)
            and (not $2 or c.assigned_user_id is null)
            and ($3::text is null or c.mode = $3)
            and ($6::timestamptz is null
                 or (coalesce(c.last_message_at, '-infinity'), c.chat_id) < ($6, $7))
            and ($9::bigint is null or c.channel_id = $9)
            and ($10::bigint[] is null or c.channel_id = any($10))";

const LIST_ORDER: &str = "coalesce(c.last_message_at, '-infinity') desc, c.chat_id desc";

/// A page of chats by latest activity, newest first; keyset-paginated, so page 100 is as fast
/// as page 1. Name, phone and text search use trigram indexes; message text is looked up as
/// [`Search`] says.
pub async fn page(pool: &PgPool, f: &ListFilter, limit: i64) -> Result<Vec<ChatSummary>, Error> {
    let search = f.search.as_ref().filter(|s| !s.text.trim().is_empty());
    let pattern = search.map(|s| format!("%{}%", escape_like(s.text.trim())));
    let digits: Option<String> = search
        .map(|s| {
            s.text
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|d| d.len() >= 3);
    // The message-text lookup reads the trigram index by the chosen words only, in order, and
    // checks the whole text on each message found.
    let index_pattern = search.map(|s| {
        let words = match s.index_words.is_empty() {
            true => vec![escape_like(s.text.trim())],
            false => s.index_words.iter().map(|w| escape_like(w)).collect(),
        };
        format!("%{}%", words.join("%"))
    });
    let text = search.map(|s| s.text.trim().to_string());
    let bound = Bound {
        pattern,
        digits,
        index_pattern,
        text,
    };
    if let Some(walk) = search.and_then(|s| s.walk_first).filter(|w| *w > 0) {
        // The list's chats in order, each tested, up to the `walk`-th: when they hold a page of
        // matches, that page is the answer (a chat further down comes later in the list); when
        // the list has no more chats than that, whatever they hold is.
        let sql = format!(
            "select c.last_message_at, c.chat_id from chat c
              where {FILTERS}
              order by {LIST_ORDER}
              offset $13 limit 1"
        );
        let last: Option<(Option<DateTime<Utc>>, ChatId)> = bound
            .query(&sql, f, limit)
            .bind(walk - 1)
            .fetch_optional(pool)
            .await?;
        // Bounded by the last chat's place in the list: an index condition, so the walk stops
        // there (`$13 is null or …` would make it a filter, and the walk would go on to the end).
        let bounded = match last {
            Some(_) => {
                "and (coalesce(c.last_message_at, '-infinity'), c.chat_id)
                            >= (coalesce($14::timestamptz, '-infinity'), $13)"
            }
            None => "and $13::bigint is null and $14::timestamptz is null",
        };
        let sql = format!(
            "{SUMMARY}
              where {FILTERS}
                {bounded}
                and $11::text is not null and $12::text is not null
                and (ct.display_name ilike $4
                     or ($5::text is not null and ct.phone like '%' || $5 || '%')
                     or exists (select 1 from message m
                                 where m.chat_id = c.chat_id and m.body ilike $4))
              order by {LIST_ORDER}
              limit $8"
        );
        let rows = bound
            .query(&sql, f, limit)
            .bind(last.map(|l| l.1))
            .bind(last.and_then(|l| l.0))
            .fetch_all(pool)
            .await?;
        if last.is_none() || rows.len() as i64 >= limit {
            return Ok(rows);
        }
    }
    // A search first finds the chats it matches, each way by its own trigram index (name, number,
    // message text), and only then sorts them: one condition OR-ing the three would make
    // PostgreSQL walk every chat in list order, testing each (seconds at a million chats).
    let hits = if search.is_some() {
        "and c.chat_id in (
                 select c2.chat_id from chat c2 join contact ct2 using (contact_id)
                  where ct2.display_name ilike $4
                 union
                 select c2.chat_id from chat c2 join contact ct2 using (contact_id)
                  where $5::text is not null and ct2.phone like '%' || $5 || '%'
                 union
                 select m.chat_id from message m
                  where m.body ilike $11 and strpos(lower(m.body), lower($12)) > 0)"
    } else {
        "and $4::text is null and $5::text is null and $11::text is null and $12::text is null"
    };
    let sql = format!(
        "{SUMMARY}
          where {FILTERS}
            {hits}
          order by {LIST_ORDER}
          limit $8"
    );
    Ok(bound.query(&sql, f, limit).fetch_all(pool).await?)
}

/// The values of a list query besides the filter's own.
struct Bound {
    /// `%text%`, escaped: names and messages contain the text.
    pattern: Option<String>,
    /// The text's digits, when three or more: the number contains them.
    digits: Option<String>,
    /// What the message-text lookup reads the trigram index by.
    index_pattern: Option<String>,
    text: Option<String>,
}

impl Bound {
    /// `sql` with every value bound, `$1` to `$12` (a statement may leave some unused: sqlx
    /// declares each one's type).
    fn query<'q, O>(
        &self,
        sql: &'q str,
        f: &ListFilter,
        limit: i64,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        sqlx::query_as::<_, O>(sql)
            .bind(f.assigned_to)
            .bind(f.unassigned)
            .bind(f.mode.map(Mode::as_str))
            .bind(self.pattern.clone())
            .bind(self.digits.clone())
            .bind(f.before.map(|b| b.0))
            .bind(f.before.map(|b| b.1).unwrap_or(model::ChatId(0)))
            .bind(limit)
            .bind(f.channel)
            .bind(f.channels.clone())
            .bind(self.index_pattern.clone())
            .bind(self.text.clone())
    }
}
