//! The expectation table: one [`Case`] per fixture file in `testdata/`.

use super::*;

pub(crate) fn cases() -> Vec<Case> {
    use MessageKind as K;
    vec![
        meta(
            "meta_text.json",
            vec![Msg {
                text: Some("Halo, pesanan saya #INV-2231 belum sampai. Bisa dicek?"),
                ..meta_msg(
                    "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNBMDFCMkMzRDRFNUY2MDcxODI5AA==",
                    RINA,
                    "Rina Wulandari",
                    1760000000,
                    K::Text,
                )
            }],
        ),
        meta(
            "meta_image.json",
            vec![Msg {
                text: Some("Paketnya rusak seperti ini"),
                media_id: Some("1003383421387256"),
                mime: Some("image/jpeg"),
                ..meta_msg(
                    "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNBQTExQjIyQzMzRDQ0RTU1RjY2AA==",
                    RINA,
                    "Rina Wulandari",
                    1760000120,
                    K::Image,
                )
            }],
        ),
        meta(
            "meta_audio_voice.json",
            vec![Msg {
                media_id: Some("1908647269898587"),
                mime: Some("audio/ogg; codecs=opus"),
                ..meta_msg(
                    "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNBNzc4ODk5MEFBQkJDQ0RERUUwAA==",
                    BUDI,
                    "Budi Santoso",
                    1760000300,
                    K::Audio,
                )
            }],
        ),
        meta(
            "meta_location.json",
            vec![Msg {
                text: Some("Grand Indonesia, Jl. M.H. Thamrin No.1, Jakarta Pusat"),
                ..meta_msg(
                    "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNCMTIzNDU2Nzg5MEFCQ0RFRjAxAA==",
                    BUDI,
                    "Budi Santoso",
                    1760000360,
                    K::Location,
                )
            }],
        ),
        meta(
            "meta_contacts.json",
            vec![Msg {
                text: Some("Dewi Lestari"),
                ..meta_msg(
                    "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNCOTg3NjU0MzIxMEZFRENCQTk4AA==",
                    RINA,
                    "Rina Wulandari",
                    1760000420,
                    K::Contacts,
                )
            }],
        ),
        meta(
            "meta_interactive_button_reply.json",
            vec![Msg {
                text: Some("Bicara dgn agen"),
                choice: Some("talk-to-agent"),
                reply_to: Some("wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjcwQzZFQkU2QjREQ0ZBNUNGNQA="),
                ..meta_msg(
                    "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNBNkFDODQzNDhCNEIzQ0Y2RUY4AA==",
                    RINA,
                    "Rina Wulandari",
                    1760000600,
                    K::InteractiveReply,
                )
            }],
        ),
        meta(
            "meta_interactive_list_reply.json",
            vec![Msg {
                text: Some("Refund / pengembalian"),
                choice: Some("topic_refund"),
                reply_to: Some("wamid.HBgNNjI4NTcxMjM0NTY3OBUCABEYEjQxMjU1NTA4MjlCQ0RFRjAxMgA="),
                ..meta_msg(
                    "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNBRkZFRUREQ0NCQkFBOTk4ODc3AA==",
                    BUDI,
                    "Budi Santoso",
                    1760000660,
                    K::InteractiveReply,
                )
            }],
        ),
        meta(
            "meta_button_quick_reply.json",
            vec![Msg {
                text: Some("Ya, alamat benar"),
                choice: Some("CONFIRM_DELIVERY_ADDRESS"),
                reply_to: Some("wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjRBRDYyMDg0RjJGQTE2MzJERQA="),
                ..meta_msg(
                    "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNCQUJDREVGMDEyMzQ1Njc4OUFCAA==",
                    RINA,
                    "Rina Wulandari",
                    1760000720,
                    K::InteractiveReply,
                )
            }],
        ),
        meta(
            "meta_reaction.json",
            vec![
                Msg {
                    text: Some("\u{1F44D}"),
                    reply_to: Some(
                        "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjVGNDI1QTc0RjEzMDMzNDkyQQA=",
                    ),
                    ..meta_msg(
                        "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNDMDAxMTIyMzM0NDU1NjY3Nzg4AA==",
                        RINA,
                        "Rina Wulandari",
                        1760000780,
                        K::Reaction,
                    )
                },
                Msg {
                    text: None, // emoji omitted = reaction removed
                    reply_to: Some(
                        "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjVGNDI1QTc0RjEzMDMzNDkyQQA=",
                    ),
                    ..meta_msg(
                        "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNDOTk4ODc3NjY1NTQ0MzMyMjExAA==",
                        RINA,
                        "Rina Wulandari",
                        1760000790,
                        K::Reaction,
                    )
                },
            ],
        ),
        meta(
            "meta_unsupported.json",
            vec![meta_msg(
                "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNEMTEyMjMzNDQ1NTY2Nzc4ODk5AA==",
                BUDI,
                "Budi Santoso",
                1760000840,
                K::Unsupported,
            )],
        ),
        Case {
            statuses: vec![Status {
                id: "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjVGNDI1QTc0RjEzMDMzNDkyQQA=",
                channel: META_CH,
                state: DeliveryState::Read,
                at: 1760000700,
                error_code: None,
                recipient: Some(RINA),
            }],
            ..meta("meta_status_read.json", vec![])
        },
        Case {
            statuses: vec![Status {
                id: "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABEYEjA4RTc5M0NEM0FDM0E1RkIwNgA=",
                channel: META_CH,
                state: DeliveryState::Failed,
                at: 1760090000,
                error_code: Some("131047"),
                recipient: Some(BUDI),
            }],
            ..meta("meta_status_failed_131047.json", vec![])
        },
        Case {
            statuses: vec![
                Status {
                    id: "wamid.HBgNNjI4MTk5ODg3NzY2NRUCABEYEjE2NDY3MDQzNTk1QUJDREVGMAA=",
                    channel: "106540352299999",
                    state: DeliveryState::Sent,
                    at: 1760000998,
                    error_code: None,
                    recipient: Some("6281998877665"),
                },
                Status {
                    id: "wamid.HBgNNjI4MTk5ODg3NzY2NRUCABEYEjE2NDY3MDQzNTk1QUJDREVGMAA=",
                    channel: "106540352299999",
                    state: DeliveryState::Delivered,
                    at: 1760000999,
                    error_code: None,
                    recipient: Some("6281998877665"),
                },
            ],
            ..meta(
                "meta_multi_entry_batch.json",
                vec![
                    Msg {
                        text: Some("Bukti transfer"),
                        media_id: Some("622684793477189"),
                        mime: Some("application/pdf"),
                        ..meta_msg(
                            "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFDNFMDEwMjAzMDQwNTA2MDcwODA5AA==",
                            RINA,
                            "Rina Wulandari",
                            1760001000,
                            K::Document,
                        )
                    },
                    Msg {
                        text: Some("Video unboxing"),
                        media_id: Some("1166846181421424"),
                        mime: Some("video/mp4"),
                        ..meta_msg(
                            "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNFMTExMjEzMTQxNTE2MTcxODE5AA==",
                            BUDI,
                            "Budi Santoso",
                            1760001002,
                            K::Video,
                        )
                    },
                    Msg {
                        media_id: Some("1908647269898590"),
                        mime: Some("image/webp"),
                        ..meta_msg(
                            "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABIYFDNFMjEyMjIzMjQyNTI2MjcyODI5AA==",
                            BUDI,
                            "Budi Santoso",
                            1760001005,
                            K::Sticker,
                        )
                    },
                ],
            )
        },
        meta(
            "meta_text_username_no_phone.json",
            vec![Msg {
                from_phone: None,
                from_user_id: Some("ID.13491208655302741918"),
                text: Some("Hi, I found you via your username. Do you ship to Bandung?"),
                ..meta_msg(
                    "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                    "",
                    "Sari P.",
                    1779000000,
                    K::Text,
                )
            }],
        ),
        Case {
            file: "whapi_text.json",
            provider: ProviderKind::Whapi,
            messages: vec![Msg {
                id: "p.w30M7fgwWD4XwHu.g4CA-gBgTwl0rVw",
                channel: WHAPI_CH,
                from_phone: Some(RINA),
                from_name: Some("Rina Wulandari"),
                sent_at: 1760000000,
                kind: Some(K::Text),
                text: Some("Halo, pesanan saya #INV-2231 belum sampai. Bisa dicek?"),
                ..Msg::default()
            }],
            statuses: vec![],
            echoes: vec![],
            rejected: 0,
        },
        Case {
            file: "whapi_from_me_echo.json",
            provider: ProviderKind::Whapi,
            messages: vec![], // from_me: true must never be a customer message
            statuses: vec![],
            echoes: vec![Echo {
                id: "yqJRppZk7BI-wNoTwl0rVw",
                channel: WHAPI_CH,
                to_phone: Some(RINA),
                text: Some("Baik Kak Rina, kami cek dulu ya."),
                sent_at: 1760000060,
            }],
            rejected: 0,
        },
        Case {
            file: "whapi_status_delivered.json",
            provider: ProviderKind::Whapi,
            messages: vec![],
            statuses: vec![Status {
                id: "yqJRppZk7BI-wNoTwl0rVw",
                channel: WHAPI_CH,
                state: DeliveryState::Delivered,
                at: 1760000062,
                error_code: None,
                recipient: Some(RINA),
            }],
            echoes: vec![],
            rejected: 0,
        },
        Case {
            file: "qontak_message_from_customer.json",
            provider: ProviderKind::Qontak,
            messages: vec![Msg {
                id: "4198c4b2-d39d-45b5-ac9c-89bccb9513ec",
                channel: "b3a2ee0b-7dac-47b8-a115-7bc63abf8f15",
                from_phone: Some(RINA),
                from_name: Some("Rina Wulandari"),
                sent_at: 1760000000, // "2025-10-09T08:53:20.000Z"
                kind: Some(K::Text),
                text: Some("Halo, pesanan saya #INV-2231 belum sampai. Bisa dicek?"),
                ..Msg::default()
            }],
            statuses: vec![],
            echoes: vec![],
            rejected: 0,
        },
        Case {
            file: "waha_message.json",
            provider: ProviderKind::Waha,
            messages: vec![Msg {
                id: "false_6281298765432@c.us_3EB0C127D7BACC83D6A1",
                channel: "default",
                from_phone: Some(RINA),
                from_name: Some("Rina Wulandari"),
                sent_at: 1760000000,
                kind: Some(K::Text),
                text: Some("Halo, pesanan saya #INV-2231 belum sampai. Bisa dicek?"),
                ..Msg::default()
            }],
            statuses: vec![],
            echoes: vec![],
            rejected: 0,
        },
        Case {
            file: "gateway_message_in.json",
            provider: ProviderKind::Gateway,
            messages: vec![Msg {
                id: "3EB0C127D7BACC83D6A1",
                channel: "gw-1",
                from_phone: Some(RINA),
                from_name: Some("Rina Wulandari"),
                sent_at: 1760000000, // 1760000000000 ms
                kind: Some(K::Text),
                text: Some("Halo, pesanan saya #INV-2231 belum sampai. Bisa dicek?"),
                ..Msg::default()
            }],
            statuses: vec![],
            echoes: vec![],
            rejected: 0,
        },
    ]
}
