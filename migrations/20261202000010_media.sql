-- Media: the files of photos, voice notes, videos, documents and stickers.
--
-- `media_file` is the media store's index: one row per file kept, named by the SHA-256 of its
-- bytes, so the same file received twice (a forwarded photo, a redelivered webhook) is kept once.
-- `last_used_at` orders eviction when the store outgrows INBOX_MEDIA_MAX_GB: the file used
-- longest ago goes first.
create table media_file (
    sha256       text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint not null check (size >= 0),
    stored_at    timestamptz not null default now(),
    last_used_at timestamptz not null default now()
);
create index media_file_last_used on media_file (last_used_at);

-- One row per message that carries a file: what the bubble shows (type, name, size, where the
-- file stands), and for a customer's file the fetch queue. A pending row is claimed like an
-- outbox row (FOR UPDATE SKIP LOCKED, with a lease), so several server processes share the
-- downloads and a process that dies mid-download leaves the row to another.
--   pending  the file is being fetched from the provider (or waits for its next try)
--   ready    the file is in the store (`file_sha256`)
--   failed   it could not be fetched: `problem` says why, `detail` in the provider's words
--   evicted  it was in the store and was removed to save space
create table attachment (
    message_id      bigint primary key references message on delete cascade,
    state           text not null check (state in ('pending', 'ready', 'failed', 'evicted')),
    mime_type       text,
    filename        text,
    size            bigint,
    file_sha256     text references media_file,
    problem         text check (problem in ('expired', 'too_large', 'unsupported', 'refused', 'unavailable')),
    detail          text,
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until    timestamptz,
    updated_at      timestamptz not null default now(),
    constraint attachment_ready_has_file check (state <> 'ready' or file_sha256 is not null),
    constraint attachment_failed_says_why check (state <> 'failed' or problem is not null)
);
create index attachment_due on attachment (next_attempt_at) where state = 'pending';
create index attachment_file on attachment (file_sha256) where file_sha256 is not null;

-- The reference's old shape (`id_or_url`) becomes `id` or `url`.
update message
   set media = (media - 'id_or_url')
       || case when media->>'id_or_url' ~ '^https?://'
               then jsonb_build_object('url', media->'id_or_url')
               else jsonb_build_object('id', media->'id_or_url') end
 where media ? 'id_or_url';

-- A customer's message with a file queues its download in the transaction that stores it, so
-- an acknowledged webhook's file is never forgotten; the webhook itself does not wait for it.
-- The notification wakes the fetchers at commit.
create function inbox_queue_media_fetch() returns trigger language plpgsql as $$
begin
    insert into attachment (message_id, state, mime_type, filename, size)
    values (new.message_id, 'pending', new.media->>'mime_type', new.media->>'filename',
            case when new.media->>'size' ~ '^[0-9]{1,18}$' then (new.media->>'size')::bigint end);
    perform pg_notify('media_wakeup', '');
    return null;
end $$;

create trigger message_media_fetch after insert on message for each row
    when (new.direction = 'in' and new.media is not null)
    execute function inbox_queue_media_fetch();

insert into attachment (message_id, state, mime_type, filename)
select message_id, 'pending', media->>'mime_type', media->>'filename'
  from message where direction = 'in' and media is not null;
