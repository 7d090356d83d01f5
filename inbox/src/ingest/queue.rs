//! Group commit for webhooks. Each webhook body must be committed before it is acknowledged,
//! and a commit (with its fsync) costs about as much as storing the message itself. Bodies that
//! arrive while others are being stored wait in this queue; a worker takes everything waiting
//! (up to [`MAX_GROUP`] bodies or [`MAX_GROUP_EVENTS`] events) and stores it in one transaction, then answers each body with
//! its own report. At low load a body is stored at once, alone, exactly as before.
//!
//! A group that fails (a bad body, a database error) is not a verdict on every body in it: each
//! body is then stored on its own transaction, and only a body that fails on its own gets the
//! error (and so a 5xx, and the provider's retry).

use crate::ingest::{self, IngestReport, Routed};
use crate::Error;
use model::ChannelId;
use model::Mode;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};
use whatsapp::InboundEvent;

/// The most bodies stored in one transaction.
pub const MAX_GROUP: usize = 32;
/// A group stops growing at this many events: a larger transaction holds more chats locked
/// for longer, and concurrent groups then wait on each other.
pub const MAX_GROUP_EVENTS: usize = 64;

/// Events of one body, each with its channel.
pub type Body = Vec<(ChannelId, InboundEvent)>;

struct Job {
    body: Body,
    done: oneshot::Sender<Result<IngestReport, Error>>,
}

#[derive(Clone)]
pub struct IngestQueue {
    jobs: mpsc::Sender<Job>,
}

impl IngestQueue {
    /// Starts `workers` storing tasks (each holds one database connection while it stores).
    pub fn start(pool: PgPool, reopen_mode: Mode, workers: usize) -> IngestQueue {
        let (jobs, rx) = mpsc::channel(4 * MAX_GROUP);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..workers.max(1) {
            tokio::spawn(work(pool.clone(), reopen_mode, rx.clone()));
        }
        IngestQueue { jobs }
    }

    /// Stores one body (in a group with whatever else is waiting) and returns its report once
    /// it is committed.
    pub async fn store(&self, body: Body) -> Result<IngestReport, Error> {
        let (done, report) = oneshot::channel();
        self.jobs
            .send(Job { body, done })
            .await
            .map_err(|_| anyhow::anyhow!("the ingest queue is closed"))?;
        report
            .await
            .map_err(|_| anyhow::anyhow!("the ingest worker stopped"))?
    }
}

async fn work(pool: PgPool, reopen_mode: Mode, rx: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut jobs = Vec::new();
        {
            // One worker at a time waits for work; it takes everything already waiting.
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(job) => jobs.push(job),
                None => return,
            }
            let mut events = jobs[0].body.len();
            while jobs.len() < MAX_GROUP && events < MAX_GROUP_EVENTS {
                match rx.try_recv() {
                    Ok(job) => {
                        events += job.body.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
        }
        store_group(&pool, reopen_mode, jobs).await;
    }
}

fn routed(body: &Body) -> Vec<Routed<'_>> {
    body.iter()
        .map(|(channel_id, event)| Routed {
            channel_id: *channel_id,
            event,
        })
        .collect()
}

async fn store_group(pool: &PgPool, reopen_mode: Mode, jobs: Vec<Job>) {
    if jobs.len() > 1 {
        let routed: Vec<Vec<Routed>> = jobs.iter().map(|job| routed(&job.body)).collect();
        let bodies: Vec<&[Routed]> = routed.iter().map(Vec::as_slice).collect();
        match ingest::store_all(pool, &bodies, reopen_mode).await {
            Ok(reports) => {
                for (job, report) in jobs.into_iter().zip(reports) {
                    let _ = job.done.send(Ok(report));
                }
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, bodies = jobs.len(), "group commit failed; storing each body on its own");
            }
        }
    }
    for job in jobs {
        let report = ingest::store(pool, &routed(&job.body), reopen_mode).await;
        let _ = job.done.send(report);
    }
}
