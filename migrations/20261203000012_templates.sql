-- Message templates (Meta): each channel's templates as the provider last listed them, synced
-- on demand and once a day; a sent template is a message of its own kind, whose `template` is
-- the object the outbox sends (its `body` is the text the customer reads).
create table message_template (
    channel_id  bigint not null references channel on delete cascade,
    name        text not null,
    language    text not null,
    template_id text not null,
    status      text not null,
    category    text not null,
    -- `whatsapp::templates::Template`: header, body, footer, buttons, examples.
    definition  jsonb not null,
    synced_at   timestamptz not null default now(),
    primary key (channel_id, name, language)
);

alter table channel add column templates_synced_at timestamptz;

alter table message add column template jsonb;
alter table message drop constraint message_kind_check;
alter table message add constraint message_kind_check check (kind in ('text', 'image', 'audio',
    'video', 'document', 'sticker', 'location', 'contacts', 'interactive_reply', 'reaction',
    'unsupported', 'system', 'template'));
