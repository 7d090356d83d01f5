//! Admin-only user management: list, create, edit, (de)activate, reset password.

use crate::model::UserId;
use crate::model::UserInfo;
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/list_users")]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::db::users;
    respond(async move {
        auth::require_admin().await?;
        Ok(users::list(&AppState::get()?.pool).await?)
    })
    .await
}

#[server(endpoint = "admin/create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<UserInfo, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::accounts;
    respond(async move {
        auth::require_admin().await?;
        let role = crate::model::Role::parse(&role)
            .ok_or_else(|| AppError::invalid("role", crate::model::Reason::RoleInvalid))?;
        Ok(accounts::create_user(
            &AppState::get()?.pool,
            &username,
            &display_name,
            role,
            password,
        )
        .await?)
    })
    .await
}

#[server(endpoint = "admin/update_user")]
pub async fn update_user(
    user_id: UserId,
    display_name: String,
    role: String,
) -> Result<UserInfo, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::accounts;
    respond(async move {
        auth::require_admin().await?;
        let role = crate::model::Role::parse(&role)
            .ok_or_else(|| AppError::invalid("role", crate::model::Reason::RoleInvalid))?;
        Ok(accounts::update_user(&AppState::get()?.pool, user_id, &display_name, role).await?)
    })
    .await
}

#[server(endpoint = "admin/set_user_active")]
pub async fn set_user_active(user_id: UserId, active: bool) -> Result<UserInfo, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::accounts;
    respond(async move {
        let me = auth::require_admin().await?;
        if me.user_id == user_id && !active {
            return Err(AppError::Conflict(
                crate::model::Reason::CannotDeactivateSelf,
            ));
        }
        Ok(accounts::set_active(&AppState::get()?.pool, &me, user_id, active).await?)
    })
    .await
}

#[server(endpoint = "admin/reset_password")]
pub async fn reset_password(user_id: UserId, password: String) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::db::users;
    respond(async move {
        auth::require_admin().await?;
        inbox::accounts::passwords::validate_password(&password)?;
        let hash = inbox::accounts::passwords::hash_password(password).await?;
        Ok(users::set_password(&AppState::get()?.pool, user_id, &hash).await?)
    })
    .await
}

/// Auto-assignment settings (admins).
#[server(endpoint = "admin/assignment")]
pub async fn assignment_settings() -> Result<(bool, i32), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::{assignment::AssignmentSettings, db::settings};
    respond(async move {
        auth::require_admin().await?;
        let mut conn = AppState::get()?.pool.acquire().await?;
        let s: AssignmentSettings = settings::get(&mut conn, settings::ASSIGNMENT).await?;
        Ok((s.enabled, s.capacity))
    })
    .await
}

#[server(endpoint = "admin/assignment/save")]
pub async fn save_assignment(enabled: Option<String>, capacity: i32) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::{assignment, db::settings};
    respond(async move {
        auth::require_admin().await?;
        if !(1..=500).contains(&capacity) {
            return Err(AppError::invalid(
                "capacity",
                crate::model::Reason::CapacityInvalid,
            ));
        }
        let pool = AppState::get()?.pool;
        let mut conn = pool.acquire().await?;
        let value = assignment::AssignmentSettings {
            enabled: enabled.is_some(),
            capacity,
        };
        settings::put(&mut conn, settings::ASSIGNMENT, &value).await?;
        drop(conn);
        assignment::distribute(&pool).await?;
        Ok(())
    })
    .await
}
