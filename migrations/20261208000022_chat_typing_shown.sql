-- When the provider last took our "typing…" for this chat: the customer's phone shows it from
-- then until our next message reaches them, a "stopped typing" is taken, or 25 s pass. Set and
-- cleared by the outbox worker as it delivers (never when only queued: `typing_at` is the
-- chat's turn to queue one). The sandbox phone shows it.
alter table chat add column typing_shown_at timestamptz;
