-- Keys for other software (a shop's order system) calling the API. A key is shown once, in
-- full, when it is made; only its prefix (to recognise it) and a keyed hash are kept: HMAC-SHA256
-- under a key derived from INBOX_SECRET_KEY (a random key needs no slow hash; a stolen table
-- without the secret key cannot be checked against guesses). `channel_ids` null: every channel;
-- otherwise the key works for these only. A revoked key is refused from the next request on, in
-- every server process (each request reads the row).
create table api_key (
    api_key_id   bigserial primary key,
    name         text not null check (length(btrim(name)) between 1 and 80),
    prefix       text not null,
    hash         bytea not null unique,
    channel_ids  bigint[],
    created_by   bigint references app_user on delete set null,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
