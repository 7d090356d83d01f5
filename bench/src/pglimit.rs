//! The physical limit beside ingest: the same PostgreSQL committing the same number of
//! single-row inserts from the same number of connections, with no application in between.

use futures::StreamExt;
use sqlx::postgres::PgPoolOptions;
use std::time::Instant;

/// Committed single-row inserts per second at `concurrency` connections.
pub async fn inserts_per_s(
    database_url: &str,
    concurrency: usize,
    rows: usize,
) -> anyhow::Result<f64> {
    let pool = PgPoolOptions::new()
        .max_connections(concurrency as u32)
        .connect(database_url)
        .await?;
    sqlx::query("create table if not exists bench_insert (id bigint generated always as identity primary key, body text not null)")
        .execute(&pool)
        .await?;
    let started = Instant::now();
    let failures = futures::stream::iter(0..rows)
        .map(|i| {
            let pool = pool.clone();
            async move {
                sqlx::query("insert into bench_insert (body) values ($1)")
                    .bind(format!("row {i}"))
                    .execute(&pool)
                    .await
                    .is_err()
            }
        })
        .buffer_unordered(concurrency)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let rate = rows as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(failures == 0, "{failures} inserts failed");
    pool.close().await;
    Ok(rate)
}
