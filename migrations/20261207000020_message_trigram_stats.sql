-- What share of messages holds each three-letter piece of text, kept by ANALYZE: the chat
-- list's search reads the trigram index by the text's rarer pieces (inbox/src/search.rs).
create statistics message_body_trigrams on (show_trgm(body)) from message;
