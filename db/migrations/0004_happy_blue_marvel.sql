CREATE TABLE "org_import" (
	"key" text PRIMARY KEY NOT NULL,
	"digest" text NOT NULL,
	"units" integer NOT NULL,
	"people" integer NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "memberships_person" ON "memberships" USING btree ("person_id");