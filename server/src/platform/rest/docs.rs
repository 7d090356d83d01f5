//! `/api/docs`: the API's readable page, made on the server from the same OpenAPI document
//! (no script, nothing loaded from elsewhere): how to authenticate, idempotency, the rate
//! limit, the gateway-compatible endpoints, webhooks and how to verify them, then every
//! operation with its parameters, body and answers.

use super::OPENAPI;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const GUIDE: &str = r#"
<h2 id="auth">Authentication</h2>
<p>Every call carries an API key (admins make them on the <a href="/admin/api-keys">API keys</a> page): the header <code>X-API-KEY: ik_…</code>, or <code>Authorization: Bearer ik_…</code>, or the query parameter <code>?api_key=ik_…</code>. No key, an unknown key or a revoked one: <code>401</code>. A key limited to some channels gets <code>403</code> for the others. A key in a URL ends up in proxies' logs: prefer the header.</p>
<h2 id="rate">Rate limit</h2>
<p>Each key may make <code>INBOX_API_RATE_PER_MIN</code> calls a minute (600 unless the installation says otherwise), shared by every server process; a burst of a minute's worth is allowed at once. Over it: <code>429</code> with <code>Retry-After</code> (seconds).</p>
<h2 id="idempotency">Idempotency: never send twice</h2>
<p>Every send takes an <code>Idempotency-Key</code> header (any string up to 255 characters, unique per message you mean to send, e.g. <code>order-2231-shipped</code>). The same key with the same body within 24 hours answers the first answer again and sends nothing; another body with the same key is refused with <code>422</code> (<code>idempotency_key_reused</code>). <strong>With it, a client that retries after a timeout never makes a customer receive a message twice</strong> — even when twenty retries arrive at once.</p>
<h2 id="sends">Sends and their states</h2>
<p>A send is stored and queued in one step and answered at once (<code>"status": "queued"</code> and the message's id). The inbox's outbox then delivers it with the same retries and honest states as an agent's reply: <code>queued → sent → delivered → read</code>, or <code>failed</code> with the provider's code and reason. Follow it by webhook (<code>message.status</code>) or with <code>GET /api/v1/messages/{id}</code>. A send counts as an agent's reply: it takes a BOT chat over (the bot stops answering that customer) unless the call says <code>"mode": "keep"</code>. Past Meta's 24-hour window only a template can go (<code>409 outside_24h_window</code>).</p>
<h2 id="gateway">Gateway-compatible endpoints</h2>
<p>Scripts written for the WhatsApp gateways this inbox replaces keep working by changing the base URL and the key: <code>GET /status</code>, <code>POST /send-message</code> <code>{"to", "message", "reply_to_id"}</code>, <code>POST /send-interactive</code> (<code>interactiveButtons</code> with <code>quick_reply</code> / <code>single_select</code>, or <code>{"type": "button"|"list", …}</code>), and the per-device forms <code>/api/services/whatsapp/chat/{channel}/{api_key}[/{phone}/{message}]</code>. They answer in the gateway's shape: <code>{"success": true, "messageId", …}</code>, errors as <code>{"success": false, "error": "BUTTON_LIMIT_EXCEEDED", "message": "…"}</code>. Numbers are normalised (<code>0812…</code> and <code>+62 812-…</code> are <code>62812…</code>).</p>
<h2 id="webhooks">Webhooks</h2>
<p>Admins add endpoints on the <a href="/admin/webhooks">Webhooks</a> page. Each event is <code>POST</code>ed as JSON: <code>{"event": "message.in", "data": {…}, "timestamp": 1760000000123, "id": "evt_42"}</code>. Events: <code>message.in</code> (a customer's message, any kind; a file as a <code>url</code> on this server that needs your key), <code>message.out</code> (anything we sent: agent, bot, API), <code>message.status</code> (sent, delivered, read, failed with the reason), <code>interaction.button</code> (<code>from</code>, <code>messageId</code>, <code>buttonId</code>, <code>buttonText</code>), <code>interaction.list</code> (<code>rowId</code>, <code>rowTitle</code>, <code>rowDescription</code>), <code>connection.update</code>, <code>chat.mode_changed</code>, <code>chat.assigned</code>, <code>chat.closed</code>.</p>
<p>Headers: <code>X-Signature</code> is the lowercase hex HMAC-SHA256 of the <strong>exact raw body</strong> with the endpoint's secret; <code>X-Webhook-Id</code> is the event's id, the same on every retry (deduplicate on it); <code>X-Webhook-Timestamp</code> is the milliseconds inside the body (refuse old ones to stop replays). Answer any 2xx within 10 seconds; anything else is retried with growing pauses for a day, in order per chat. An endpoint failing for an hour is paused until an admin enables it again.</p>
<p>Verify the bytes you received, before parsing them — never a re-serialised object (key order and escaping differ, and the signature will not match):</p>
<pre>// Node.js (Express)
app.post("/inbox-webhook", express.raw({ type: "application/json" }), (req, res) =&gt; {
  const expected = crypto.createHmac("sha256", process.env.INBOX_WEBHOOK_SECRET)
    .update(req.body).digest("hex");
  const given = Buffer.from(req.get("X-Signature") || "", "utf8");
  if (given.length !== expected.length ||
      !crypto.timingSafeEqual(given, Buffer.from(expected, "utf8"))) return res.sendStatus(401);
  if (Math.abs(Date.now() - Number(req.get("X-Webhook-Timestamp"))) &gt; 5 * 60 * 1000) return res.sendStatus(401);
  const event = JSON.parse(req.body);      // only now
  // deduplicate on req.get("X-Webhook-Id"), then handle event.event / event.data
  res.sendStatus(200);
});

# Python (Flask)
@app.post("/inbox-webhook")
def hook():
    raw = request.get_data()              # the bytes, not request.json
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
        abort(401)
    event = json.loads(raw)
    return "", 200</pre>
<h2 id="errors">Errors</h2>
<p><code>/api/v1</code> answers <code>{"error": {"code", "message", "field"}}</code>: <code>code</code> is stable (<code>invalid_phone</code>, <code>button_limit_exceeded</code>, <code>invalid_button_params</code>, <code>outside_24h_window</code>, <code>channel_not_connected</code>, <code>rate_limited</code>, …) and <code>field</code> names the part of the request at fault. The OpenAPI document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
"#;

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One operation, read from its JSON form (the document's own shape).
fn operation(method: &str, path: &str, op: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut html = format!(
        "<section class=\"op\"><h3><code>{}</code> <code>{}</code> — {}</h3>",
        method.to_uppercase(),
        esc(path),
        esc(&text(&op["summary"]))
    );
    if let Some(d) = op["description"].as_str() {
        html += &format!("<p>{}</p>", esc(d).replace("\n\n", "</p><p>"));
    }
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html += "<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>";
        for p in params {
            html += &format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&text(&p["name"])),
                esc(&text(&p["in"])),
                esc(&text(&p["description"]))
            );
        }
        html += "</table>";
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        for (ty, c) in content {
            html += &format!(
                "<p>Body ({})</p><pre>{}</pre>",
                esc(ty),
                esc(&pretty(&c["schema"]))
            );
        }
    }
    html += "<ul>";
    if let Some(responses) = op["responses"].as_object() {
        for (status, r) in responses {
            html += &format!(
                "<li><code>{}</code> {}",
                esc(status),
                esc(&text(&r["description"]))
            );
            if let Some(schema) = r["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| &c["schema"])
            {
                html += &format!(" <code>{}</code>", esc(&schema.to_string()));
            }
            html += "</li>";
        }
    }
    html + "</ul></section>"
}

pub async fn page() -> Response {
    let doc = &*OPENAPI;
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Inbox API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/inbox.css\"></head><body class=\"api-docs\"><main>",
    );
    html += &format!(
        "<h1>{}</h1><p>{}</p>",
        esc(&doc.info.title),
        esc(doc.info.description.as_deref().unwrap_or_default())
    );
    html += GUIDE;
    html += "<h2 id=\"operations\">Operations</h2>";
    let json = serde_json::to_value(doc).unwrap_or_default();
    for (path, item) in json["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item[method].is_object() {
                html += &operation(method, path, &item[method]);
            }
        }
    }
    if let Some(schemas) = json["components"]["schemas"].as_object() {
        html += "<h2 id=\"schemas\">Schemas</h2>";
        for (name, schema) in schemas {
            html += &format!(
                "<h3 id=\"schema-{0}\">{0}</h3><pre>{1}</pre>",
                esc(name),
                esc(&pretty(schema))
            );
        }
    }
    html += "</main></body></html>";
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; frame-ancestors 'none'",
        )],
        Html(html),
    )
        .into_response()
}
