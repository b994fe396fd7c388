CREATE TABLE `home_publish_rate` (
	`team_id` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`blocked_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `home_tabs` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`is_coordinator` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`published_version` integer DEFAULT 0 NOT NULL,
	`seen_at` integer,
	`lease_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`notice_json` text,
	`opened_at` integer NOT NULL,
	`published_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `home_tabs_user` ON `home_tabs` (`team_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `home_tabs_stale` ON `home_tabs` (`not_before`) WHERE "home_tabs"."version" > "home_tabs"."published_version";