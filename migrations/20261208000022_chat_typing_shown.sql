-- When the provider last took our "typing…" for this chat, and the newest message of ours the
-- customer had then: the customer's phone shows "typing…" until a later message of ours
-- reaches them (one sent with a greater id: a chat's replies go out in order), a "stopped
-- typing" is taken, or 25 s pass. Set and cleared by the outbox worker as it delivers (never
-- when only queued: `typing_at` is the chat's turn to queue one). Ended at read time rather
-- than by the send, so sending never locks the chat (ingest locks chat, then message). The
-- sandbox phone shows it.
alter table chat add column typing_shown_at timestamptz;
alter table chat add column typing_shown_after bigint;
