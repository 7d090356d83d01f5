//! Building the application: connect (or start the private PostgreSQL), migrate, build the
//! router, serve until a shutdown signal. `main` and the tests share all of it.

use crate::config::Config;
use crate::embedded_pg::EmbeddedPostgres;
use crate::{bootstrap, health, live, webhooks, MIGRATOR};
use anyhow::Context;
use app::ssr::{AppState, Settings};
use app::{shell, App};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use inbox::channels::Channels;
use inbox::ingest::queue::IngestQueue;
use inbox::live::Hub;
use inbox::outbox::Outbox;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// Webhook transactions in flight at once per process (each stores a group of bodies).
const INGEST_WORKERS: usize = 4;

/// Where the database lives: the configured server, or our private one (stopped on exit).
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
}

pub async fn connect(config: &Config) -> anyhow::Result<Database> {
    let (options, embedded) = match &config.database_url {
        Some(url) => (
            PgConnectOptions::from_str(url).context("DATABASE_URL")?,
            None,
        ),
        None => {
            let pg = EmbeddedPostgres::start(&config.data_dir, config.pg_bin.as_deref()).await?;
            (pg.connect_options(), Some(pg))
        }
    };
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .context("connect to PostgreSQL")?;
    Ok(Database { pool, embedded })
}

/// Runs our migrations and the session store's.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<PostgresStore> {
    MIGRATOR.run(pool).await.context("run migrations")?;
    let store = PostgresStore::new(pool.clone());
    store.migrate().await.context("create the session tables")?;
    Ok(store)
}

/// Leptos options from `LEPTOS_*` variables (cargo-leptos sets them when it runs the server),
/// with the defaults of our `Cargo.toml` metadata otherwise.
pub fn leptos_options() -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .context("leptos configuration")?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = Arc::from("inbox");
    }
    // A release build (`build_site --release`) leaves hash.txt beside the binary: the site's
    // files then have hashed names, unless LEPTOS_HASH_FILES says otherwise.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
            .is_some_and(|file| file.exists());
    }
    Ok(options)
}

pub fn router(
    state: AppState,
    store: PostgresStore,
    config: &Config,
    channels: Arc<Channels>,
    hub: Hub,
    ingest: IngestQueue,
) -> Router {
    let sessions = SessionManagerLayer::new(store)
        .with_name("inbox_session")
        .with_secure(config.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            config.session_idle_minutes,
        )));
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(webhooks::routes())
        .merge(live::routes())
        .merge(crate::media::routes())
        .merge(crate::uploads::routes())
        .merge(crate::platform::routes(config.api_key_in_path))
        .merge(crate::site::routes(&state.leptos_options))
        .merge(match config.metrics_addr {
            None => crate::metrics::routes(state.pool.clone(), hub.clone()),
            // Served on its own address by `main`.
            Some(_) => Router::new(),
        })
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::Extension(channels))
        .layer(axum::Extension(hub))
        .layer(axum::Extension(ingest))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            Arc::new(crate::csrf::SiteOrigin::new(config.public_url.as_deref())),
            crate::csrf::same_origin_only,
        ))
        .layer(middleware::from_fn(no_store_for_pages))
        .layer(crate::site::compress_pages())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// Pages and API answers carry private data: never cached, so after logout the back button
/// asks the server again (and lands on the login page). Static assets stay cacheable.
async fn no_store_for_pages(req: Request, next: Next) -> Response {
    // Media answers say themselves how they may be kept (`media.rs`).
    let is_asset = req.uri().path().starts_with("/pkg/")
        || req.uri().path() == "/favicon.svg"
        || req.uri().path().starts_with("/media/");
    let mut res = next.run(req).await;
    if !is_asset {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A ready-to-serve application: migrated database, bootstrap accounts, router.
pub struct Application {
    pub state: AppState,
    pub router: Router,
    pub channels: Arc<Channels>,
    /// The reply worker; `main` runs it, tests drive it.
    pub outbox: Outbox,
    /// The media fetchers; `main` runs them, tests drive them.
    pub fetcher: inbox::media::Fetcher,
    /// Outbound webhooks' dispatcher and delivery workers; `main` runs them, tests drive them.
    pub hooks: inbox::hooks::Hooks,
    pub hub: Hub,
    store: PostgresStore,
}

impl Application {
    pub async fn build(config: &Config, pool: PgPool) -> anyhow::Result<Application> {
        crate::metrics::install();
        let store = migrate(&pool).await?;
        bootstrap::run(config, &pool).await?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .context("HTTP client")?;
        let media_dir = config.data_dir.join("media");
        let media = match &config.media.s3 {
            None => inbox::media::MediaStore::open(&media_dir),
            Some(s3) => {
                inbox::media::MediaStore::open_bucket(&media_dir, inbox::media::Bucket::open(s3)?)
            }
        }
        .with_context(|| format!("the media store at {}", media_dir.display()))?;
        let channels = Arc::new(
            Channels::init(
                config.secret_keys()?,
                config.meta.as_ref(),
                config.whapi.as_ref(),
                pool.clone(),
                http,
                media.clone(),
            )
            .await?
            .with_check_timeout(config.check_timeout),
        );
        if channels.whapi_secret_generated {
            if let Some(path) = channels.whapi_webhook_path() {
                let base = config
                    .public_url
                    .as_deref()
                    .unwrap_or("https://<this server>");
                println!(
                    "\n  Whapi webhooks must carry a secret, and WHAPI_WEBHOOK_SECRET is not set: one was\n  \
                     generated and stored with the channel. Set this as the channel's webhook URL in\n  \
                     Whapi (once; it stays the same across restarts):\n    {}{path}\n",
                    base.trim_end_matches('/')
                );
            }
        }
        if config.demo && config.demo_data {
            inbox::demo::seed(&pool).await?;
        }
        let hub = Hub::start(pool.clone()).await;
        tokio::spawn(channels.clone().follow(hub.clone()));
        tokio::spawn(inbox::channels::activity::flush_until_stopped(
            channels.clone(),
            std::future::pending(),
        ));
        let outbox = Outbox::new(
            pool.clone(),
            channels.clone(),
            media.clone(),
            config.outbox.clone(),
        );
        let fetcher = inbox::media::Fetcher::new(
            pool.clone(),
            channels.clone(),
            media.clone(),
            config.media.clone(),
        );
        let hooks = inbox::hooks::Hooks::new(
            pool.clone(),
            config.secret_keys()?,
            inbox::hooks::HookSettings {
                public_url: config.public_url.clone().unwrap_or_else(|| {
                    format!(
                        "http://{}",
                        leptos_options()
                            .map(|o| o.site_addr.to_string())
                            .unwrap_or_default()
                    )
                }),
                ..config.hooks.clone()
            },
        )?;
        hooks.reseal().await?;
        let state = AppState {
            hooks: hooks.clone(),
            media,
            api_keys: Arc::new(config.api_keys()?),
            leptos_options: leptos_options()?,
            pool,
            channels: channels.clone(),
            settings: Arc::new(Settings {
                demo: config.demo,
                reopen_mode: config.reopen_mode,
                trusted_proxies: config.trusted_proxies.clone(),
                public_url: config.public_url.clone(),
            }),
        };
        let router = router(
            state.clone(),
            store.clone(),
            config,
            channels.clone(),
            hub.clone(),
            IngestQueue::start(state.pool.clone(), config.reopen_mode, INGEST_WORKERS),
        );
        Ok(Application {
            state,
            router,
            channels,
            outbox,
            fetcher,
            hooks,
            hub,
            store,
        })
    }

    /// Serves until `shutdown` resolves, then ends event streams and finishes in-flight
    /// requests.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let cleanup = tokio::spawn(
            self.store
                .clone()
                .continuously_delete_expired(Duration::from_secs(3600)),
        );
        let hub = self.hub.clone();
        let shutdown = async move {
            shutdown.await;
            hub.close();
        };
        // No Nagle delay: a live event, or an answer written in two parts, goes out at once
        // instead of waiting up to 40 ms for the browser's delayed acknowledgement.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set on a connection");
            }
        });
        let result = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        cleanup.abort();
        result.context("serve")
    }
}
