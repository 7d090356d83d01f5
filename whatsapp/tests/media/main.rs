//! Files both ways against local mock servers speaking Meta's and Whapi's wire formats:
//! `download.rs`, a customer's media (meta-cloud.md §11.3, whapi.md §8.6: the token where it
//! belongs, checksums, sizes, expired media); `upload.rs`, an agent's file uploaded and sent by
//! its id (meta-cloud.md §11.1–11.2, whapi.md §8.1).

mod download;
mod upload;

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use whatsapp::{
    MediaError, MediaRef, MetaConfig, MetaProvider, Provider, WhapiConfig, WhapiProvider,
};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PNID: &str = "106540352242922";
const TOKEN: &str = "EAAG-test-token";
const MEDIA_ID: &str = "1003383421387256";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0 pretend this is a photo of a dented box";

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: format!("{base}/v25.0"),
            access_token: TOKEN.into(),
            phone_number_id: PNID.into(),
            business_account_id: "102290129340398".into(),
            app_secret: "s".into(),
            verify_token: "v".into(),
        },
        reqwest::Client::new(),
    )
}

fn whapi_at(base: &str) -> WhapiProvider {
    WhapiProvider::new(
        WhapiConfig {
            base_url: base.into(),
            token: "whapi-token".into(),
            ..WhapiConfig::default()
        },
        reqwest::Client::new(),
    )
}

fn sha_b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

fn meta_image() -> MediaRef {
    MediaRef {
        id: Some(MEDIA_ID.into()),
        mime_type: Some("image/jpeg".into()),
        sha256: Some(sha_b64(JPEG)),
        ..MediaRef::default()
    }
}

/// Meta's lookup answer (fixture `meta_media_get.json`'s shape) pointing at the mock itself.
async fn meta_lookup(server: &MockServer, file_size: serde_json::Value, sha: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PNID))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}/lookaside/attachments/?mid={MEDIA_ID}&ext=1760001200", server.uri()),
            "mime_type": "image/jpeg",
            "sha256": sha,
            "file_size": file_size,
            "id": MEDIA_ID,
        })))
        .mount(server)
        .await;
}
