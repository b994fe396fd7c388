CREATE TABLE "slack_rate_buckets" (
	"team_id" text NOT NULL,
	"bucket" text NOT NULL,
	"tokens" double precision NOT NULL,
	"updated_at" bigint NOT NULL,
	"blocked_until" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "slack_rate_buckets_key" ON "slack_rate_buckets" USING btree ("team_id","bucket");