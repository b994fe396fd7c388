-- issue_events gets its issue's team (program_team_id), NOT NULL with a foreign key, so digests read a
-- team's events from one index. SQLite cannot add a NOT NULL column without a default, so the table is
-- rebuilt and every existing row copies its issue's team (issue_id is a cascading foreign key, so
-- every event has its issue). Nothing references issue_events, so dropping the old table is safe with
-- foreign keys on (drizzle runs this in one transaction, where PRAGMA foreign_keys has no effect).
CREATE TABLE `__new_issue_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`issue_id` integer NOT NULL,
	`program_team_id` integer NOT NULL,
	`actor_id` text NOT NULL,
	`kind` text NOT NULL,
	`from_value` text,
	`to_value` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
INSERT INTO `__new_issue_events` (`id`, `team_id`, `issue_id`, `program_team_id`, `actor_id`, `kind`, `from_value`, `to_value`, `note`, `created_at`)
SELECT e.`id`, e.`team_id`, e.`issue_id`, i.`program_team_id`, e.`actor_id`, e.`kind`, e.`from_value`, e.`to_value`, e.`note`, e.`created_at`
FROM `issue_events` e JOIN `issues` i ON i.`id` = e.`issue_id`;
--> statement-breakpoint
-- Keep the AUTOINCREMENT high-water mark: a status change's outbox dedupe key holds its event id, so
-- an id must never be handed out twice, even when the newest events were deleted with their issue.
DELETE FROM `sqlite_sequence` WHERE `name` = '__new_issue_events';
--> statement-breakpoint
INSERT INTO `sqlite_sequence` (`name`, `seq`) SELECT '__new_issue_events', `seq` FROM `sqlite_sequence` WHERE `name` = 'issue_events';
--> statement-breakpoint
DROP TABLE `issue_events`;
--> statement-breakpoint
ALTER TABLE `__new_issue_events` RENAME TO `issue_events`;
--> statement-breakpoint
CREATE INDEX `issue_events_issue` ON `issue_events` (`issue_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `issue_events_team_since` ON `issue_events` (`program_team_id`,`created_at`,`id`,`issue_id`,`from_value`,`to_value`);
