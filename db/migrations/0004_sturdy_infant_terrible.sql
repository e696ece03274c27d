DROP INDEX "items_state";--> statement-breakpoint
CREATE INDEX "items_open_reported" ON "items" USING btree ("reported_at","id","state") WHERE state <> 'closed';