//! Listing a business account's message templates (meta-cloud.md §12.1): `GET
//! /{waba-id}/message_templates` with the fields the composer needs, every page (`paging.next`),
//! following only links on the Graph host itself or https.

use super::errors::classify_graph_error;
use super::MetaProvider;
use crate::templates::Template;
use crate::util::{execute, same_origin, snippet};
use crate::SendError;
use serde_json::Value;

/// At most this many pages (of 100) are read: 5,000 templates.
const MAX_PAGES: usize = 50;

impl MetaProvider {
    pub(super) async fn list_templates(&self) -> Result<Vec<Template>, SendError> {
        if self.config.business_account_id.trim().is_empty() {
            return Err(SendError::permanent(
                "the channel has no WhatsApp Business Account id, which lists its templates",
            ));
        }
        let mut url = reqwest::Url::parse(self.config.graph_url.trim_end_matches('/'))
            .map_err(|e| SendError::permanent(format!("Graph URL is not a URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|_| SendError::permanent("Graph URL cannot take a path"))?
            .pop_if_empty()
            .push(self.config.business_account_id.trim())
            .push("message_templates");
        url.query_pairs_mut()
            .append_pair(
                "fields",
                "name,language,status,category,parameter_format,components",
            )
            .append_pair("limit", "100");
        let mut next = url.to_string();
        let mut templates = Vec::new();
        for _ in 0..MAX_PAGES {
            let req = self
                .client
                .get(&next)
                .bearer_auth(&self.config.access_token)
                .timeout(self.timeout);
            let reply = execute(req).await?;
            if !reply.status.is_success() {
                return Err(classify_graph_error(&reply));
            }
            let Some(data) = reply.body.get("data").and_then(Value::as_array) else {
                return Err(SendError::permanent(format!(
                    "Meta answered the template list without data: {}",
                    snippet(&reply.body_text)
                )));
            };
            templates.extend(data.iter().filter_map(Template::from_graph));
            match reply
                .body
                .get("paging")
                .and_then(|p| p.get("next"))
                .and_then(Value::as_str)
            {
                Some(link) if link.starts_with("https://") || same_origin(link, &next) => {
                    next = link.to_owned();
                }
                _ => break,
            }
        }
        Ok(templates)
    }
}
