-- When the provider took our read receipt for this customer message: it, and every earlier
-- customer message of its chat, shows blue ticks on the customer's phone (readers take the
-- newest marked message of a chat). Set by the outbox worker once the receipt is delivered,
-- never when it is queued (`receipt_queued_at`); only on the receipt's own message, so a long
-- chat's history is not rewritten by its first receipt.
alter table message add column marked_read_at timestamptz;
