-- A customer's shared place or contact cards (`model::LocationView` under `location`, or
-- `model::ContactCardView`s under `contacts`), for the bubble's map link and "Start chat".
alter table message add column details jsonb;

-- A customer's reactions are shown on the message they react to: the latest one per message
-- (an emptied one means the reaction was taken back).
create index message_reaction on message (channel_id, reply_to_provider_id, message_id desc)
    where kind = 'reaction';
