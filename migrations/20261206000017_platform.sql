-- The platform: other software sends and reads through API keys (migration 16).

-- A message sent through an API key names it: the conversation says "via API key 'Toko
-- Online'", and the key's sends can be listed (the playground's log).
alter table message add column api_key_id bigint references api_key;
create index message_api_key on message (message_id) where api_key_id is not null;

-- A chat change made through an API key (a send that took a BOT chat over, a mode or assignee
-- set through the API) is audited with the key, as a user's is with the user.
alter table chat_audit add column actor_api_key_id bigint references api_key;

-- The rate limit per key (GCRA): the theoretical arrival time of the key's next request. One
-- row update per call, in the same statement that authenticates it, so every server process
-- shares the limit and a revoked key is refused at once.
alter table api_key add column rate_tat timestamptz;

-- The channel an admin marked as the API's default, for calls that name no channel while the
-- key may use several: at most one.
alter table channel add column api_default boolean not null default false;
create unique index channel_api_default on channel (api_default) where api_default;

-- Idempotency-Key on sends: the first answer to (key, Idempotency-Key) is kept for 24 hours
-- and given again to a retry with the same body; a retry with another body is refused. The
-- row is inserted in the send's own transaction, before the send: a concurrent retry waits on
-- this primary key until the first commits, then reads its answer, so a retried request never
-- sends twice. A send that fails on our side rolls the row back with it (the retry sends).
create table api_idempotency (
    api_key_id   bigint not null references api_key on delete cascade,
    key          text not null check (length(key) between 1 and 255),
    -- SHA-256 of the method, the path and the exact body.
    request_hash bytea not null,
    status       smallint,
    response     jsonb,
    created_at   timestamptz not null default now(),
    primary key (api_key_id, key)
);
create index api_idempotency_created on api_idempotency (created_at);
