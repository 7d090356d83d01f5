-- Outbound webhooks: other software learns what happened (a customer's message, a tap, a
-- delivery status, a chat handed over) at endpoints an admin registered, signed, in order per
-- chat, retried for a day, never lost across restarts and several server processes.
--
-- The path: every change already writes its live event into `event` in its own transaction.
-- A statement trigger on `event` queues the ids of the events webhooks care about into
-- `webhook_pending`, in that same transaction (and only while some endpoint is enabled, so an
-- installation without webhooks pays one cheap check). A dispatcher turns pending events into
-- `webhook_event` rows (the event's name and data, fixed once) and one `webhook_delivery` per
-- endpoint that wants it, in one transaction; delivery workers claim deliveries like the
-- outbox claims replies and record every attempt.

create table webhook_endpoint (
    webhook_endpoint_id bigint generated always as identity primary key,
    url                 text not null check (length(url) between 8 and 2000),
    -- The signing secret, sealed (AES-256-GCM under INBOX_SECRET_KEY, bound to this row's id).
    secret              bytea not null,
    -- The events it wants; empty: every event.
    events              text[] not null default '{}',
    enabled             boolean not null default true,
    -- Failing without a success since this time (cleared by a 2xx).
    failing_since       timestamptz,
    -- Paused after failing for too long: nothing is attempted until an admin enables it again
    -- (deliveries keep being queued, so nothing is lost meanwhile).
    paused_at           timestamptz,
    pause_reason        text,
    created_by          bigint references app_user on delete set null,
    created_at          timestamptz not null default now()
);

-- Events written but not yet fanned out to the endpoints.
create table webhook_pending (
    event_id bigint primary key
);

-- An event as sent: its name and data (exactly the bytes signed, so kept as text); the same id
-- (X-Webhook-Id) on every endpoint and every retry.
create table webhook_event (
    webhook_event_id bigint generated always as identity primary key,
    name             text not null,
    chat_id          bigint,
    data             text not null,
    created_at       timestamptz not null default now()
);

create table webhook_delivery (
    webhook_delivery_id bigint generated always as identity primary key,
    webhook_endpoint_id bigint not null references webhook_endpoint on delete cascade,
    webhook_event_id    bigint not null references webhook_event on delete cascade,
    -- Deliveries of one chat to one endpoint go one after the other, in order: only the oldest
    -- pending one of each (endpoint, chat) is the `head` that may be claimed; finishing it makes
    -- the next one the head. Claims then read a small index instead of checking every pending
    -- delivery against its chat's earlier ones.
    chat_id             bigint,
    head                boolean not null default false,
    state               text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
    attempts            integer not null default 0,
    -- A delivery is given up a day after its first attempt (not its event: time spent paused
    -- or waiting behind its chat's earlier events does not count).
    first_attempt_at    timestamptz,
    next_attempt_at     timestamptz not null default now(),
    -- Set while a worker is sending; the claim's token (a worker that outlived it records
    -- nothing).
    locked_until        timestamptz,
    last_status         integer,
    last_error          text,
    created_at          timestamptz not null default now(),
    finished_at         timestamptz
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at, webhook_delivery_id)
    where state = 'pending' and head;
create index webhook_delivery_chat on webhook_delivery (webhook_endpoint_id, chat_id, webhook_delivery_id)
    where state = 'pending';
create index webhook_delivery_log on webhook_delivery (webhook_endpoint_id, webhook_delivery_id desc);

-- Every attempt, for the delivery log: when, the answer's status, how long it took, its first
-- bytes, or why there was none.
create table webhook_attempt (
    webhook_attempt_id  bigint generated always as identity primary key,
    webhook_delivery_id bigint not null references webhook_delivery on delete cascade,
    attempt             integer not null,
    at                  timestamptz not null default now(),
    http_status         integer,
    latency_ms          integer,
    response            text,
    error               text
);
create index webhook_attempt_delivery on webhook_attempt (webhook_delivery_id, webhook_attempt_id);

-- What was last announced of a message's delivery state or a channel's connection, so a live
-- event that changes something else (a file became ready) announces nothing. Kept 30 days.
create table webhook_announced (
    subject text primary key,
    state   text not null,
    at      timestamptz not null default now()
);
create index webhook_announced_at on webhook_announced (at);

create function webhook_pending_queue() returns trigger language plpgsql as $$
begin
    if exists (select 1 from webhook_endpoint where enabled) then
        insert into webhook_pending (event_id)
        select event_id from new_events
         where kind in ('message.created', 'message.updated', 'channel.changed');
        if found then
            perform pg_notify('webhook_wakeup', '');
        end if;
    end if;
    return null;
end $$;

create trigger event_webhook_pending after insert on event
    referencing new table as new_events
    for each statement execute function webhook_pending_queue();
