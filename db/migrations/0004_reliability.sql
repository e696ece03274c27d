CREATE TABLE "org_import" (
	"key" text PRIMARY KEY NOT NULL,
	"digest" text NOT NULL,
	"units" integer NOT NULL,
	"people" integer NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
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
DROP INDEX "items_state";--> statement-breakpoint
DROP INDEX "outbox_due";--> statement-breakpoint
DROP INDEX "timers_due";--> statement-breakpoint
ALTER TABLE "inbox" ADD COLUMN "chat_id" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "strikes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "folded_into" bigint;--> statement-breakpoint
ALTER TABLE "timers" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_id" ON "inbox" USING btree ("id");--> statement-breakpoint
CREATE INDEX "inbox_chat_queue" ON "inbox" USING btree ("platform","chat_id","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "inbox_no_chat" ON "inbox" USING btree ("id") WHERE status = 'pending' and chat_id is null;--> statement-breakpoint
CREATE INDEX "inbox_handled" ON "inbox" USING btree ("handled_at") WHERE status = 'done';--> statement-breakpoint
CREATE INDEX "inbox_dead" ON "inbox" USING btree ("received_at") WHERE status = 'dead';--> statement-breakpoint
CREATE INDEX "items_open_reported" ON "items" USING btree ("reported_at","id","state") WHERE state <> 'closed';--> statement-breakpoint
CREATE INDEX "memberships_person" ON "memberships" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "outbox_folded" ON "outbox" USING btree ("folded_into") WHERE status = 'folded';--> statement-breakpoint
CREATE INDEX "outbox_sent" ON "outbox" USING btree ("sent_at") WHERE status = 'sent';--> statement-breakpoint
CREATE INDEX "outbox_dead" ON "outbox" USING btree ("created_at") WHERE status = 'dead';--> statement-breakpoint
CREATE INDEX "processed_events_received" ON "processed_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "timers_next_attempt" ON "timers" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "timers_finished" ON "timers" USING btree ("due_at") WHERE status in ('done', 'cancelled');--> statement-breakpoint
CREATE INDEX "timers_dead" ON "timers" USING btree ("due_at") WHERE status = 'dead';--> statement-breakpoint
-- Hand-written (issue #11, inbox): fills inbox.chat_id, added above, for rows stored
-- before it, from the normalised event each row carries. Run once after that migration.
-- Pending rows first: they are the ones the runner's per-chat order needs; a pending row
-- left null is still handled (on its own, outside any chat's order) through inbox_no_chat.
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" = 'pending' AND coalesce("payload"->>'chatId', '') <> '';
--> statement-breakpoint
UPDATE "inbox" SET "chat_id" = "payload"->>'chatId'
  WHERE "chat_id" IS NULL AND "status" <> 'pending' AND coalesce("payload"->>'chatId', '') <> '';
--> statement-breakpoint
-- Run once, right after the migration that adds "timers"."next_attempt_at" (issue #11, timer runner
-- isolation). That migration fills the new column with the time it ran; a pending timer is tried
-- at its due time from then on, so its retry time starts at its due time. Not needed for correctness
-- (the claim also waits for due_at), only so the claim's index range holds due timers alone.
UPDATE "timers" SET "next_attempt_at" = "due_at" WHERE "status" = 'pending';
