//! Reply buttons and lists, from an agent's composer or a bot rule: checked against WhatsApp's
//! limits before anything is stored (a fourth button is refused with `button_limit_exceeded`),
//! then queued like a text reply, with what they offer kept on the message. The outbox sends
//! real buttons where the provider has them, and the same as a numbered menu elsewhere.

use super::{begin, finish, outbound, queue_one, quoted_id, Sender};
use crate::Error;
use model::{ChatId, MessageId, MessageKind, MessageView, Reason};
use sqlx::PgPool;
use whatsapp::{Interactive, InteractiveRefusal};

pub async fn queue_interactive(
    pool: &PgPool,
    chat_id: ChatId,
    sender: Sender<'_>,
    interactive: &Interactive,
    quoting: Option<MessageId>,
) -> Result<MessageView, Error> {
    let mut tx = pool.begin().await?;
    let view = queue_interactive_in(&mut tx, chat_id, sender, interactive, quoting).await?;
    tx.commit().await?;
    Ok(view)
}

/// The same inside the caller's transaction (the bot answers in the ingest transaction).
pub async fn queue_interactive_in(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
    interactive: &Interactive,
    quoting: Option<MessageId>,
) -> Result<MessageView, Error> {
    check(interactive)?;
    let route = begin(&mut *tx, chat_id, sender).await?;
    let reply_to = quoted_id(&mut *tx, chat_id, quoting).await?;
    let object = serde_json::to_value(interactive).map_err(anyhow::Error::from)?;
    let body = interactive.body.trim();
    let mut message = outbound(
        &route,
        sender,
        MessageKind::Interactive,
        Some(body),
        reply_to.as_deref(),
    );
    message.interactive = Some(&object);
    let delay = super::bot_delay(&route, sender);
    let view = queue_one(&mut *tx, &message, delay, body).await?;
    finish(&mut *tx, &route, sender, delay).await?;
    Ok(view)
}

/// WhatsApp's limits, as a refusal naming the part (`buttons`, `buttons[0].title`).
pub fn check(interactive: &Interactive) -> Result<(), Error> {
    interactive.check().map_err(|e| {
        let reason = match e {
            InteractiveRefusal::ButtonLimitExceeded(_) => Reason::ButtonLimitExceeded,
            InteractiveRefusal::Invalid { .. } => Reason::ButtonParams,
        };
        Error::invalid(e.field().to_owned(), reason)
    })
}

/// An agent's buttons (`form.button` unset) or list: each option's id is its title.
pub fn from_form(form: &model::OptionsForm) -> Interactive {
    let choice = |o: &model::ChoiceView| whatsapp::Choice {
        id: o.title.trim().to_owned(),
        title: o.title.trim().to_owned(),
        description: o
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
    };
    let choices = match form.button.as_deref() {
        None => whatsapp::Choices::Buttons {
            buttons: form.options.iter().map(choice).collect(),
        },
        Some(button) => whatsapp::Choices::List {
            button: button.trim().to_owned(),
            sections: vec![whatsapp::Section {
                title: None,
                rows: form.options.iter().map(choice).collect(),
            }],
        },
    };
    Interactive {
        header: None,
        body: form.body.trim().to_owned(),
        footer: None,
        choices,
    }
}

/// A bot rule's options under its reply: up to three as buttons, more as a list whose button
/// reads "Pilih".
pub fn from_rule(reply: &str, titles: &[String]) -> Interactive {
    from_form(&model::OptionsForm {
        body: reply.to_owned(),
        button: (titles.len() > whatsapp::interactive::MAX_BUTTONS).then(|| "Pilih".to_owned()),
        options: titles
            .iter()
            .map(|t| model::ChoiceView {
                title: t.clone(),
                description: None,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rules_options_are_buttons_up_to_three_then_a_list() {
        let titles = |n: usize| (1..=n).map(|i| format!("Topik {i}")).collect::<Vec<_>>();
        let three = from_rule(" Pilih ", &titles(3));
        assert!(
            matches!(&three.choices, whatsapp::Choices::Buttons { buttons } if buttons.len() == 3)
        );
        assert_eq!(three.body, "Pilih");
        let four = from_rule("Pilih", &titles(4));
        match &four.choices {
            whatsapp::Choices::List { button, sections } => {
                assert_eq!(button, "Pilih");
                assert_eq!(sections[0].rows.len(), 4);
                assert_eq!(sections[0].rows[3].id, "Topik 4");
            }
            other => panic!("a list, not {other:?}"),
        }
        assert!(check(&four).is_ok());
        assert!(check(&from_rule("Pilih", &titles(11))).is_err());
    }

    #[test]
    fn an_agents_list_keeps_descriptions_and_buttons_drop_blank_ones() {
        let form = model::OptionsForm {
            body: "Topik?".into(),
            button: Some("Lihat".into()),
            options: vec![
                model::ChoiceView {
                    title: " Refund ".into(),
                    description: Some("Dana kembali".into()),
                },
                model::ChoiceView {
                    title: "Lacak".into(),
                    description: Some("  ".into()),
                },
            ],
        };
        let list = from_form(&form);
        let rows = list.options();
        assert_eq!(rows[0].id, "Refund");
        assert_eq!(rows[0].description.as_deref(), Some("Dana kembali"));
        assert_eq!(rows[1].description, None);
        assert!(check(&list).is_ok());
        let err = check(&from_form(&model::OptionsForm {
            button: None,
            options: vec![
                model::ChoiceView {
                    title: "Ya".into(),
                    description: None
                };
                4
            ],
            ..form
        }))
        .unwrap_err();
        assert!(matches!(
            err,
            Error::Invalid {
                reason: Reason::ButtonLimitExceeded,
                ..
            }
        ));
    }
}
