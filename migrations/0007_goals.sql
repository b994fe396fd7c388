CREATE TABLE `goal_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`goal_id` integer NOT NULL,
	`actor_id` text NOT NULL,
	`kind` text NOT NULL,
	`from_value` text,
	`to_value` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`goal_id`) REFERENCES `goals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `goal_events_goal` ON `goal_events` (`goal_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `goal_issues` (
	`team_id` text NOT NULL,
	`goal_id` integer NOT NULL,
	`issue_id` integer NOT NULL,
	`linked_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`goal_id`) REFERENCES `goals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `goal_issues_unique` ON `goal_issues` (`goal_id`,`issue_id`);--> statement-breakpoint
CREATE INDEX `goal_issues_issue` ON `goal_issues` (`issue_id`);--> statement-breakpoint
CREATE TABLE `goal_readings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`goal_id` integer NOT NULL,
	`as_of` text NOT NULL,
	`value` real NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`recorded_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`superseded_at` integer,
	FOREIGN KEY (`goal_id`) REFERENCES `goals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `goal_readings_goal` ON `goal_readings` (`goal_id`,`as_of`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `goal_readings_current` ON `goal_readings` (`goal_id`,`as_of`) WHERE "goal_readings"."superseded_at" is null;--> statement-breakpoint
CREATE TABLE `goal_stale_reminders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`goal_id` integer NOT NULL,
	`stale_since` text NOT NULL,
	`owner_id` text NOT NULL,
	`claimed_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`goal_id`) REFERENCES `goals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `goal_stale_reminders_once` ON `goal_stale_reminders` (`goal_id`,`stale_since`);--> statement-breakpoint
CREATE TABLE `goal_votes` (
	`team_id` text NOT NULL,
	`vote_id` integer NOT NULL,
	`goal_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`vote_id`) REFERENCES `votes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`goal_id`) REFERENCES `goals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `goal_votes_vote` ON `goal_votes` (`vote_id`);--> statement-breakpoint
CREATE INDEX `goal_votes_goal` ON `goal_votes` (`goal_id`);--> statement-breakpoint
CREATE TABLE `goals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`number` integer NOT NULL,
	`program_team_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`unit` text DEFAULT '' NOT NULL,
	`baseline` real,
	`target` real,
	`direction` text,
	`start_date` text NOT NULL,
	`target_date` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`owner_id` text NOT NULL,
	`organisation_id` integer,
	`creator_id` text NOT NULL,
	`close_note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `goals_number` ON `goals` (`team_id`,`number`);--> statement-breakpoint
CREATE INDEX `goals_team_status` ON `goals` (`program_team_id`,`status`,`number`);