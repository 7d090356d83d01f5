-- The inbox: who changed a chat's mode or assignment (audit), settings, the bot's rules, agent
-- presence for auto-assignment, and the indexes that keep the chat list instant at scale.

-- Every mode and assignment change: who (null = the system or the bot), when, from, to.
create table chat_audit (
    chat_audit_id bigint generated always as identity primary key,
    chat_id       bigint not null references chat,
    actor_user_id bigint references app_user,
    action        text not null check (action in ('mode', 'assign')),
    from_value    text,
    to_value      text,
    at            timestamptz not null default now()
);
create index chat_audit_chat on chat_audit (chat_id, at);

-- Small documents of settings, one per key ('bot', 'assignment'), edited by admins.
create table setting (
    key        text primary key,
    value      jsonb not null,
    updated_at timestamptz not null default now()
);

-- The bot's keyword rules, tried in `position` order (exact matches before contains).
create table bot_rule (
    bot_rule_id bigint generated always as identity primary key,
    keyword     text not null,
    match_type  text not null check (match_type in ('exact', 'contains')),
    reply       text not null,
    enabled     boolean not null default true,
    position    integer not null default 0,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

-- Agents with an open event stream are online (refreshed while it stays open); auto-assignment
-- only picks online agents.
alter table app_user add column last_seen_at timestamptz;

-- Chat list at scale: by assignee, by mode, and text search on names, phones and messages.
create extension if not exists pg_trgm;
-- The list is ordered by (last activity, chat id) newest first and paginated by keyset on the
-- same expression, so these indexes serve every page directly.
create index chat_activity on chat ((coalesce(last_message_at, '-infinity'::timestamptz)) desc, chat_id desc);
create index chat_assigned_activity on chat (assigned_user_id, (coalesce(last_message_at, '-infinity'::timestamptz)) desc, chat_id desc);
create index chat_mode_activity on chat (mode, (coalesce(last_message_at, '-infinity'::timestamptz)) desc, chat_id desc);
drop index chat_last_message;
create index contact_name_trgm on contact using gin (display_name gin_trgm_ops);
create index contact_phone_trgm on contact using gin (phone gin_trgm_ops);
create index message_body_trgm on message using gin (body gin_trgm_ops);

-- System events in the conversation ("Assigned to Rina by Admin") keep their structured form
-- in `raw` so every language can word them.
alter table message drop constraint message_direction_check;
alter table message add constraint message_direction_check check (direction in ('in', 'out', 'note'));
