CREATE TABLE `report_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`period` text NOT NULL,
	`status` text NOT NULL,
	`claimed_by` text NOT NULL,
	`lease_until` integer NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_runs_once` ON `report_runs` (`team_id`,`user_id`,`period`);--> statement-breakpoint
CREATE TABLE `report_schedules` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`cadence` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_schedules_user` ON `report_schedules` (`team_id`,`user_id`);