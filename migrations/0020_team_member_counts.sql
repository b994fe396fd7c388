CREATE TABLE `team_member_counts` (
	`program_team_id` integer PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`program_team_id`) REFERENCES `program_teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `meeting_rsvps_answer` ON `meeting_rsvps` (`meeting_id`,`answer`,`updated_at`,`user_id`);--> statement-breakpoint
CREATE INDEX `team_members_joined` ON `team_members` (`program_team_id`,`created_at`,`user_id`);--> statement-breakpoint
INSERT INTO `team_member_counts` (`program_team_id`, `count`)
  SELECT `program_team_id`, count(*) FROM `team_members` GROUP BY `program_team_id`;
--> statement-breakpoint
-- Kept in the same transaction as every membership change (a team's deletion cascades to both tables).
CREATE TRIGGER `team_member_counts_insert` AFTER INSERT ON `team_members` BEGIN
  INSERT INTO `team_member_counts` (`program_team_id`, `count`) VALUES (NEW.`program_team_id`, 1)
  ON CONFLICT (`program_team_id`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `team_member_counts_update` AFTER UPDATE OF `program_team_id` ON `team_members`
WHEN OLD.`program_team_id` IS NOT NEW.`program_team_id`
BEGIN
  UPDATE `team_member_counts` SET `count` = `count` - 1 WHERE `program_team_id` = OLD.`program_team_id`;
  INSERT INTO `team_member_counts` (`program_team_id`, `count`) VALUES (NEW.`program_team_id`, 1)
  ON CONFLICT (`program_team_id`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `team_member_counts_delete` AFTER DELETE ON `team_members` BEGIN
  UPDATE `team_member_counts` SET `count` = `count` - 1 WHERE `program_team_id` = OLD.`program_team_id`;
END;
