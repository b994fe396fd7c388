CREATE TABLE `issue_status_counts` (
	`program_team_id` integer NOT NULL,
	`status` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issue_status_counts_team_status` ON `issue_status_counts` (`program_team_id`,`status`);--> statement-breakpoint
DROP INDEX `home_tabs_stale`;--> statement-breakpoint
ALTER TABLE `home_tabs` ADD `is_admin` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `home_tabs` ADD `is_external` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `home_tabs_stale` ON `home_tabs` (`team_id`,`seen_at`) WHERE "home_tabs"."version" > "home_tabs"."published_version";--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `lease_until`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `attempts`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `not_before`;--> statement-breakpoint
ALTER TABLE `home_tabs` DROP COLUMN `last_error`;--> statement-breakpoint
ALTER TABLE `home_publish_rate` DROP COLUMN `blocked_until`;
--> statement-breakpoint
INSERT INTO `issue_status_counts` (`program_team_id`, `status`, `count`)
  SELECT `program_team_id`, `status`, count(*) FROM `issues` GROUP BY `program_team_id`, `status`;
--> statement-breakpoint
-- Kept in the same transaction as every change of an issue's team or status.
CREATE TRIGGER `issue_status_counts_insert` AFTER INSERT ON `issues` BEGIN
  INSERT INTO `issue_status_counts` (`program_team_id`, `status`, `count`) VALUES (NEW.`program_team_id`, NEW.`status`, 1)
  ON CONFLICT (`program_team_id`, `status`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `issue_status_counts_update` AFTER UPDATE OF `status`, `program_team_id` ON `issues`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`program_team_id` IS NOT NEW.`program_team_id`
BEGIN
  UPDATE `issue_status_counts` SET `count` = `count` - 1 WHERE `program_team_id` = OLD.`program_team_id` AND `status` = OLD.`status`;
  INSERT INTO `issue_status_counts` (`program_team_id`, `status`, `count`) VALUES (NEW.`program_team_id`, NEW.`status`, 1)
  ON CONFLICT (`program_team_id`, `status`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `issue_status_counts_delete` AFTER DELETE ON `issues` BEGIN
  UPDATE `issue_status_counts` SET `count` = `count` - 1 WHERE `program_team_id` = OLD.`program_team_id` AND `status` = OLD.`status`;
END;
