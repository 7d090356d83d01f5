//! Cross-site request forgery: a state-changing request (anything but GET, HEAD, OPTIONS) that
//! a browser sends from another origin is refused with 403, so a page elsewhere (or on a
//! sibling subdomain, which SameSite=Lax cookies do not stop) cannot sign someone in as the
//! attacker or act with their session. Browsers name the origin of every cross-origin POST in
//! `Origin` (or at least `Referer`); a request with neither is not a browser's cross-site
//! request (scripts, API clients) and passes. Provider webhooks and the API are exempt: they
//! are authenticated by signature, secret or API key, and never by a browser's cookies.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The origin pages are served from: `INBOX_PUBLIC_URL`'s when set, else the request's `Host`.
#[derive(Debug, Clone, Default)]
pub struct SiteOrigin(Option<url::Url>);

impl SiteOrigin {
    pub fn new(public_url: Option<&str>) -> SiteOrigin {
        SiteOrigin(public_url.and_then(|u| url::Url::parse(u).ok()))
    }
}

fn exempt(path: &str) -> bool {
    path.starts_with("/api/webhooks/")
        || path.starts_with("/webhook/")
        || path.starts_with("/webhooks/")
        || crate::platform::key_authenticated(path)
}

/// Why a request's origin is refused, if it is.
fn refused(site: &SiteOrigin, method: &Method, path: &str, headers: &HeaderMap) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || exempt(path) {
        return None;
    }
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (claimed, from) = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => (origin, "Origin"),
        (None, Some(referer)) => (referer, "Referer"),
        (None, None) => return None,
    };
    let Ok(claimed_url) = url::Url::parse(claimed) else {
        return Some(format!("{from} {claimed:?} is not this site"));
    };
    let same = match &site.0 {
        Some(public) => claimed_url.origin() == public.origin(),
        // No public URL configured: the host (and port) the browser asked for.
        None => {
            let host = text(header::HOST);
            let authority = match (claimed_url.host_str(), claimed_url.port()) {
                (Some(h), Some(p)) => Some(format!("{h}:{p}")),
                (Some(h), None) => Some(h.to_string()),
                _ => None,
            };
            host.is_some() && authority.as_deref() == host
        }
    };
    (!same).then(|| {
        format!(
            "{from} {:?} is not this site",
            claimed_url.origin().ascii_serialization()
        )
    })
}

pub async fn same_origin_only(
    State(site): State<Arc<SiteOrigin>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(why) = refused(&site, req.method(), req.uri().path(), req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused: {why}");
        return (
            StatusCode::FORBIDDEN,
            format!("cross-site request refused: {why}"),
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_this_sites_origin_may_change_state() {
        let site = SiteOrigin::default();
        let host = (header::HOST, "inbox.example.com");
        let post = |pairs: &[(header::HeaderName, &str)]| {
            refused(&site, &Method::POST, "/api/chats/reply", &headers(pairs))
        };
        assert_eq!(
            post(&[host.clone(), (header::ORIGIN, "https://inbox.example.com")]),
            None
        );
        assert!(post(&[host.clone(), (header::ORIGIN, "https://evil.example")]).is_some());
        assert!(
            post(&[host.clone(), (header::ORIGIN, "https://shop.example.com")]).is_some(),
            "a sibling subdomain"
        );
        assert!(post(&[host.clone(), (header::ORIGIN, "null")]).is_some());
        assert!(post(&[host.clone(), (header::REFERER, "https://evil.example/page")]).is_some());
        assert_eq!(
            post(&[
                host.clone(),
                (header::REFERER, "https://inbox.example.com/inbox/3")
            ]),
            None
        );
        assert_eq!(post(std::slice::from_ref(&host)), None, "not a browser");
        assert_eq!(
            refused(
                &site,
                &Method::GET,
                "/inbox",
                &headers(&[host.clone(), (header::ORIGIN, "https://evil.example")])
            ),
            None
        );
        assert_eq!(
            refused(
                &site,
                &Method::POST,
                "/api/webhooks/whatsapp",
                &headers(&[(header::ORIGIN, "https://evil.example")])
            ),
            None
        );
        let public = SiteOrigin::new(Some("https://inbox.example.com"));
        let h = headers(&[
            (header::HOST, "10.0.0.5:3000"),
            (header::ORIGIN, "https://inbox.example.com"),
        ]);
        assert_eq!(
            refused(&public, &Method::POST, "/api/login", &h),
            None,
            "behind a proxy"
        );
        let h = headers(&[
            (header::HOST, "inbox.example.com"),
            (header::ORIGIN, "http://inbox.example.com"),
        ]);
        assert!(
            refused(&public, &Method::POST, "/api/login", &h).is_some(),
            "another scheme"
        );
    }
}
