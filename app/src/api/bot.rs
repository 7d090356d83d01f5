//! Admin-only: the bot's settings (switch, fallback, business hours, out-of-office, handover)
//! and its keyword rules.

// The settings form posts as a plain HTML form, one argument per field; the `#[server]`
// macro copies the argument list into code an attribute on the function does not reach.
#![allow(clippy::too_many_arguments)]

use crate::model::BotForm;
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/bot")]
pub async fn bot_settings() -> Result<BotForm, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::bot::form;
    respond(async move {
        auth::require_admin().await?;
        let mut conn = AppState::get()?.pool.acquire().await?;
        Ok(form::load(&mut conn).await?)
    })
    .await
}

/// Saves the settings. Day fields are `mon_open`, `mon_close`, ... `sun_close` ("HH:MM"; both
/// empty = closed that day).
#[server(endpoint = "admin/bot/save_settings")]
pub async fn save_bot_settings(
    enabled: Option<String>,
    fallback_reply: String,
    out_of_office_reply: String,
    handover_keywords: String,
    handover_reply: String,
    hours_enabled: Option<String>,
    time_zone: String,
    mon_open: String,
    mon_close: String,
    tue_open: String,
    tue_close: String,
    wed_open: String,
    wed_close: String,
    thu_open: String,
    thu_close: String,
    fri_open: String,
    fri_close: String,
    sat_open: String,
    sat_close: String,
    sun_open: String,
    sun_close: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::bot::form;
    respond(async move {
        auth::require_admin().await?;
        let form = BotForm {
            enabled: enabled.is_some(),
            fallback_reply,
            out_of_office_reply,
            handover_keywords,
            handover_reply,
            hours_enabled: hours_enabled.is_some(),
            time_zone,
            days: vec![
                (mon_open, mon_close),
                (tue_open, tue_close),
                (wed_open, wed_close),
                (thu_open, thu_close),
                (fri_open, fri_close),
                (sat_open, sat_close),
                (sun_open, sun_close),
            ],
            rules: Vec::new(),
        };
        let settings = form::parse(&form)?;
        let mut conn = AppState::get()?.pool.acquire().await?;
        Ok(inbox::db::settings::put(&mut conn, inbox::db::settings::BOT, &settings).await?)
    })
    .await
}

/// Creates (`id` empty) or updates a rule.
#[server(endpoint = "admin/bot/save_rule")]
pub async fn save_bot_rule(
    id: Option<i64>,
    keyword: String,
    match_type: String,
    reply: String,
    enabled: Option<String>,
    #[server(default)] buttons: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::bot::form;
    respond(async move {
        auth::require_admin().await?;
        let mut conn = AppState::get()?.pool.acquire().await?;
        Ok(form::save_rule(
            &mut conn,
            id,
            &keyword,
            &match_type,
            &reply,
            enabled.is_some(),
            &buttons,
        )
        .await?)
    })
    .await
}

#[server(endpoint = "admin/bot/delete_rule")]
pub async fn delete_bot_rule(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::db::bot_rules;
    respond(async move {
        auth::require_admin().await?;
        let mut conn = AppState::get()?.pool.acquire().await?;
        Ok(bot_rules::delete(&mut conn, id).await?)
    })
    .await
}
