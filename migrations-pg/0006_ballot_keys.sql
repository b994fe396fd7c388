CREATE TABLE "key_checks" (
	"name" text PRIMARY KEY NOT NULL,
	"check_value" text NOT NULL,
	"stored_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "votes" ADD COLUMN "ballot_key_scheme" bigint DEFAULT 1 NOT NULL;