-- Reply buttons and lists: an outgoing message of kind 'interactive' keeps what it offers in
-- `interactive` (`whatsapp::Interactive`: header, body, footer, the buttons or the list) and its
-- body text in `body`; a bot rule's options are its `buttons` (titles, each its own id).
alter table message add column interactive jsonb;
alter table message drop constraint message_kind_check;
alter table message add constraint message_kind_check check (kind in ('text', 'image', 'audio',
    'video', 'document', 'sticker', 'location', 'contacts', 'interactive_reply', 'reaction',
    'unsupported', 'system', 'template', 'interactive'));

alter table bot_rule add column buttons jsonb not null default '[]'
    check (jsonb_typeof(buttons) = 'array');
