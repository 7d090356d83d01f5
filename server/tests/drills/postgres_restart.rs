//! PostgreSQL restarts under load: readiness goes red while it is down and green again by
//! itself, everything acknowledged is stored exactly once, the provider's retries of the rest
//! land, and a browser's open event stream keeps working (the server's listener reconnects).
//!
//! The database here is a private cluster the drill owns (the server's own embedded-PostgreSQL
//! code), so stopping it disturbs no other test.

use crate::support::*;
use futures::StreamExt;
use server::embedded_pg::EmbeddedPostgres;
use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MESSAGES: usize = 400;

#[tokio::test]
async fn postgres_restart_under_load_recovers_by_itself_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // As root the cluster runs as `postgres`, which must reach the directory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let pg = StopOnDrop(EmbeddedPostgres::start(dir.path(), None).await.unwrap());
    let opts = pg.0.connect_options();
    let url = format!(
        "postgres://{}@localhost:{}/{}?host={}",
        opts.get_username(),
        opts.get_port(),
        opts.get_database().unwrap(),
        opts.get_socket().unwrap().display()
    );
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_lazy_with(opts.clone());

    let mut server = start_server(&url, free_port(), "http://127.0.0.1:9", &[]).await;
    let admin = server.admin().await.unwrap();
    let mut events = EventReader::open(&admin, &server.url("/api/events")).await;

    // The provider: 4 bodies in flight, one message each, until all were tried once.
    let acked: Arc<Mutex<HashSet<usize>>> = Arc::default();
    let refused = Arc::new(AtomicBool::new(false));
    let sender = {
        let (acked, refused, base) = (acked.clone(), refused.clone(), server.base.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            futures::stream::iter(0..MESSAGES)
                .for_each_concurrent(4, |i| {
                    let (client, acked, refused, base) =
                        (client.clone(), acked.clone(), refused.clone(), base.clone());
                    async move {
                        let body = META.messages(&[msg(i)]);
                        match post_meta(&client, &base, body).await {
                            Some(200) => {
                                acked.lock().unwrap().insert(i);
                            }
                            _ => refused.store(true, Ordering::SeqCst),
                        }
                        // A steady stream rather than a burst, so the restart lands mid-run.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                })
                .await;
        })
    };
    eventually(
        "some bodies are acknowledged",
        Duration::from_secs(30),
        || {
            let n = acked.lock().unwrap().len();
            async move { n >= 40 }
        },
    )
    .await;

    pg.0.stop().unwrap();
    let down_at = Instant::now();
    let srv = &server;
    eventually(
        "readiness goes red",
        Duration::from_secs(15),
        || async move { srv.ready().await == Some(false) },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pg = StopOnDrop(EmbeddedPostgres::start(dir.path(), None).await.unwrap());
    eventually(
        "readiness goes green by itself",
        Duration::from_secs(30),
        || async move { srv.ready().await == Some(true) },
    )
    .await;
    let recovered_in = down_at.elapsed();
    sender.await.unwrap();
    assert!(
        refused.load(Ordering::SeqCst),
        "some bodies were refused while the database was down"
    );

    // Everything acknowledged is stored, once.
    let acked: HashSet<usize> = acked.lock().unwrap().clone();
    let counts = stored_counts(&pool, "wamid.pgr").await;
    for i in &acked {
        assert_eq!(
            counts.get(&msg(*i).id),
            Some(&1),
            "acknowledged {i} stored once"
        );
    }
    assert!(counts.values().all(|n| *n == 1), "no duplicates");

    // The provider retries the rest; now everything is there, once.
    let client = reqwest::Client::new();
    for i in (0..MESSAGES).filter(|i| !acked.contains(i)) {
        assert_eq!(
            post_meta(&client, &server.base, META.messages(&[msg(i)])).await,
            Some(200),
            "retry of {i}"
        );
    }
    let counts = stored_counts(&pool, "wamid.pgr").await;
    assert_eq!(counts.len(), MESSAGES);
    assert!(counts.values().all(|n| *n == 1));

    // The event stream opened before the restart still delivers.
    let after = Msg {
        from: "6281400000099".into(),
        id: "wamid.after-restart".into(),
        text: "setelah restart".into(),
    };
    assert_eq!(
        post_meta(&client, &server.base, META.messages(&[after])).await,
        Some(200)
    );
    events
        .wait_for(
            "message.created",
            "setelah restart",
            Duration::from_secs(10),
        )
        .await;
    println!("database down and back: ready again after {recovered_in:?}");
    server.wait_ready(Duration::from_secs(5)).await.unwrap();
    server.stop();
    pool.close().await;
    pg.0.stop().unwrap();
}

/// Stops the drill's PostgreSQL however the drill ends, so no process is left behind.
struct StopOnDrop(EmbeddedPostgres);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.stop();
    }
}

fn msg(i: usize) -> Msg {
    Msg {
        from: format!("6281400{:05}", i % 20),
        id: format!("wamid.pgr{i}"),
        text: format!("pesan {i}"),
    }
}
