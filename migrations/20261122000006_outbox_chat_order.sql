-- Replies to one chat go out in order: a later reply (or a later part of a split reply) of a
-- chat is not claimed while an earlier one is still in the outbox (in flight, or waiting for a
-- retry). Different chats still go out in parallel. The chat is kept on the outbox row so the
-- claim can check "nothing earlier of this chat" with one index probe.
alter table outbox add column chat_id bigint references chat;
update outbox o set chat_id = m.chat_id from message m where m.message_id = o.message_id;
alter table outbox alter column chat_id set not null;
create index outbox_chat on outbox (chat_id, outbox_id);
