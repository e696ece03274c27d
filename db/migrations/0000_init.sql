CREATE TABLE "chat_bindings" (
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"source" text NOT NULL,
	"bound_by" text,
	"bound_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chat_bindings_platform_chat_id_pk" PRIMARY KEY("platform","chat_id")
);
--> statement-breakpoint
CREATE TABLE "clocks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"action" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"satisfied_at" timestamp with time zone,
	"satisfied_by" text,
	"end_reason" text,
	"breached_at" timestamp with time zone,
	"unknown_years" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"id" bigserial NOT NULL,
	"platform" text NOT NULL,
	"event_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	"received_at" timestamp with time zone NOT NULL,
	"handled_at" timestamp with time zone,
	CONSTRAINT "inbox_platform_event_id_pk" PRIMARY KEY("platform","event_id")
);
--> statement-breakpoint
CREATE TABLE "item_counters" (
	"day" text PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"kind" text NOT NULL,
	"actor_person_id" text,
	"actor_name" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_messages" (
	"item_id" integer NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"message_id" text NOT NULL,
	"kind" text NOT NULL,
	CONSTRAINT "item_messages_item_id_platform_chat_id_kind_pk" PRIMARY KEY("item_id","platform","chat_id","kind")
);
--> statement-breakpoint
CREATE TABLE "item_units" (
	"item_id" integer NOT NULL,
	"unit_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "item_units_item_id_unit_id_pk" PRIMARY KEY("item_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"level" text,
	"proposed_level" text,
	"channel" text,
	"link" text,
	"emergency" boolean DEFAULT false NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"owner_unit_id" text NOT NULL,
	"routing_rule" text NOT NULL,
	"policy_pack" text NOT NULL,
	"reporter_person_id" text,
	"reporter_name" text NOT NULL,
	"reporter_unit_id" text,
	"platform" text NOT NULL,
	"source_chat_id" text NOT NULL,
	"source_message_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"kind" text DEFAULT 'opinion' NOT NULL,
	"casualties" boolean DEFAULT false NOT NULL,
	"large_impact" boolean DEFAULT false NOT NULL,
	"message_type" text,
	"accepted_at" timestamp with time zone,
	"extended_working_days" integer DEFAULT 0 NOT NULL,
	"claimed_by_person_id" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "items_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"unit_id" text NOT NULL,
	"person_id" text NOT NULL,
	"roles" jsonb NOT NULL,
	CONSTRAINT "memberships_unit_id_person_id_pk" PRIMARY KEY("unit_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" uuid DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"op" text NOT NULL,
	"chat_id" text NOT NULL,
	"reply_to" text,
	"in_thread" boolean DEFAULT false NOT NULL,
	"thread_item_id" integer,
	"anchor_item_id" integer,
	"anchor_kind" text DEFAULT 'card' NOT NULL,
	"target_message_id" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	"sent_message_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"feishu_id" text,
	"wecom_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "people_feishu_id_unique" UNIQUE("feishu_id"),
	CONSTRAINT "people_wecom_id_unique" UNIQUE("wecom_id")
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"platform" text NOT NULL,
	"event_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "processed_events_platform_event_id_pk" PRIMARY KEY("platform","event_id")
);
--> statement-breakpoint
CREATE TABLE "sandbox_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rev" bigserial NOT NULL,
	"chat_id" text NOT NULL,
	"sender_person_id" text,
	"sender_name" text NOT NULL,
	"reply_to" integer,
	"thread_root" integer,
	"content" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"send_key" text
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"item_id" integer,
	"clock_id" integer,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	CONSTRAINT "timers_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"parent_id" text,
	"handles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"is_cc" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_bindings" ADD CONSTRAINT "chat_bindings_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clocks" ADD CONSTRAINT "clocks_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_events" ADD CONSTRAINT "item_events_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_events" ADD CONSTRAINT "item_events_actor_person_id_people_id_fk" FOREIGN KEY ("actor_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_units" ADD CONSTRAINT "item_units_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_units" ADD CONSTRAINT "item_units_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_owner_unit_id_units_id_fk" FOREIGN KEY ("owner_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_reporter_person_id_people_id_fk" FOREIGN KEY ("reporter_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_reporter_unit_id_units_id_fk" FOREIGN KEY ("reporter_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_claimed_by_person_id_people_id_fk" FOREIGN KEY ("claimed_by_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_clock_id_clocks_id_fk" FOREIGN KEY ("clock_id") REFERENCES "public"."clocks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_bindings_unit" ON "chat_bindings" USING btree ("unit_id","platform");--> statement-breakpoint
CREATE INDEX "clocks_item" ON "clocks" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clocks_open_kind" ON "clocks" USING btree ("item_id","kind") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "inbox_due" ON "inbox" USING btree ("next_attempt_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "item_events_item" ON "item_events" USING btree ("item_id","id");--> statement-breakpoint
CREATE INDEX "item_units_unit" ON "item_units" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "items_state" ON "items" USING btree ("state");--> statement-breakpoint
CREATE INDEX "items_owner" ON "items" USING btree ("owner_unit_id");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("next_attempt_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_chat_queue" ON "outbox" USING btree ("platform","chat_id","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "sandbox_messages_chat_rev" ON "sandbox_messages" USING btree ("chat_id","rev");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_messages_send_key" ON "sandbox_messages" USING btree ("send_key");--> statement-breakpoint
CREATE INDEX "timers_due" ON "timers" USING btree ("due_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "timers_clock" ON "timers" USING btree ("clock_id");