//! Property tests: whatever arrives at a webhook, `parse` and `verify` never
//! panic, and every `Ok` outcome is well-formed:
//!
//! - every event has a non-blank `provider_message_id` and `channel_key`
//!   (they are the exactly-once dedupe key downstream);
//! - every item of the body is accounted for: it became exactly one event or
//!   one `rejected` reason (nothing is dropped silently), and every reason is
//!   non-blank;
//! - `parse` is deterministic.
//!
//! Inputs: arbitrary bytes, arbitrary JSON (keys biased towards the
//! providers' field names), and mutations of every fixture in `testdata/`
//! (delete keys, replace values, duplicate array elements, truncate, flip a
//! byte). Each property runs against every adapter, including the edge
//! configurations (no Whapi fallback channel, empty fallback channel, no
//! gateway channel key).
//!
//! Case counts are kept modest for the normal suite; set `PROPTEST_CASES=N`
//! for a longer run. For open-ended fuzzing see `fuzz/README.md` at the
//! workspace root.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use serde_json::{Number, Value};
use whatsapp::signature::{hmac_sha256_hex, hmac_sha512_hex};
use whatsapp::{
    GatewayConfig, GatewayProvider, InboundEvent, MetaConfig, MetaProvider, ParseOutcome, Provider,
    ProviderKind, QontakConfig, QontakProvider, VerifyError, WahaConfig, WahaProvider, WhapiConfig,
    WhapiProvider,
};

pub(crate) const META_SECRET: &str = "fixture-app-secret";
pub(crate) const WAHA_KEY: &str = "waha-hmac-secret";
pub(crate) const GATEWAY_SECRET: &str = "gateway-webhook-secret";
pub(crate) const SHARED_SECRET: &str = "shared-webhook-secret";

/// `cases` per property unless `PROPTEST_CASES` asks for more (or fewer).
pub(crate) fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

mod fixtures;
mod invariants;
mod mutations;
mod parse;
mod regressions;
mod strategies;
mod verify;

use fixtures::*;
use invariants::*;
use mutations::*;
use strategies::*;
