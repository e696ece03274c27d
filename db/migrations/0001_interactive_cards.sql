CREATE TABLE "wording_decisions" (
	"wording_id" integer NOT NULL,
	"unit_id" text NOT NULL,
	"decision" text NOT NULL,
	"person_id" text,
	"person_name" text NOT NULL,
	"secrecy_reviewed" boolean NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "wording_decisions_wording_id_unit_id_pk" PRIMARY KEY("wording_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "wordings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"text" text NOT NULL,
	"drafter_person_id" text,
	"drafter_name" text NOT NULL,
	"status" text NOT NULL,
	"unit_ids" jsonb NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "release_stage" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wording_decisions" ADD CONSTRAINT "wording_decisions_wording_id_wordings_id_fk" FOREIGN KEY ("wording_id") REFERENCES "public"."wordings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wording_decisions" ADD CONSTRAINT "wording_decisions_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wording_decisions" ADD CONSTRAINT "wording_decisions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wordings" ADD CONSTRAINT "wordings_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wordings" ADD CONSTRAINT "wordings_drafter_person_id_people_id_fk" FOREIGN KEY ("drafter_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "wordings_item" ON "wordings" USING btree ("item_id","id");