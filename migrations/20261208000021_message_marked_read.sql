-- When the provider took our read receipt for a customer's message: it, and every earlier
-- customer message of its chat, shows blue ticks on the customer's phone. Set by the outbox
-- worker once the receipt is delivered, never when it is queued (`receipt_queued_at`).
alter table message add column marked_read_at timestamptz;
