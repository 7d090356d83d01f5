//! `/admin/users` (admins only): list, create, edit name and role, (de)activate, reset password.

use crate::api::users::{
    assignment_settings, list_users, CreateUser, ResetPassword, SaveAssignment, SetUserActive,
    UpdateUser,
};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::{Role, UserInfo};
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateUser>,
    update: ServerAction<UpdateUser>,
    active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetPassword>,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let actions = Actions {
        create: ServerAction::new(),
        update: ServerAction::new(),
        active: ServerAction::new(),
        reset: ServerAction::new(),
    };
    let users = Resource::new(
        move || {
            (
                actions.create.version().get(),
                actions.update.version().get(),
                actions.active.version().get(),
                actions.reset.version().get(),
            )
        },
        |_| list_users(),
    );
    // The most recent failure of any action on this page.
    let last_error = move || {
        [
            actions.create.value().get().and_then(Result::err),
            actions.update.value().get().and_then(Result::err),
            actions.active.value().get().and_then(Result::err),
            actions.reset.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let saved = move || actions.reset.value().get().is_some_and(|r| r.is_ok());

    view! {
        <section class="users" data-testid="users-page">
            <h1>{t!(i18n, users_title)}</h1>
            {move || last_error().map(|e| view! { <ErrorText error=e /> })}
            <Show when=saved>
                <p class="notice">{t!(i18n, users_password_reset_done)}</p>
            </Show>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UserTable users=list actions /> }.into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
            <AssignmentForm />
            <h2>{t!(i18n, users_create)}</h2>
            <ActionForm action=actions.create attr:class="user-create">
                <input name="display_name" required placeholder=move || t_string!(i18n, field_display_name).to_string() data-testid="new-display-name" />
                <input name="username" required placeholder=move || t_string!(i18n, field_username).to_string() data-testid="new-username" />
                <RoleSelect selected=Role::Agent />
                <input name="password" type="password" required minlength="8" placeholder=move || t_string!(i18n, field_password).to_string() data-testid="new-password" />
                <button type="submit" class="primary" data-testid="create-user">{t!(i18n, users_create)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name="role">
            <option value="agent" selected=selected == Role::Agent>{t!(i18n, role_agent)}</option>
            <option value="admin" selected=selected == Role::Admin>{t!(i18n, role_admin)}</option>
        </select>
    }
}

#[component]
fn UserTable(users: Vec<UserInfo>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="user-table">
            <thead>
                <tr>
                    <th>{t!(i18n, field_username)}</th>
                    <th>{t!(i18n, field_display_name)}</th>
                    <th>{t!(i18n, users_status)}</th>
                    <th>{t!(i18n, field_password)}</th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|u| view! { <UserRow user=u actions /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(user: UserInfo, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.user_id.to_string();
    let (id_update, id_active) = (id.clone(), id.clone());
    let next_active = (!user.active).to_string();
    view! {
        <tr class:inactive=!user.active data-testid=format!("user-{}", user.username)>
            <td>{user.username.clone()}</td>
            <td>
                <ActionForm action=actions.update attr:class="inline">
                    <input type="hidden" name="user_id" value=id_update />
                    <input name="display_name" value=user.display_name.clone() required />
                    <RoleSelect selected=user.role />
                    <button type="submit">{t!(i18n, users_save)}</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=actions.active attr:class="inline">
                    <input type="hidden" name="user_id" value=id_active />
                    <input type="hidden" name="active" value=next_active />
                    <span class="status">
                        {if user.active { t!(i18n, users_active).into_any() } else { t!(i18n, users_inactive).into_any() }}
                    </span>
                    <button type="submit">
                        {if user.active { t!(i18n, users_deactivate).into_any() } else { t!(i18n, users_activate).into_any() }}
                    </button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=actions.reset attr:class="inline">
                    <input type="hidden" name="user_id" value=id />
                    <input name="password" type="password" minlength="8" required placeholder=move || t_string!(i18n, users_new_password).to_string() />
                    <button type="submit">{t!(i18n, users_reset_password)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// Auto-assignment: on/off and how many open chats an agent may hold.
#[component]
fn AssignmentForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveAssignment>::new();
    let current = Resource::new(move || save.version().get(), |_| assignment_settings());
    view! {
        <h2>{t!(i18n, assignment_title)}</h2>
        <p class="hint">{t!(i18n, assignment_hint)}</p>
        {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorText error=e /> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (enabled, capacity) = current.await.unwrap_or((false, 5));
                view! {
                    <ActionForm action=save attr:class="inline assignment">
                        <label class="check">
                            <input type="checkbox" name="enabled" checked=enabled data-testid="auto-assign" />
                            {t!(i18n, assignment_enabled)}
                        </label>
                        <label>
                            {t!(i18n, assignment_capacity)}
                            <input type="number" name="capacity" min="1" max="500" value=capacity.to_string() />
                        </label>
                        <button type="submit">{t!(i18n, users_save)}</button>
                    </ActionForm>
                }
            })}
        </Transition>
    }
}
