-- Accounts: admins and agents. Sessions live in the tower_sessions schema (created by the
-- session store at start-up), and point at app_user.user_id.
create table app_user (
    user_id       bigint generated always as identity primary key,
    username      text not null,
    display_name  text not null,
    role          text not null check (role in ('admin', 'agent')),
    -- argon2id PHC string
    password_hash text not null,
    active        boolean not null default true,
    -- Bumped on deactivation and password reset; a session remembers the epoch it signed in
    -- with, so every older session stops working at once.
    auth_epoch    integer not null default 0,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- Usernames are unique regardless of case ("Rina" and "rina" are the same person).
create unique index app_user_username_key on app_user (lower(username));

-- Recent failed logins, for throttling by account and by client address.
create table login_failure (
    login_failure_id bigint generated always as identity primary key,
    username         text not null,
    address          text not null,
    at               timestamptz not null default now()
);
create index login_failure_username_at on login_failure (lower(username), at);
create index login_failure_address_at on login_failure (address, at);
