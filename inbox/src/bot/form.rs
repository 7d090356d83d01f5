//! Converting between the admin form and the bot crate's settings, with validation whose
//! reasons are the bot crate's stable codes.

use crate::db::{bot_rules, settings};
use crate::Error;
use bot::{BotSettings, BusinessHours, DayHours, MatchType};
use chrono::NaiveTime;
use model::Reason;
use model::{BotForm, BotRuleView};
use sqlx::PgConnection;

pub async fn load(conn: &mut PgConnection) -> Result<BotForm, Error> {
    let s = settings::bot(conn).await?;
    let rules = bot_rules::all(conn).await?;
    let hours = s.business_hours.clone();
    let shown = hours.clone().unwrap_or_default();
    let fmt = |t: NaiveTime| t.format("%H:%M").to_string();
    Ok(BotForm {
        enabled: s.enabled,
        fallback_reply: s.fallback_reply.unwrap_or_default(),
        out_of_office_reply: s.out_of_office_reply.unwrap_or_default(),
        handover_keywords: s.handover_keywords.join(", "),
        handover_reply: s.handover_reply.unwrap_or_default(),
        hours_enabled: hours.is_some(),
        time_zone: shown.time_zone.clone(),
        days: shown
            .days
            .iter()
            .map(|d| d.map(|d| (fmt(d.open), fmt(d.close))).unwrap_or_default())
            .collect(),
        rules: rules
            .into_iter()
            .map(|r| BotRuleView {
                id: r.id,
                keyword: r.keyword,
                match_type: match r.match_type {
                    MatchType::Exact => "exact".into(),
                    MatchType::Contains => "contains".into(),
                },
                reply: r.reply,
                enabled: r.enabled,
                buttons: r.buttons,
            })
            .collect(),
    })
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

fn time(s: &str) -> Result<NaiveTime, Error> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| Error::invalid("hours", Reason::TimeInvalid))
}

pub fn parse(form: &BotForm) -> Result<BotSettings, Error> {
    let mut days: [Option<DayHours>; 7] = Default::default();
    for (i, (open, close)) in form.days.iter().enumerate().take(7) {
        days[i] = match (open.trim(), close.trim()) {
            ("", "") => None,
            (o, c) => Some(DayHours {
                open: time(o)?,
                close: time(c)?,
            }),
        };
    }
    let hours = BusinessHours {
        time_zone: form.time_zone.trim().to_string(),
        days,
    };
    if form.hours_enabled {
        hours
            .validate()
            .map_err(|e| Error::invalid("hours", reason(&e)))?;
    }
    Ok(BotSettings {
        enabled: form.enabled,
        fallback_reply: text(&form.fallback_reply),
        business_hours: form.hours_enabled.then_some(hours),
        out_of_office_reply: text(&form.out_of_office_reply),
        handover_keywords: form.handover_keywords.split(',').filter_map(text).collect(),
        handover_reply: text(&form.handover_reply),
    })
}

pub async fn save_rule(
    conn: &mut PgConnection,
    id: Option<i64>,
    keyword: &str,
    match_type: &str,
    reply: &str,
    enabled: bool,
    buttons: &str,
) -> Result<(), Error> {
    bot::validate_rule(keyword, reply).map_err(|e| Error::invalid("rule", reason(&e)))?;
    // One option per line; blank lines are not options.
    let buttons: Vec<String> = buttons.lines().filter_map(text).collect();
    bot::validate_buttons(&buttons).map_err(|e| Error::invalid("buttons", reason(&e)))?;
    if !buttons.is_empty() {
        // The reply becomes the body of buttons or a list: WhatsApp's shorter limit.
        let menu = crate::replies::interactive::from_rule(reply, &buttons);
        crate::replies::interactive::check(&menu)?;
    }
    let match_type = match match_type {
        "exact" => MatchType::Exact,
        "contains" => MatchType::Contains,
        _ => return Err(Error::invalid("match_type", Reason::MatchTypeInvalid)),
    };
    bot_rules::save(
        conn,
        id,
        keyword.trim(),
        match_type,
        reply.trim(),
        enabled,
        &buttons,
    )
    .await?;
    Ok(())
}

/// The reason code of a refused rule or schedule.
fn reason(e: &bot::BotError) -> Reason {
    match e {
        bot::BotError::KeywordLength { .. } => Reason::KeywordLength,
        bot::BotError::KeywordWithoutText => Reason::KeywordWithoutText,
        bot::BotError::ReplyLength { .. } => Reason::ReplyLength,
        bot::BotError::UnknownTimeZone(_) => Reason::UnknownTimeZone,
        bot::BotError::EmptyHours { .. } => Reason::EmptyHours,
        bot::BotError::TooManyButtons { .. } => Reason::ButtonLimitExceeded,
        bot::BotError::ButtonTitle { .. } => Reason::ButtonParams,
    }
}
