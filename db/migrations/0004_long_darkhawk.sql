DROP INDEX "inbox_due";--> statement-breakpoint
ALTER TABLE "inbox" ADD COLUMN "chat_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_id" ON "inbox" USING btree ("id");--> statement-breakpoint
CREATE INDEX "inbox_chat_queue" ON "inbox" USING btree ("platform","chat_id","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "inbox_no_chat" ON "inbox" USING btree ("id") WHERE status = 'pending' and chat_id is null;