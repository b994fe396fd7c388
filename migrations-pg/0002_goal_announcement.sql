ALTER TABLE "goals" ADD COLUMN "announcement_channel_id" text;--> statement-breakpoint
ALTER TABLE "goals" ADD COLUMN "announcement_ts" text;