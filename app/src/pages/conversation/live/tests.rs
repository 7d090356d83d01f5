//! How a catch-up's answer is joined to what is shown, or the conversation fetched anew.

use super::*;
use serde_json::json;

fn message(id: i64) -> MessageView {
    serde_json::from_value(json!({
        "message_id": id, "chat_id": 1, "direction": "in", "sender_kind": "customer",
        "kind": "text", "body": format!("pesan {id}"), "status": "received",
        "sent_at": "2026-12-07T10:00:00Z",
    }))
    .unwrap()
}

fn chat() -> ChatSummary {
    serde_json::from_value(json!({
        "chat_id": 1, "channel_id": 1, "channel_kind": "sandbox", "channel_name": "Sandbox",
        "contact_id": 1, "mode": "bot", "unread_count": 0,
    }))
    .unwrap()
}

/// The newest page as a catch-up gets it: messages `ids`, and whether older ones exist.
fn newest(ids: std::ops::RangeInclusive<i64>, has_older: bool) -> Conversation {
    serde_json::from_value(json!({
        "chat": chat(),
        "customer": { "first_contact_at": "2026-12-01T10:00:00Z", "chat_count": 1 },
        "messages": ids.map(message).collect::<Vec<_>>(),
        "has_older": has_older,
    }))
    .unwrap()
}

/// The page was drawn with messages 1 and 2; sixty more came before the live stream opened,
/// and the newest changed live (an agent's read receipt) before the catch-up's answer, just
/// before or just after the catch-up began. The answer (the newest 50: 13 to 62) does not
/// reach message 2: the conversation is fetched anew, rather than joined with 3 to 12
/// missing.
#[test]
fn a_live_change_past_a_gap_does_not_make_the_answer_reach() {
    Owner::new().with(|| {
        for change_first in [true, false] {
            let live = LiveChat::new();
            live.stream_opened();
            if change_first {
                live.apply(message(62), false);
            }
            let began = live.next_change();
            if !change_first {
                live.apply(message(62), false);
            }
            live.catch_up(
                ChatId(1),
                began,
                newest(13..=62, true),
                Some((vec![message(1), message(2)], chat())),
                Vec::new(),
            );
            assert_eq!(
                live.reload.get_untracked(),
                1,
                "fetched anew ({change_first})"
            );
        }
    });
}

/// Messages that arrived live while the view was caught up follow what is shown: when the
/// stream reopens after 98 of them, the newest page (51 to 100) is joined, not fetched anew.
#[test]
fn what_arrived_while_caught_up_is_reached() {
    Owner::new().with(|| {
        let live = LiveChat::new();
        let page = || Some((vec![message(1), message(2)], chat()));
        live.stream_opened();
        live.catch_up(
            ChatId(1),
            live.next_change(),
            newest(1..=2, false),
            page(),
            Vec::new(),
        );
        for id in 3..=100 {
            live.apply(message(id), true);
        }
        live.stream_opened();
        live.catch_up(
            ChatId(1),
            live.next_change(),
            newest(51..=100, true),
            page(),
            Vec::new(),
        );
        assert_eq!(live.reload.get_untracked(), 0, "joined, not fetched anew");
    });
}

/// An answer that reaches what is shown is joined to it: the new messages are added as
/// created, nothing is fetched anew.
#[test]
fn an_answer_that_reaches_what_is_shown_is_joined() {
    Owner::new().with(an_answer_that_reaches);
}

fn an_answer_that_reaches() {
    let live = LiveChat::new();
    let began = live.next_change();
    live.apply(message(40), false);
    live.catch_up(
        ChatId(1),
        began,
        newest(2..=40, true),
        Some((vec![message(1), message(2)], chat())),
        Vec::new(),
    );
    assert_eq!(live.reload.get_untracked(), 0);
    let added: Vec<i64> = live
        .changes_untracked()
        .iter()
        .map(|m| m.message_id.0)
        .collect();
    // The live change first, then those the answer added, in order.
    assert_eq!(added, std::iter::once(40).chain(3..=39).collect::<Vec<_>>());
}
