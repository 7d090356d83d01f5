//! The inbox server binary: configuration → logs → database → application → serve until
//! Ctrl-C or SIGTERM → stop the private PostgreSQL if we started one.

use anyhow::Context;
use server::config::Config;
use server::startup::{self, Application};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        tracing::error!("{e:#}");
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    server::telemetry::init();
    raise_open_files_limit();
    let config = Config::from_env()?;
    tracing::debug!(?config, "configuration");
    let db = startup::connect(&config).await?;
    let result = serve(&config, db.pool.clone()).await;
    db.pool.close().await;
    if let Some(pg) = &db.embedded {
        if let Err(e) = pg.stop() {
            tracing::error!("stopping the private PostgreSQL: {e:#}");
        }
    }
    result
}

async fn serve(config: &Config, pool: sqlx::PgPool) -> anyhow::Result<()> {
    let app = Application::build(config, pool).await?;
    let addr = app.state.leptos_options.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listen on {addr}"))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    let stop = CancellationToken::new();
    let worker = tokio::spawn(
        app.outbox
            .clone()
            .run_until_stopped(stop.clone().cancelled_owned()),
    );
    let fetcher = tokio::spawn(
        app.fetcher
            .clone()
            .run_until_stopped(stop.clone().cancelled_owned()),
    );
    let hooks = tokio::spawn(
        app.hooks
            .clone()
            .run_until_stopped(stop.clone().cancelled_owned()),
    );
    if let Some(every) = config.channel_check_every {
        tokio::spawn(
            app.channels
                .clone()
                .check_until_stopped(every, stop.clone().cancelled_owned()),
        );
    }
    // Meta's templates, synced once a day by themselves (ends with the process).
    tokio::spawn(inbox::templates::sync_daily(
        app.state.pool.clone(),
        app.channels.clone(),
    ));
    let assigner = tokio::spawn(inbox::assignment::worker::run_until_stopped(
        app.state.pool.clone(),
        app.hub.clone(),
        stop.clone().cancelled_owned(),
    ));
    let pruner = tokio::spawn(inbox::live::prune_until_stopped(
        app.state.pool.clone(),
        config.event_retention,
        stop.clone().cancelled_owned(),
    ));
    if let Some(metrics_addr) = config.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("listen on {metrics_addr} (INBOX_METRICS_ADDR)"))?;
        tracing::info!("metrics on http://{metrics_addr}/metrics");
        let routes: axum::Router = server::metrics::routes(app.state.pool.clone(), app.hub.clone());
        let stopped = stop.clone().cancelled_owned();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, routes)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!("metrics listener: {e}");
            }
        });
    }
    let stop_on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop_on_signal.cancel();
    });
    let (channels, pool) = (app.channels.clone(), app.state.pool.clone());
    let served = app.serve(listener, stop.clone().cancelled_owned()).await;
    stop.cancel();
    let _ = worker.await;
    let _ = assigner.await;
    let _ = fetcher.await;
    let _ = hooks.await;
    let _ = pruner.await;
    // The last webhook and send times recorded since the last batch.
    channels.activity.flush(&pool).await;
    served
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot listen for SIGTERM: {e}");
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down");
}

/// Every agent's browser holds a live stream open, and the default limit of open files (often
/// 1,024) would refuse connections past about a thousand: the soft limit is raised to the hard
/// one (as the process is allowed to).
fn raise_open_files_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => {
            if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                tracing::warn!(soft, hard, "could not raise the open files limit: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("could not read the open files limit: {e}"),
    }
}
