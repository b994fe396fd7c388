DROP INDEX `home_tabs_stale`;--> statement-breakpoint
ALTER TABLE `home_tabs` ADD `is_admin` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `home_tabs` ADD `is_external` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `home_tabs_stale` ON `home_tabs` (`team_id`,`seen_at`) WHERE "home_tabs"."version" > "home_tabs"."published_version";--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `lease_until`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `attempts`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `not_before`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `last_error`;--> statement-breakpoint
ALTER TABLE `home_publish_rate` DROP COLUMN `blocked_until`;