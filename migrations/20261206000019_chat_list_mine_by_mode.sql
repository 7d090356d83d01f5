-- no-transaction
-- "Mine" with a mode filter at a million chats: the assignee's chats of one mode in list order.
-- Without it, PostgreSQL walked all of the assignee's chats (tens of thousands) to find few or
-- none of that mode (p95 74 ms in the benchmark, "mine + bot"). Built concurrently: a large
-- existing database keeps taking messages while it builds.
create index concurrently if not exists chat_assigned_mode_activity
    on chat (assigned_user_id, mode, (coalesce(last_message_at, '-infinity'::timestamptz)) desc, chat_id desc);
