//! The server binary with no `DATABASE_URL`: it runs its own PostgreSQL under the data
//! directory, is ready, keeps its data across restarts, and leaves no PostgreSQL behind.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};
use test_support::process::{ServerBuilder, ServerProcess};

/// Starts the binary on a free port with no `DATABASE_URL` and waits (up to 120 s: it first
/// sets up its own PostgreSQL) until it is ready; `stop` waits up to 60 s for a clean exit.
async fn start_server(data_dir: &Path) -> ServerProcess {
    ServerBuilder::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .without_database_url()
        .data_dir(data_dir)
        .env("LEPTOS_OUTPUT_NAME", "inbox")
        .admin("boss", "boss-password")
        .rust_log("warn")
        .ready_within(Duration::from_secs(120))
        .poll_every(Duration::from_millis(200))
        .stop_within(Duration::from_secs(60))
        .start()
        .await
        .unwrap()
}

fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let pidfile = std::fs::read_to_string(data_dir.join("postgres/data/postmaster.pid")).ok()?;
    pidfile.lines().next()?.trim().parse().ok()
}

fn process_alive(pid: i32) -> bool {
    // A zombie (exited, not yet reaped by its parent) counts as gone.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// `pg_ctl stop -w` returns when the pid file is gone; the process exits a moment later.
fn gone_soon(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[tokio::test]
async fn without_database_url_the_server_runs_and_stops_its_own_postgres() {
    let tmp = tempfile::tempdir().unwrap();
    // When the tests run as root the cluster belongs to the `postgres` user, which must be able
    // to reach the directory.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = tmp.path().join("data");

    let server = start_server(&data_dir).await;
    let pid = postmaster_pid(&data_dir).expect("a running private PostgreSQL");
    assert!(process_alive(pid));
    assert!(
        data_dir.join("postgres/run/.s.PGSQL.5432").exists(),
        "listens on a socket in the data directory"
    );
    assert!(
        data_dir.join("secret.key").exists(),
        "a secret key was generated"
    );

    // The bootstrap admin can sign in.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(server.url("/api/login"))
        .form(&[("username", "boss"), ("password", "boss-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    server.stop();
    assert!(gone_soon(pid), "the private PostgreSQL is gone");
    assert!(
        postmaster_pid(&data_dir).is_none(),
        "shut down cleanly (no postmaster.pid)"
    );

    // Data survives a restart: the same account still exists (and no second one is created).
    let server = start_server(&data_dir).await;
    let res = reqwest::Client::new()
        .post(server.url("/api/login"))
        .form(&[("username", "boss"), ("password", "boss-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let pid = postmaster_pid(&data_dir).unwrap();
    server.stop();
    assert!(gone_soon(pid));
}

/// As root, the private PostgreSQL runs as `postgres`; a data directory inside a directory that
/// user cannot enter (a `mktemp -d` directory is 0700) fails with a message naming it and the
/// fix, not initdb's bare "Permission denied".
#[tokio::test]
async fn a_data_dir_postgres_cannot_reach_is_named_with_the_fix() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: only as root does the private PostgreSQL run as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let data = tmp.path().join("data");
    let Err(err) = server::embedded_pg::EmbeddedPostgres::start(&data, None).await else {
        panic!("a private PostgreSQL started where its user cannot reach the data");
    };
    let message = format!("{err:#}");
    let dir = tmp.path().canonicalize().unwrap();
    assert!(message.contains(&dir.display().to_string()), "{message}");
    assert!(message.contains("`postgres`"), "{message}");
    assert!(message.contains("chmod o+x"), "{message}");
}
