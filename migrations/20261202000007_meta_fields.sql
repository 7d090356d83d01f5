-- Meta deliveries besides customer messages (every signed, well-formed body is acknowledged):
-- what we act on, and the raw body of what we do not, kept for later.

-- A body with parts we did not act on (another webhook field, a part we could not read): the
-- body as received, and why.
create table webhook_kept (
    webhook_kept_id bigint generated always as identity primary key,
    provider        text not null,
    reasons         text[] not null,
    body            bytea not null,
    received_at     timestamptz not null default now()
);
create index webhook_kept_received on webhook_kept (received_at);

-- Alerts about a provider account (Meta `account_update`: restrictions, violations, a disabled
-- number), shown to admins.
create table account_alert (
    account_alert_id bigint generated always as identity primary key,
    provider         text not null,
    account_id       text not null,
    event            text not null,
    detail           text,
    raw              jsonb not null,
    received_at      timestamptz not null default now()
);
create index account_alert_received on account_alert (received_at desc);

-- The review state of each message template (Meta `message_template_status_update`), latest
-- first; the templates themselves come with rich messages.
create table template_status (
    provider    text not null,
    account_id  text not null,
    template_id text not null,
    name        text,
    language    text,
    status      text not null,
    reason      text,
    updated_at  timestamptz not null default now(),
    primary key (provider, account_id, template_id)
);

-- The customer deleted this message for everyone: we keep what we stored (the business may
-- need it) and say so.
alter table message add column revoked_at timestamptz;
