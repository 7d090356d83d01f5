//! `message_template`: each channel's templates as the provider last listed them.

use crate::Error;
use model::{ChannelId, TemplateList, TemplateVariable, TemplateView};
use sqlx::types::Json;
use sqlx::PgConnection;
use whatsapp::templates::Template;

/// Replaces the channel's templates with `list` (those no longer listed are removed) and marks
/// the channel synced now.
pub async fn replace(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    list: &[Template],
) -> Result<(), Error> {
    sqlx::query(
        "delete from message_template where channel_id = $1
            and not ((name, language) = any (select * from unnest($2::text[], $3::text[])))",
    )
    .bind(channel_id)
    .bind(list.iter().map(|t| t.name.clone()).collect::<Vec<_>>())
    .bind(list.iter().map(|t| t.language.clone()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    for t in list {
        sqlx::query(
            "insert into message_template (channel_id, name, language, template_id, status, category, definition)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (channel_id, name, language) do update
                set template_id = excluded.template_id, status = excluded.status,
                    category = excluded.category, definition = excluded.definition, synced_at = now()",
        )
        .bind(channel_id)
        .bind(&t.name)
        .bind(&t.language)
        .bind(&t.id)
        .bind(&t.status)
        .bind(&t.category)
        .bind(Json(t))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("update channel set templates_synced_at = now() where channel_id = $1")
        .bind(channel_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    name: &str,
    language: &str,
) -> Result<Option<Template>, Error> {
    let row: Option<Json<Template>> = sqlx::query_scalar(
        "select definition from message_template
          where channel_id = $1 and name = $2 and language = $3",
    )
    .bind(channel_id)
    .bind(name)
    .bind(language)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|j| j.0))
}

/// The channel's templates, approved ones first, then by name and language.
pub async fn list(conn: &mut PgConnection, channel_id: ChannelId) -> Result<TemplateList, Error> {
    let rows: Vec<Json<Template>> = sqlx::query_scalar(
        "select definition from message_template where channel_id = $1
          order by status <> 'APPROVED', name, language",
    )
    .bind(channel_id)
    .fetch_all(&mut *conn)
    .await?;
    let synced_at =
        sqlx::query_scalar("select templates_synced_at from channel where channel_id = $1")
            .bind(channel_id)
            .fetch_one(conn)
            .await?;
    Ok(TemplateList {
        templates: rows.into_iter().map(|t| view(&t.0)).collect(),
        synced_at,
    })
}

fn view(t: &Template) -> TemplateView {
    TemplateView {
        name: t.name.clone(),
        language: t.language.clone(),
        category: t.category.clone(),
        status: t.status.clone(),
        body: t.body.clone(),
        variables: t
            .variables()
            .into_iter()
            .map(|v| TemplateVariable {
                key: v.key,
                label: v.label,
                example: v.example,
            })
            .collect(),
    }
}

/// Channels with templates whose last sync is older than `every` (or that never synced).
pub async fn due_for_sync(
    pool: &sqlx::PgPool,
    every: std::time::Duration,
) -> Result<Vec<ChannelId>, Error> {
    Ok(sqlx::query_scalar(
        "select channel_id from channel
          where kind = 'meta' and enabled
            and (templates_synced_at is null or templates_synced_at < now() - make_interval(secs => $1))",
    )
    .bind(every.as_secs_f64())
    .fetch_all(pool)
    .await?)
}

/// A template's review state as Meta's webhook reported it, on every channel that synced it
/// (template ids are Meta's, unique across accounts). Returns how many rows changed.
pub async fn set_status(
    conn: &mut PgConnection,
    template_id: &str,
    status: &str,
) -> Result<u64, Error> {
    Ok(sqlx::query(
        "update message_template
            set status = $2, definition = jsonb_set(definition, '{status}', to_jsonb($2::text))
          where template_id = $1",
    )
    .bind(template_id)
    .bind(status)
    .execute(conn)
    .await?
    .rows_affected())
}
