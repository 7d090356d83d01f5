//! Unit tests for [`decide`]: the decision order, rule selection, fallback,
//! handover and out-of-office behaviour.

use super::*;
use chrono::TimeZone;
use MatchType::{Contains, Exact};

fn rule(id: i64, keyword: &str, match_type: MatchType) -> Rule {
    Rule {
        id,
        keyword: keyword.into(),
        match_type,
        reply: format!("reply {id}"),
        enabled: true,
        buttons: Vec::new(),
    }
}

fn reply(id: i64) -> Decision {
    Decision::Reply {
        text: format!("reply {id}"),
        rule_id: Some(id),
    }
}

/// Monday 2025-01-06 at `h:00` WIB (Asia/Jakarta, UTC+7).
fn monday_wib(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap() + chrono::Duration::hours(i64::from(h) - 7)
}

fn open_now() -> DateTime<Utc> {
    monday_wib(10)
}

fn closed_now() -> DateTime<Utc> {
    monday_wib(22)
}

fn rules() -> Vec<Rule> {
    vec![
        rule(1, "halo", Exact),
        rule(2, "harga", Contains),
        rule(3, "jam buka", Contains),
    ]
}

fn with_hours_and_ooo() -> BotSettings {
    BotSettings {
        business_hours: Some(BusinessHours::default()),
        out_of_office_reply: Some("Kami sedang tutup".into()),
        ..BotSettings::default()
    }
}

#[test]
fn global_switch_off_is_silent_even_for_matches_and_handover() {
    let settings = BotSettings {
        enabled: false,
        fallback_reply: Some("fallback".into()),
        ..with_hours_and_ooo()
    };
    for text in ["halo", "admin", "anything", ""] {
        assert_eq!(
            decide(&settings, &rules(), text, open_now()),
            Decision::Silent
        );
        assert_eq!(
            decide(&settings, &rules(), text, closed_now()),
            Decision::Silent
        );
    }
}

#[test]
fn exact_rule_matches_only_the_whole_message() {
    let settings = BotSettings::default();
    assert_eq!(decide(&settings, &rules(), "Halo!", open_now()), reply(1));
    assert_eq!(
        decide(&settings, &rules(), "halo kak", open_now()),
        Decision::Silent
    );
}

#[test]
fn contains_rule_matches_inside_a_sentence() {
    let settings = BotSettings::default();
    let text = "Kak, berapa HARGA kaos ini?";
    assert_eq!(decide(&settings, &rules(), text, open_now()), reply(2));
    let text = "kapan  Jam Buka tokonya?";
    assert_eq!(decide(&settings, &rules(), text, open_now()), reply(3));
}

#[test]
fn matching_ignores_case_unicode_case_and_surrounding_space() {
    let settings = BotSettings::default();
    for text in ["HALO", "Halo!", "  halo  ", "\thalo\n"] {
        assert_eq!(
            decide(&settings, &rules(), text, open_now()),
            reply(1),
            "{text:?}"
        );
    }
    let rules = [rule(7, "Ünïcödé", Exact)];
    assert_eq!(decide(&settings, &rules, "ÜNÏCÖDÉ?", open_now()), reply(7));
}

#[test]
fn single_word_contains_keyword_does_not_match_inside_another_word() {
    let settings = BotSettings {
        handover_keywords: vec![],
        ..BotSettings::default()
    };
    let rules = [rule(1, "cs", Contains)];
    assert_eq!(
        decide(&settings, &rules, "do you sell discs?", open_now()),
        Decision::Silent
    );
    assert_eq!(
        decide(&settings, &rules, "mau tanya CS", open_now()),
        reply(1)
    );
}

#[test]
fn disabled_rules_are_skipped() {
    let mut rules = rules();
    rules[0].enabled = false;
    rules.push(rule(4, "halo", Contains));
    let decision = decide(&BotSettings::default(), &rules, "halo", open_now());
    assert_eq!(decision, reply(4));
}

#[test]
fn exact_beats_contains_regardless_of_list_order() {
    let rules = [rule(1, "harga", Contains), rule(2, "harga", Exact)];
    let settings = BotSettings::default();
    assert_eq!(decide(&settings, &rules, "Harga?", open_now()), reply(2));
    assert_eq!(
        decide(&settings, &rules, "harga kaos", open_now()),
        reply(1)
    );
}

#[test]
fn first_matching_rule_wins_among_rules_of_the_same_type() {
    let rules = [
        rule(1, "ongkir", Contains),
        rule(2, "harga", Contains),
        rule(3, "ongkir", Contains),
    ];
    let text = "harga dan ongkir ke Bandung?";
    assert_eq!(
        decide(&BotSettings::default(), &rules, text, open_now()),
        reply(1)
    );
    let exact = [rule(5, "p", Exact), rule(6, "P", Exact)];
    assert_eq!(
        decide(&BotSettings::default(), &exact, "p", open_now()),
        reply(5)
    );
}

#[test]
fn no_match_sends_the_fallback_when_set_and_is_silent_otherwise() {
    let text = "apakah ada warna merah?";
    let silent = BotSettings::default();
    assert_eq!(
        decide(&silent, &rules(), text, open_now()),
        Decision::Silent
    );
    let with_fallback = BotSettings {
        fallback_reply: Some("Maaf, belum paham".into()),
        ..BotSettings::default()
    };
    let expected = Decision::Reply {
        text: "Maaf, belum paham".into(),
        rule_id: None,
    };
    assert_eq!(decide(&with_fallback, &rules(), text, open_now()), expected);
    let blank = BotSettings {
        fallback_reply: Some("  ".into()),
        ..BotSettings::default()
    };
    assert_eq!(decide(&blank, &rules(), text, open_now()), Decision::Silent);
}

#[test]
fn handover_keyword_wins_over_rules_outside_business_hours() {
    let settings = BotSettings {
        handover_reply: Some("Mohon tunggu".into()),
        ..with_hours_and_ooo()
    };
    let rules = [rule(1, "admin", Exact), rule(2, "harga", Contains)];
    let expected = Decision::Handover {
        reply: Some("Mohon tunggu".into()),
    };
    for now in [open_now(), closed_now()] {
        assert_eq!(decide(&settings, &rules, "ADMIN!", now), expected);
        assert_eq!(
            decide(&settings, &rules, "harga? mau ke manusia aja", now),
            expected
        );
    }
}

#[test]
fn handover_keywords_match_whole_words_only() {
    let settings = BotSettings::default();
    for text in ["do you sell discs?", "administrasi", "humanity"] {
        assert_eq!(
            decide(&settings, &[], text, open_now()),
            Decision::Silent,
            "{text:?}"
        );
    }
    let custom = BotSettings {
        handover_keywords: vec!["Customer Service".into()],
        ..BotSettings::default()
    };
    let decision = decide(
        &custom,
        &[],
        "mau bicara dgn customer   service",
        open_now(),
    );
    assert_eq!(decision, Decision::Handover { reply: None });
    assert_eq!(decide(&custom, &[], "admin", open_now()), Decision::Silent);
}

#[test]
fn out_of_office_is_sent_only_outside_hours() {
    let settings = with_hours_and_ooo();
    let ooo = Decision::OutOfOffice {
        text: "Kami sedang tutup".into(),
    };
    assert_eq!(decide(&settings, &rules(), "halo", closed_now()), ooo);
    assert_eq!(decide(&settings, &rules(), "halo", open_now()), reply(1));
}

#[test]
fn outside_hours_without_out_of_office_text_rules_still_apply() {
    for out_of_office_reply in [None, Some(" ".to_owned())] {
        let settings = BotSettings {
            out_of_office_reply,
            ..with_hours_and_ooo()
        };
        assert_eq!(decide(&settings, &rules(), "halo", closed_now()), reply(1));
        let text = "warna merah ada?";
        assert_eq!(
            decide(&settings, &rules(), text, closed_now()),
            Decision::Silent
        );
    }
}

#[test]
fn no_business_hours_means_always_open() {
    let settings = BotSettings {
        business_hours: None,
        ..with_hours_and_ooo()
    };
    assert_eq!(decide(&settings, &rules(), "halo", closed_now()), reply(1));
}

#[test]
fn decisions_and_settings_serialise_with_plain_names() {
    let json = serde_json::to_value(reply(3)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "reply", "text": "reply 3", "rule_id": 3})
    );
    let json = serde_json::to_value(rule(1, "halo", Exact)).unwrap();
    assert_eq!(json["match_type"], "exact");
    let partial: BotSettings = serde_json::from_str(r#"{"enabled": false}"#).unwrap();
    assert_eq!(
        partial,
        BotSettings {
            enabled: false,
            ..BotSettings::default()
        }
    );
    assert_eq!(
        partial.handover_keywords,
        ["agent", "human", "manusia", "cs", "admin"]
    );
}

#[test]
fn business_hours_round_trip_through_json_with_a_default_zone() {
    let hours = BusinessHours::default();
    let json = serde_json::to_string(&hours).unwrap();
    assert!(json.contains("\"08:00:00\""), "{json}");
    assert_eq!(serde_json::from_str::<BusinessHours>(&json).unwrap(), hours);
    let sunday_night =
        r#"{"days":[null,null,null,null,null,null,{"open":"20:00","close":"02:00"}]}"#;
    let parsed: BusinessHours = serde_json::from_str(sunday_night).unwrap();
    assert_eq!(parsed.time_zone, DEFAULT_TIME_ZONE);
    assert_eq!(parsed.days[6], Some(DayHours::new(20, 0, 2, 0)));
}

#[test]
fn a_tap_answers_with_the_rule_whose_keyword_is_its_id() {
    let rules = [
        rule(1, "menu", Exact),
        rule(2, "harga", Exact),
        rule(3, "ongkir", Contains),
    ];
    let s = BotSettings::default();
    // The title the customer sees may differ from the id the rule matches.
    assert_eq!(
        decide_choice(&s, &rules, "Cek harga dong", Some("Harga"), open_now()),
        reply(2)
    );
    assert_eq!(
        decide_choice(
            &s,
            &rules,
            "Ongkos kirim",
            Some("ButtonsV3:ongkir"),
            open_now()
        ),
        reply(3)
    );
    // An id no rule knows: the text decides.
    assert_eq!(
        decide_choice(&s, &rules, "menu", Some("unknown_id"), open_now()),
        reply(1)
    );
    // A tap on "talk to an agent" hands over, whatever its title.
    assert_eq!(
        decide_choice(
            &s,
            &rules,
            "Bicara dgn petugas",
            Some("talk-to-agent"),
            open_now()
        ),
        Decision::Handover { reply: None }
    );
}
