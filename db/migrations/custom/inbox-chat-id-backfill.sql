-- Issue #11 (inbox): fills inbox.chat_id, added by the generated migration, for rows stored
-- before it, from the normalised event each row carries. Run once after that migration.
-- Pending rows first: they are the ones the runner's per-chat order needs; a pending row
-- left null is still handled (on its own, outside any chat's order) through inbox_no_chat.
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" = 'pending' AND coalesce("payload"->>'chatId', '') <> '';
--> statement-breakpoint
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" <> 'pending' AND coalesce("payload"->>'chatId', '') <> '';
