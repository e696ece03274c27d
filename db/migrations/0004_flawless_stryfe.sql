DROP INDEX "timers_due";--> statement-breakpoint
ALTER TABLE "timers" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "inbox_handled" ON "inbox" USING btree ("handled_at") WHERE status = 'done';--> statement-breakpoint
CREATE INDEX "inbox_dead" ON "inbox" USING btree ("received_at") WHERE status = 'dead';--> statement-breakpoint
CREATE INDEX "outbox_sent" ON "outbox" USING btree ("sent_at") WHERE status = 'sent';--> statement-breakpoint
CREATE INDEX "outbox_dead" ON "outbox" USING btree ("created_at") WHERE status = 'dead';--> statement-breakpoint
CREATE INDEX "processed_events_received" ON "processed_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "timers_next_attempt" ON "timers" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "timers_finished" ON "timers" USING btree ("due_at") WHERE status in ('done', 'cancelled');--> statement-breakpoint
CREATE INDEX "timers_dead" ON "timers" USING btree ("due_at") WHERE status = 'dead';