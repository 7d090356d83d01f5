-- Agents' files. An agent's file is in the media store before its message is queued (its
-- attachment row is `ready` from the start, so the fetchers never claim it). The outbox uploads
-- it to the provider once and keeps the provider's media id here, so a send retried after a
-- failure sends the same upload again instead of uploading the file a second time.
alter table attachment add column upload_id text;

-- "Try again" no longer resets `attempts` (it is also the claim's token: a stale fetcher's late
-- result must never match a newer claim); the tries counted against the limit start over from
-- `tries_before` instead.
alter table attachment add column tries_before integer not null default 0;

-- Customers' files older than Meta's 7 days cannot be fetched any more: the ones queued by the
-- previous migration's backfill are marked expired instead of each costing a lookup.
update attachment a set state = 'failed', problem = 'expired',
       detail = 'older than the provider keeps files', updated_at = now()
  from message m
 where a.message_id = m.message_id and a.state = 'pending' and m.sent_at < now() - interval '7 days';

-- Quoted replies: the `message.created` event of a customer's reply that quotes an earlier
-- message carries the quote (as `MessageView.quoted`), like the stored view does. The function
-- is as in migration …04, with that one addition.
create or replace function inbox_store_inbound(
    p_channel_id bigint,
    p_phone text,
    p_bsuid text,
    p_name text,
    p_provider_message_id text,
    p_kind text,
    p_body text,
    p_media jsonb,
    p_reply_to text,
    p_raw jsonb,
    p_sent_at timestamptz,
    p_preview text,
    p_view jsonb,
    p_inline_limit integer
) returns table (outcome text, chat_id bigint, mode text, assigned_user_id bigint)
language plpgsql as $$
#variable_conflict use_column
declare
    v_contact bigint;
    v_contact_name text;
    v_contact_phone text;
    v_contact_bsuid text;
    v_chat bigint;
    v_mode text;
    v_assigned bigint;
    v_channel_kind text;
    v_channel_name text;
    v_message bigint;
    v_summary jsonb;
    v_view jsonb;
    v_event bigint;
    v_kind text;
    v_payload jsonb;
    v_note text;
begin
    -- Every SQL statement here costs an executor start-up, which is most of the price of a
    -- message, so the common path runs five: contact, chat, message, chat update, events.
    if p_phone is null and p_bsuid is null then
        raise exception 'contact_without_identity' using errcode = '22023';
    end if;

    -- The contact: by phone when there is one, else by business-scoped user id. The name the
    -- customer shows now is kept, and a user id we did not know is learnt. Concurrent first
    -- messages from one new number: one insert wins, the others wait for it and then read it.
    for attempt in 1..2 loop
        if p_phone is not null then
            select c.contact_id, c.display_name, c.phone, c.bsuid
              into v_contact, v_contact_name, v_contact_phone, v_contact_bsuid
              from contact c where c.phone = p_phone;
        else
            select c.contact_id, c.display_name, c.phone, c.bsuid
              into v_contact, v_contact_name, v_contact_phone, v_contact_bsuid
              from contact c where c.bsuid = p_bsuid;
        end if;
        exit when v_contact is not null;
        insert into contact as c (phone, bsuid, display_name) values (p_phone, p_bsuid, p_name)
            on conflict do nothing returning c.contact_id into v_contact;
        if v_contact is not null then
            v_contact_name := p_name;
            v_contact_phone := p_phone;
            v_contact_bsuid := p_bsuid;
            exit;
        end if;
    end loop;
    if v_contact is null then
        raise exception 'could not find or create the contact';
    end if;
    if v_contact_name is distinct from coalesce(p_name, v_contact_name)
       or (v_contact_bsuid is null and p_bsuid is not null) then
        update contact c set display_name = coalesce(p_name, c.display_name),
                             bsuid = coalesce(c.bsuid, p_bsuid), updated_at = now()
         where c.contact_id = v_contact
        returning c.display_name into v_contact_name;
    end if;

    -- The chat, locked for this transaction: the open one, else the latest closed one; with
    -- none, a new one in BOT mode (then read back with its channel).
    for attempt in 1..3 loop
        select c.chat_id, c.mode, c.assigned_user_id, ch.kind, ch.name
          into v_chat, v_mode, v_assigned, v_channel_kind, v_channel_name
          from chat c join channel ch on ch.channel_id = c.channel_id
         where c.channel_id = p_channel_id and c.contact_id = v_contact
         order by (c.mode <> 'closed') desc, c.chat_id desc limit 1 for update of c;
        exit when v_chat is not null;
        insert into chat (channel_id, contact_id) values (p_channel_id, v_contact)
            on conflict (channel_id, contact_id) where mode <> 'closed' do nothing;
    end loop;
    if v_chat is null then
        raise exception 'could not find or create the chat of contact %', v_contact;
    end if;

    if v_mode = 'closed' then
        -- A redelivery changes nothing and never reopens a closed chat; a new message does.
        if exists (select 1 from message m where m.channel_id = p_channel_id
                                              and m.provider_message_id = p_provider_message_id) then
            return query select 'duplicate'::text, v_chat, v_mode, v_assigned;
        else
            return query select 'closed'::text, v_chat, v_mode, v_assigned;
        end if;
        return;
    end if;

    insert into message as m (chat_id, channel_id, direction, sender_kind, kind, body, media,
                              provider_message_id, reply_to_provider_id, status, raw, sent_at)
    values (v_chat, p_channel_id, 'in', 'customer', p_kind, p_body, p_media,
            p_provider_message_id, p_reply_to, 'received', p_raw, p_sent_at)
    on conflict (channel_id, provider_message_id) do nothing
    returning m.message_id into v_message;
    if v_message is null then
        return query select 'duplicate'::text, v_chat, v_mode, v_assigned;
        return;
    end if;

    -- The chat as the chat list shows it (the columns of `ChatSummary`).
    update chat c set last_message_at = greatest(c.last_message_at, p_sent_at),
                      last_message_preview = p_preview,
                      last_customer_message_at = greatest(c.last_customer_message_at, p_sent_at),
                      unread_count = c.unread_count + case when c.mode = 'paused' then 0 else 1 end
     where c.chat_id = v_chat
    returning jsonb_build_object(
        'chat_id', c.chat_id, 'channel_id', c.channel_id,
        'channel_kind', v_channel_kind, 'channel_name', v_channel_name,
        'contact_id', c.contact_id, 'contact_name', v_contact_name, 'contact_phone', v_contact_phone,
        'mode', c.mode, 'assigned_user_id', c.assigned_user_id,
        'assigned_name', (select u.display_name from app_user u where u.user_id = c.assigned_user_id),
        'unread_count', c.unread_count, 'last_message_at', c.last_message_at,
        'last_message_preview', c.last_message_preview,
        'last_customer_message_at', c.last_customer_message_at)
    into v_summary;

    -- The two live events, in order, each notified inline when it fits (as `events::publish`).
    v_view := p_view || jsonb_build_object('message_id', v_message, 'chat_id', v_chat);
    -- A reply quoting an earlier message shows the quote as soon as it arrives.
    if p_reply_to is not null and p_kind <> 'reaction' then
        v_view := v_view || jsonb_build_object('quoted', coalesce(
            (select jsonb_build_object('message_id', q.message_id, 'kind', q.kind,
                                       'body', left(q.body, 200), 'from_customer', q.direction = 'in')
               from message q where q.channel_id = p_channel_id and q.provider_message_id = p_reply_to),
            jsonb_build_object('message_id', null, 'kind', null, 'body', null, 'from_customer', false)));
    end if;
    for v_event, v_kind, v_payload in
        insert into event as e (kind, chat_id, payload)
        values ('message.created', v_chat, v_view), ('chat.updated', v_chat, v_summary)
        returning e.event_id, e.kind, e.payload
    loop
        v_note := json_build_object('event_id', v_event, 'kind', v_kind,
                                    'chat_id', v_chat, 'payload', v_payload)::text;
        perform pg_notify('inbox_events', case when octet_length(v_note) <= p_inline_limit
                                               then v_note else v_event::text end);
    end loop;

    return query select 'stored'::text, v_chat, v_mode, v_assigned;
end;
$$;
