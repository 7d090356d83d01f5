//! The benchmark's webhooks: its customers' messages in each provider's wire format
//! (`test_support::bodies`), posted as that provider posts them (`test_support::signature`).

use crate::server::{META_PHONE_ID, META_SECRET, WHAPI_SECRET};
use test_support::bodies::{MetaFixture, WhapiFixture};
use test_support::signature::{meta_request, whapi_request};

pub use test_support::bodies::Msg;

pub const META_BUSINESS_ACCOUNT: &str = "100000000000000";

const META: MetaFixture = MetaFixture {
    business_account_id: META_BUSINESS_ACCOUNT,
    display_phone_number: "6281234500000",
    phone_number_id: META_PHONE_ID,
    contact_name: "Bench",
    status_recipient: "",
};

const WHAPI: WhapiFixture = WhapiFixture {
    channel_id: "BENCH",
    contact_name: "Bench",
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Provider {
    Meta,
    Whapi,
}

impl Provider {
    pub fn request(
        self,
        client: &reqwest::Client,
        base: &str,
        msgs: &[Msg],
    ) -> reqwest::RequestBuilder {
        match self {
            Provider::Meta => meta_request(client, base, META_SECRET, META.messages(msgs)),
            Provider::Whapi => {
                whapi_request(client, base, Some(WHAPI_SECRET), WHAPI.messages(msgs))
            }
        }
    }
}
