CREATE TABLE "workspace_settings" (
	"team_id" text PRIMARY KEY NOT NULL,
	"time_zone" text,
	"updated_by" text NOT NULL,
	"updated_at" bigint NOT NULL
);
