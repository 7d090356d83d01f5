//! The server binary as a child process: [`ServerBuilder`] says how to start it (binary,
//! working directory, port, environment, log, readiness), [`ServerProcess`] is the running
//! server (readiness, SIGTERM or SIGKILL, its log, its memory). Also the small things the
//! harnesses around it need: a free port, the URL of a `#[sqlx::test]` database, and where
//! cargo puts the binary.

mod builder;
mod server;

pub use builder::{MetaChannel, ServerBuilder};
pub use server::{ServerProcess, StartError};

use sqlx::PgPool;
use std::path::PathBuf;

/// A port nothing listens on right now (the OS picks it; free again once this returns).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("local address")
        .port()
}

/// The URL of the database `#[sqlx::test]` made for this test (same server as `DATABASE_URL`).
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL ends with /<database>");
    let db = pool
        .connect_options()
        .get_database()
        .expect("test database name")
        .to_string();
    format!("{server}/{db}")
}

/// `target/<profile>/server` of this workspace: under `CARGO_TARGET_DIR` when that is set (at
/// run time), else under the workspace's `target/`. Integration tests of the `server` crate
/// should rather pass `env!("CARGO_BIN_EXE_server")`, which cargo builds for them.
pub fn server_binary(profile: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join(profile).join("server")
}
