CREATE TABLE `slack_rate_buckets` (
	`team_id` text NOT NULL,
	`bucket` text NOT NULL,
	`tokens` real NOT NULL,
	`updated_at` integer NOT NULL,
	`blocked_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `slack_rate_buckets_key` ON `slack_rate_buckets` (`team_id`,`bucket`);