-- A photo's thumbnail, made by the server when the photo enters the media store
-- (inbox::media::thumbnail) and kept beside it as `<sha256>.thumb`: its type and size, or
-- both null for a file without one. The store's size (INBOX_MEDIA_MAX_GB) counts it, and
-- evicting the photo removes it too.
alter table media_file
    add column thumb_mime text,
    add column thumb_size bigint check (thumb_size >= 0),
    add constraint media_file_thumb_whole check ((thumb_mime is null) = (thumb_size is null));
