-- Read receipts and typing indicators travel through the outbox like replies, so they survive
-- a provider outage and several server processes share them.
alter table outbox
    add column kind text not null default 'send'
        check (kind in ('send', 'read', 'typing', 'typing_off')),
    -- Typing is worth showing only while it is true: a row not delivered by then is dropped.
    add column expires_at timestamptz,
    -- Rows of one chat and lane go out in order (replies; typing on and off); lanes do not
    -- wait for each other (a read receipt does not wait behind a reply being retried).
    add column lane text not null generated always as
        (case when kind = 'typing_off' then 'typing' else kind end) stored;
-- A reply is queued once; a receipt or typing row points at the customer's message it is for.
alter table outbox drop constraint outbox_message_id_key;
create unique index outbox_message_kind on outbox (message_id, kind);
drop index outbox_chat;
create index outbox_chat on outbox (chat_id, lane, outbox_id);

-- When this customer message's read receipt was queued: at most one per message.
alter table message add column receipt_queued_at timestamptz;
-- When "typing…" was last queued for this chat: at most once per 20 s.
alter table chat add column typing_at timestamptz;
