//! The sandbox channel's adapter: sending succeeds at once (the reply is already in our
//! database, where the sandbox phone page reads it). Inbound sandbox messages come from the
//! `sandbox_send` server function, not from webhooks.

use whatsapp::{
    ParseError, ParseOutcome, Provider, ProviderKind, Recipient, SendError, SendReceipt,
    VerifyError,
};

#[derive(Debug)]
pub struct SandboxProvider;

#[async_trait::async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    fn verify(&self, _: &http::HeaderMap, _: Option<&str>, _: &[u8]) -> Result<(), VerifyError> {
        Err(VerifyError::NotConfigured("sandbox webhook"))
    }

    fn parse(&self, _: &[u8]) -> Result<ParseOutcome, ParseError> {
        Ok(ParseOutcome::default())
    }

    async fn send_text(
        &self,
        _to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        if text.trim().is_empty() {
            return Err(SendError::permanent("empty message"));
        }
        Ok(SendReceipt {
            provider_message_id: format!("sandbox-out-{idempotency_key}"),
        })
    }
}
