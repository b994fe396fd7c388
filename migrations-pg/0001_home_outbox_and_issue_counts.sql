CREATE TABLE "issue_status_counts" (
	"program_team_id" bigint NOT NULL,
	"status" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "home_tabs_stale";--> statement-breakpoint
ALTER TABLE "home_tabs" ADD COLUMN "is_admin" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "home_tabs" ADD COLUMN "is_external" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "issue_status_counts" ADD CONSTRAINT "issue_status_counts_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "issue_status_counts_team_status" ON "issue_status_counts" USING btree ("program_team_id","status");--> statement-breakpoint
CREATE INDEX "home_tabs_stale" ON "home_tabs" USING btree ("team_id","seen_at") WHERE "home_tabs"."version" > "home_tabs"."published_version";--> statement-breakpoint
ALTER TABLE "home_publish_rate" DROP COLUMN "blocked_until";--> statement-breakpoint
ALTER TABLE "home_tabs" DROP COLUMN "lease_until";--> statement-breakpoint
ALTER TABLE "home_tabs" DROP COLUMN "attempts";--> statement-breakpoint
ALTER TABLE "home_tabs" DROP COLUMN "not_before";--> statement-breakpoint
ALTER TABLE "home_tabs" DROP COLUMN "last_error";