CREATE TABLE "platform_deliveries" (
	"platform" text PRIMARY KEY NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "send_windows" (
	"scope" text PRIMARY KEY NOT NULL,
	"recent" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
DROP INDEX "inbox_due";--> statement-breakpoint
DROP INDEX "outbox_due";--> statement-breakpoint
ALTER TABLE "inbox" ADD COLUMN "chat_id" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "strikes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "folded_into" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_id" ON "inbox" USING btree ("id");--> statement-breakpoint
CREATE INDEX "inbox_chat_queue" ON "inbox" USING btree ("platform","chat_id","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "inbox_no_chat" ON "inbox" USING btree ("id") WHERE status = 'pending' and chat_id is null;--> statement-breakpoint
CREATE INDEX "outbox_folded" ON "outbox" USING btree ("folded_into") WHERE status = 'folded';--> statement-breakpoint
-- Issue #11 (inbox): fills inbox.chat_id, added by the generated migration, for rows stored
-- before it, from the normalised event each row carries. Run once after that migration.
-- Pending rows first: they are the ones the runner's per-chat order needs; a pending row
-- left null is still handled (on its own, outside any chat's order) through inbox_no_chat.
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" = 'pending' AND coalesce("payload"->>'chatId', '') <> '';
--> statement-breakpoint
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" <> 'pending' AND coalesce("payload"->>'chatId', '') <> '';
