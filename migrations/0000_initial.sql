CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`outcome` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_recent` ON `audit_log` (`team_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `ballots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`vote_id` integer NOT NULL,
	`voter_key` text NOT NULL,
	`organisation_id` integer,
	`cast_by` text,
	`cast_by_hash` text NOT NULL,
	`choices_json` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`vote_id`) REFERENCES `votes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ballots_voter` ON `ballots` (`vote_id`,`voter_key`);--> statement-breakpoint
CREATE INDEX `ballots_vote` ON `ballots` (`vote_id`);--> statement-breakpoint
CREATE TABLE `coordinators` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coordinators_user` ON `coordinators` (`team_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `digest_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`scope` text NOT NULL,
	`scheduled_for` integer NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`claimed_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `digest_runs_once` ON `digest_runs` (`team_id`,`scope`,`scheduled_for`);--> statement-breakpoint
CREATE TABLE `digest_schedules` (
	`team_id` text NOT NULL,
	`scope` text NOT NULL,
	`cron` text NOT NULL,
	`time_zone` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `digest_schedules_scope` ON `digest_schedules` (`team_id`,`scope`);--> statement-breakpoint
CREATE TABLE `digest_subscriptions` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `digest_subscriptions_user` ON `digest_subscriptions` (`team_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `issue_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`issue_id` integer NOT NULL,
	`actor_id` text NOT NULL,
	`kind` text NOT NULL,
	`from_value` text,
	`to_value` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `issue_events_issue` ON `issue_events` (`issue_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`program_team_id` integer NOT NULL,
	`number` integer NOT NULL,
	`title` text NOT NULL,
	`details` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`status` text NOT NULL,
	`owner_id` text,
	`due_date` text,
	`reporter_id` text NOT NULL,
	`priority` integer,
	`source_permalink` text,
	`source_channel_id` text,
	`source_ts` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issues_team_number` ON `issues` (`program_team_id`,`number`);--> statement-breakpoint
CREATE INDEX `issues_team_status_activity` ON `issues` (`program_team_id`,`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `issues_workspace_activity` ON `issues` (`team_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `issues_owner` ON `issues` (`team_id`,`owner_id`);--> statement-breakpoint
CREATE TABLE `meeting_rsvps` (
	`team_id` text NOT NULL,
	`meeting_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`answer` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_rsvps_unique` ON `meeting_rsvps` (`meeting_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`number` integer NOT NULL,
	`program_team_id` integer NOT NULL,
	`title` text NOT NULL,
	`starts_at` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`location` text DEFAULT '' NOT NULL,
	`agenda` text DEFAULT '' NOT NULL,
	`time_zone` text NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`creator_id` text NOT NULL,
	`channel_id` text,
	`message_ts` text,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`cancelled_at` integer,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meetings_number` ON `meetings` (`team_id`,`number`);--> statement-breakpoint
CREATE INDEX `meetings_team_start` ON `meetings` (`program_team_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organisations_name` ON `organisations` (`team_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`method` text NOT NULL,
	`payload_json` text NOT NULL,
	`not_before` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`result_json` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe` ON `outbox` (`team_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`not_before`);--> statement-breakpoint
CREATE TABLE `people` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`organisation_id` integer,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `people_user` ON `people` (`team_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `people_org` ON `people` (`organisation_id`);--> statement-breakpoint
CREATE TABLE `processed_requests` (
	`team_id` text NOT NULL,
	`key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `processed_requests_key` ON `processed_requests` (`team_id`,`key`);--> statement-breakpoint
CREATE INDEX `processed_requests_age` ON `processed_requests` (`created_at`);--> statement-breakpoint
CREATE TABLE `program_teams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_teams_key` ON `program_teams` (`team_id`,`key`);--> statement-breakpoint
CREATE TABLE `team_channels` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`program_team_id` integer NOT NULL,
	`linked_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_channels_channel` ON `team_channels` (`team_id`,`channel_id`);--> statement-breakpoint
CREATE INDEX `team_channels_team` ON `team_channels` (`program_team_id`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`program_team_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_members_unique` ON `team_members` (`program_team_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `team_members_user` ON `team_members` (`team_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `vote_options` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`vote_id` integer NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`issue_id` integer,
	FOREIGN KEY (`vote_id`) REFERENCES `votes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vote_options_position` ON `vote_options` (`vote_id`,`position`);--> statement-breakpoint
CREATE TABLE `votes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`number` integer NOT NULL,
	`program_team_id` integer NOT NULL,
	`question` text NOT NULL,
	`method` text NOT NULL,
	`max_choices` integer DEFAULT 1 NOT NULL,
	`eligibility` text NOT NULL,
	`anonymous` integer DEFAULT false NOT NULL,
	`results_visibility` text NOT NULL,
	`closes_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`creator_id` text NOT NULL,
	`channel_id` text,
	`message_ts` text,
	`result_json` text,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `votes_number` ON `votes` (`team_id`,`number`);--> statement-breakpoint
CREATE INDEX `votes_team_status` ON `votes` (`program_team_id`,`status`);--> statement-breakpoint
CREATE INDEX `votes_status_closes` ON `votes` (`status`,`closes_at`);