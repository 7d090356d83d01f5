//! Demo content for a new workspace: [`sample_rules`] and
//! [`BotSettings::sample`] for an Indonesian online shop, in Bahasa Indonesia
//! and English.

use crate::{BotSettings, BusinessHours, MatchType, Rule};

/// Ten demo rules (ids 1..=10), each keyword in Indonesian and in English.
/// Greetings are `exact` so "halo, berapa harga kaos?" gets the price answer
/// rather than a greeting. The greetings offer the topics as buttons, each
/// answered by the rule of that keyword: a bot menu.
pub fn sample_rules() -> Vec<Rule> {
    use MatchType::{Contains, Exact};
    let rules: [(&str, MatchType, &str); 10] = [
        (
            "halo",
            Exact,
            "Halo kak! 👋 Terima kasih sudah menghubungi kami. Ada yang bisa kami bantu? \
             Pilih topiknya, atau ketik pertanyaan kakak.",
        ),
        (
            "hello",
            Exact,
            "Hello! 👋 Thanks for contacting us. How can we help? \
             Pick a topic, or type your question.",
        ),
        (
            "harga",
            Contains,
            "Daftar harga lengkap ada di katalog WhatsApp kami. Kirim nama produknya, \
             nanti kami cek stok dan harganya ya kak.",
        ),
        (
            "price",
            Contains,
            "Our full price list is in our WhatsApp catalogue. Send us the product name \
             and we'll check stock and price for you.",
        ),
        (
            "ongkir",
            Contains,
            "Ongkir tergantung kota tujuan dan kurir (JNE, J&T, SiCepat). Kirim alamat \
             lengkap kakak, nanti kami hitungkan.",
        ),
        (
            "shipping",
            Contains,
            "Shipping cost depends on the destination and courier (JNE, J&T, SiCepat). \
             Send us your full address and we'll calculate it.",
        ),
        (
            "jam buka",
            Contains,
            "Kami buka Senin–Jumat 08.00–17.00 dan Sabtu 08.00–12.00 WIB. \
             Minggu dan hari libur tutup.",
        ),
        (
            "opening hours",
            Contains,
            "We're open Monday–Friday 08:00–17:00 and Saturday 08:00–12:00 (WIB, UTC+7). \
             Closed on Sundays and public holidays.",
        ),
        (
            "terima kasih",
            Contains,
            "Sama-sama kak! 🙏 Senang bisa membantu.",
        ),
        ("thank you", Contains, "You're welcome! 🙏 Happy to help."),
    ];
    (1..)
        .zip(rules)
        .map(|(id, (keyword, match_type, reply))| Rule {
            id,
            keyword: keyword.to_owned(),
            match_type,
            reply: reply.to_owned(),
            enabled: true,
            buttons: match keyword {
                "halo" => vec!["Harga".into(), "Ongkir".into(), "Jam buka".into()],
                "hello" => vec!["Price".into(), "Shipping".into(), "Opening hours".into()],
                _ => Vec::new(),
            },
        })
        .collect()
}

impl BotSettings {
    /// Demo settings: enabled, [`BusinessHours::default`] (Mon–Fri 08–17,
    /// Sat 08–12, Asia/Jakarta), bilingual fallback, out-of-office and
    /// handover texts, default handover keywords.
    pub fn sample() -> Self {
        Self {
            enabled: true,
            fallback_reply: Some(
                "Maaf kak, pertanyaan ini belum bisa kami jawab otomatis. Ketik *admin* \
                 untuk bicara dengan tim kami.\n\
                 Sorry, we can't answer that automatically. Type *human* to talk to our team."
                    .to_owned(),
            ),
            business_hours: Some(BusinessHours::default()),
            out_of_office_reply: Some(
                "Terima kasih sudah menghubungi kami! Saat ini kami sedang tutup. Jam buka: \
                 Senin–Jumat 08.00–17.00, Sabtu 08.00–12.00 WIB. Pesan kakak akan kami balas \
                 secepatnya.\n\
                 Thanks for your message! We're closed right now. Opening hours: Mon–Fri \
                 08:00–17:00, Sat 08:00–12:00 (WIB). We'll reply as soon as we're back."
                    .to_owned(),
            ),
            handover_reply: Some(
                "Baik kak, kami sambungkan ke tim kami. Mohon tunggu sebentar ya.\n\
                 OK, we're connecting you with our team. Please wait a moment."
                    .to_owned(),
            ),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decide, keyword_matches, validate_rule, Decision};
    use chrono::{TimeZone, Utc};

    #[test]
    fn sample_rules_are_valid_with_ids_one_to_n() {
        let rules = sample_rules();
        assert!((6..=12).contains(&rules.len()));
        for (index, rule) in rules.iter().enumerate() {
            assert_eq!(rule.id, index as i64 + 1);
            assert!(rule.enabled);
            assert_eq!(
                validate_rule(&rule.keyword, &rule.reply),
                Ok(()),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn each_sample_rule_answers_its_own_keyword() {
        let rules = sample_rules();
        let monday_10_wib = Utc.with_ymd_and_hms(2025, 1, 6, 3, 0, 0).unwrap();
        for rule in &rules {
            assert!(keyword_matches(
                &rule.keyword,
                rule.match_type,
                &rule.keyword
            ));
            let decision = decide(&BotSettings::sample(), &rules, &rule.keyword, monday_10_wib);
            let expected = Decision::Reply {
                text: rule.reply.clone(),
                rule_id: Some(rule.id),
            };
            assert_eq!(decision, expected, "{:?}", rule.keyword);
            assert_eq!(crate::validate_buttons(&rule.buttons), Ok(()));
            // Every button of the menu is answered by its own rule.
            for button in &rule.buttons {
                let tap = crate::decide_choice(
                    &BotSettings::sample(),
                    &rules,
                    button,
                    Some(button),
                    monday_10_wib,
                );
                let answered = rules
                    .iter()
                    .find(|r| r.keyword.eq_ignore_ascii_case(button))
                    .map(|r| r.id);
                assert!(
                    matches!(tap, Decision::Reply { rule_id, .. } if rule_id == answered && answered.is_some()),
                    "{button:?}: {tap:?}"
                );
            }
        }
    }

    #[test]
    fn sample_settings_are_valid_and_have_every_text() {
        let settings = BotSettings::sample();
        assert!(settings.enabled);
        assert_eq!(settings.business_hours.as_ref().unwrap().validate(), Ok(()));
        for text in [
            &settings.fallback_reply,
            &settings.out_of_office_reply,
            &settings.handover_reply,
        ] {
            let text = text.as_deref().unwrap();
            assert!(text.contains("kami") && text.contains("our"), "{text}");
            assert_eq!(validate_rule("x", text), Ok(()));
        }
        assert_eq!(
            settings.handover_keywords,
            BotSettings::default().handover_keywords
        );
    }
}
