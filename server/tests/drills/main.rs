//! Fault drills: the real server binary as separate processes, killed, doubled, cut off from
//! its provider and from its database, against a real PostgreSQL. Each drill states what must
//! hold afterwards; the README lists them. Run with the rest: `cargo test -p server --test drills`.

mod channels;
mod deploy;
mod kill;
mod postgres_restart;
mod provider_outage;
mod support;
mod two_servers;
mod webhooks;
