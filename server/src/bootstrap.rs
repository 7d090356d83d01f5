//! Accounts created at start-up: the first admin from `INBOX_ADMIN_USER`/`INBOX_ADMIN_PASSWORD`,
//! and in demo mode the demo admin and agent (printed on the console). Outside demo mode, demo
//! accounts that still have the published passwords are deactivated.

use crate::config::Config;
use inbox::{accounts, db::users};
use model::Role;
use sqlx::PgPool;

pub const DEMO_USERS: [(&str, &str, Role, &str); 2] = [
    ("admin", "Admin Demo", Role::Admin, "admin-demo"),
    ("rina", "Rina", Role::Agent, "rina-demo"),
];

pub async fn run(config: &Config, pool: &PgPool) -> anyhow::Result<()> {
    if !config.demo {
        for (username, _, _, password) in DEMO_USERS {
            if accounts::retire_demo_account(pool, username, password)
                .await
                .map_err(|e| anyhow::anyhow!("demo user {username}: {e}"))?
            {
                tracing::warn!(
                    %username,
                    "deactivated the demo account: it still had the published demo password and \
                     demo mode is off (INBOX_DEMO); another admin can give it a new password and \
                     activate it again on the Users page"
                );
            }
        }
    }
    if let Some((username, password)) = &config.bootstrap_admin {
        if users::count(pool).await? == 0 {
            accounts::create_first_admin(pool, username, username, password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("INBOX_ADMIN_USER: {e}"))?;
            tracing::info!(%username, "first admin created from INBOX_ADMIN_USER");
        }
    }
    if config.demo {
        for (username, name, role, password) in DEMO_USERS {
            accounts::ensure_user(pool, username, name, role, password)
                .await
                .map_err(|e| anyhow::anyhow!("demo user {username}: {e}"))?;
            // Retired by a start outside demo mode, still with the published password: back.
            accounts::restore_demo_account(pool, username, password)
                .await
                .map_err(|e| anyhow::anyhow!("demo user {username}: {e}"))?;
        }
        println!("\n  Demo mode. Sign in with:");
        for (username, _, role, password) in DEMO_USERS {
            println!("    {:<6} {username} / {password}", role.as_str());
        }
        println!();
    }
    Ok(())
}
