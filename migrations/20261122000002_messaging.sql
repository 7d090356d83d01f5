-- WhatsApp messaging: channels, contacts, chats, messages, the reply outbox, and the event log
-- that feeds live updates. The database enforces the invariants the product promises:
-- one message per provider message id, one open chat per (channel, contact), one contact per
-- WhatsApp identity, even under concurrent webhooks.

-- A WhatsApp number connected through one provider.
create table channel (
    channel_id    bigint generated always as identity primary key,
    kind          text not null check (kind in ('meta', 'whapi', 'qontak', 'waha', 'gateway', 'sandbox')),
    -- The provider's id of this number: Meta phone_number_id, Whapi channel id, 'sandbox'.
    -- Webhooks are routed to the channel by it.
    channel_key   text not null,
    name          text not null,
    display_phone text,
    -- Provider credentials (tokens, app secret, webhook secret) as JSON, encrypted with
    -- AES-256-GCM under INBOX_SECRET_KEY: 12-byte nonce followed by the ciphertext.
    credentials   bytea,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint channel_kind_key unique (kind, channel_key)
);

-- A customer. Keyed by phone (digits with country code) or, for Meta users who hide their
-- number, by the business-scoped user id; at least one of the two.
create table contact (
    contact_id   bigint generated always as identity primary key,
    phone        text,
    bsuid        text,
    display_name text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint contact_identity check (phone is not null or bsuid is not null)
);
-- Concurrent first messages from one new number race to insert the same contact: these
-- indexes make exactly one win (the others read the winner's row).
create unique index contact_phone_key on contact (phone) where phone is not null;
create unique index contact_bsuid_key on contact (bsuid) where bsuid is not null;

-- A conversation of one contact on one channel. Modes: bot (auto-replies), agent (a human
-- answers), paused (stored, no replies, no notifications), closed (finished).
create table chat (
    chat_id                  bigint generated always as identity primary key,
    channel_id               bigint not null references channel,
    contact_id               bigint not null references contact,
    mode                     text not null default 'bot' check (mode in ('bot', 'agent', 'paused', 'closed')),
    assigned_user_id         bigint references app_user,
    unread_count             integer not null default 0,
    last_message_at          timestamptz,
    last_message_preview     text,
    -- For Meta's 24-hour customer service window.
    last_customer_message_at timestamptz,
    created_at               timestamptz not null default now(),
    closed_at                timestamptz
);
-- At most one open chat per (channel, contact); a closed chat stays as history.
create unique index chat_open_key on chat (channel_id, contact_id) where mode <> 'closed';
create index chat_last_message on chat (last_message_at desc nulls last);
create index chat_contact on chat (contact_id);

create table message (
    message_id           bigint generated always as identity primary key,
    chat_id              bigint not null references chat,
    channel_id           bigint not null references channel,
    direction            text not null check (direction in ('in', 'out')),
    sender_kind          text not null check (sender_kind in ('customer', 'bot', 'agent', 'system')),
    sender_user_id       bigint references app_user,
    kind                 text not null check (kind in ('text', 'image', 'audio', 'video', 'document', 'sticker',
                           'location', 'contacts', 'interactive_reply', 'reaction', 'unsupported', 'system')),
    body                 text,
    media                jsonb,
    -- The provider's id (Meta wamid, Whapi id). Unique per channel: a redelivered webhook
    -- finds its message already stored.
    provider_message_id  text,
    reply_to_provider_id text,
    -- in: received. out: queued → sent → delivered → read, or failed (with the provider's
    -- code and reason); statuses only move forward.
    status               text not null check (status in ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
    error_code           text,
    error_reason         text,
    -- The provider's message object as received, so nothing is ever lost in translation.
    raw                  jsonb,
    sent_at              timestamptz not null default now(),
    created_at           timestamptz not null default now(),
    status_at            timestamptz not null default now()
);
create unique index message_provider_key on message (channel_id, provider_message_id);
create index message_chat on message (chat_id, message_id);

-- Replies waiting to be delivered to the provider, claimed by workers with
-- FOR UPDATE SKIP LOCKED so several server processes share the work.
create table outbox (
    outbox_id       bigint generated always as identity primary key,
    message_id      bigint not null unique references message,
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- Set while a worker is sending; an expired lease means that worker died mid-send.
    locked_until    timestamptz,
    last_error      text,
    created_at      timestamptz not null default now()
);
create index outbox_due on outbox (next_attempt_at);

-- Everything a browser must learn about, in commit order of insertion; NOTIFY carries only
-- the id (payloads can exceed NOTIFY's 8000-byte limit) and late subscribers replay by id.
create table event (
    event_id   bigint generated always as identity primary key,
    kind       text not null,
    chat_id    bigint,
    payload    jsonb not null,
    created_at timestamptz not null default now()
);
create index event_chat on event (chat_id, event_id);
