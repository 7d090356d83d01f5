-- What the bot said lately in a chat (its fallback and out-of-office texts go to a chat at most
-- once every few hours): found from bot messages only, newest first, without reading the
-- customer's whole history. Customer messages are not in this index, so ingest does not pay
-- for it.
create index message_bot_recent on message (chat_id, created_at) where sender_kind = 'bot';

-- No query reads events by chat (they are read by id), and every event paid for this index.
drop index event_chat;
