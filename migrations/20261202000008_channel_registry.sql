-- Channels set up in the product: the channel table is the one source of truth for every
-- number the inbox serves, whether an admin added it on the Channels page or the environment
-- described it at start-up.

alter table channel
    -- The unguessable part of the channel's webhook URL (`/webhooks/{webhook_key}`): 244 random
    -- bits from two v4 UUIDs (gen_random_uuid uses the server's strong random source). For
    -- providers that do not sign their webhooks it is the secret that authenticates them.
    add column webhook_key text not null
        default replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''),
    add column enabled boolean not null default true,
    -- Described by environment variables: updated at every start-up, read-only on the page.
    add column from_env boolean not null default false,
    -- Per-channel behaviour (read receipts, typing indicator, bot, reply delay) as JSON; absent
    -- keys take their defaults.
    add column settings jsonb not null default '{}',
    -- The last "Test connection": 'connected' or 'failed' (null: never tested), the failure's
    -- code (`wrong_token`, `timeout`…), what the provider said, and when.
    add column check_state text check (check_state in ('connected', 'failed')),
    add column check_failure text,
    add column check_detail text,
    add column checked_at timestamptz,
    -- Activity, written in batches every few seconds (not once per webhook or send).
    add column last_webhook_at timestamptz,
    add column last_send_at timestamptz;

create unique index channel_webhook_key on channel (webhook_key);

-- Channels that existed before this migration came from the environment or are the sandbox.
update channel set from_env = true where kind <> 'sandbox';
