-- Marks a person's Home tab stale (version + 1) in the same transaction as any write that changes
-- what their Home shows, whichever code path made it (a command, a button, a job, another
-- instance). Only people who opened their Home have a home_tabs row, so only they are marked.
-- The publisher (src/features/home/refresh.ts) republishes each stale Home once.

-- Issues: their owner (before and after) sees them under "Your issues"; coordinators see each
-- team's open, blocked and overdue counts.
CREATE TRIGGER `home_issue_insert` AFTER INSERT ON `issues` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`user_id` = NEW.`owner_id` OR `is_coordinator` = 1);
END;
--> statement-breakpoint
CREATE TRIGGER `home_issue_update` AFTER UPDATE OF `status`, `owner_id`, `due_date`, `title` ON `issues`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`owner_id` IS NOT NEW.`owner_id` OR OLD.`due_date` IS NOT NEW.`due_date` OR OLD.`title` IS NOT NEW.`title`
BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (
    `user_id` IN (NEW.`owner_id`, OLD.`owner_id`)
    OR (`is_coordinator` = 1 AND (OLD.`status` IS NOT NEW.`status` OR OLD.`due_date` IS NOT NEW.`due_date`))
  );
END;
--> statement-breakpoint
-- Votes: a vote opening or closing in a team changes its members' "waiting for your ballot".
CREATE TRIGGER `home_vote_insert` AFTER INSERT ON `votes` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `home_vote_update` AFTER UPDATE OF `status`, `question`, `closes_at` ON `votes`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`question` IS NOT NEW.`question` OR OLD.`closes_at` IS NOT NEW.`closes_at`
BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`);
END;
--> statement-breakpoint
-- Ballots: the voter; for one-per-organisation votes the organisation's people (a colleague's ballot
-- is theirs too); for anonymous ballots (no voter stored) the team's members.
CREATE TRIGGER `home_ballot_insert` AFTER INSERT ON `ballots` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (
    `user_id` = NEW.`cast_by`
    OR (NEW.`organisation_id` IS NOT NULL AND `user_id` IN (SELECT `user_id` FROM `people` WHERE `organisation_id` = NEW.`organisation_id`))
    OR (NEW.`cast_by` IS NULL AND `user_id` IN (SELECT m.`user_id` FROM `team_members` m JOIN `votes` v ON v.`program_team_id` = m.`program_team_id` WHERE v.`id` = NEW.`vote_id`))
  );
END;
--> statement-breakpoint
CREATE TRIGGER `home_ballot_delete` AFTER DELETE ON `ballots` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = OLD.`team_id` AND (
    `user_id` = OLD.`cast_by`
    OR (OLD.`organisation_id` IS NOT NULL AND `user_id` IN (SELECT `user_id` FROM `people` WHERE `organisation_id` = OLD.`organisation_id`))
    OR (OLD.`cast_by` IS NULL AND `user_id` IN (SELECT m.`user_id` FROM `team_members` m JOIN `votes` v ON v.`program_team_id` = m.`program_team_id` WHERE v.`id` = OLD.`vote_id`))
  );
END;
--> statement-breakpoint
-- Meetings: the team's members see upcoming meetings; coordinators see each team's next one.
CREATE TRIGGER `home_meeting_insert` AFTER INSERT ON `meetings` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`is_coordinator` = 1 OR `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `home_meeting_update` AFTER UPDATE OF `status`, `starts_at`, `duration_minutes`, `title`, `location`, `link` ON `meetings`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`starts_at` IS NOT NEW.`starts_at` OR OLD.`duration_minutes` IS NOT NEW.`duration_minutes`
  OR OLD.`title` IS NOT NEW.`title` OR OLD.`location` IS NOT NEW.`location` OR OLD.`link` IS NOT NEW.`link`
BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`is_coordinator` = 1 OR `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`));
END;
--> statement-breakpoint
-- A person's own RSVP.
CREATE TRIGGER `home_rsvp_insert` AFTER INSERT ON `meeting_rsvps` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `home_rsvp_update` AFTER UPDATE OF `answer` ON `meeting_rsvps` WHEN OLD.`answer` IS NOT NEW.`answer` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
-- Joining or leaving a team changes everything a person's Home lists.
CREATE TRIGGER `home_member_insert` AFTER INSERT ON `team_members` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `home_member_delete` AFTER DELETE ON `team_members` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = OLD.`team_id` AND `user_id` = OLD.`user_id`;
END;
--> statement-breakpoint
-- An organisation recorded for a person changes which one-per-organisation ballots wait for them.
CREATE TRIGGER `home_person_insert` AFTER INSERT ON `people` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `home_person_update` AFTER UPDATE OF `organisation_id` ON `people` WHEN OLD.`organisation_id` IS NOT NEW.`organisation_id` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
-- Becoming or ceasing to be a coordinator adds or removes the control room.
CREATE TRIGGER `home_coordinator_insert` AFTER INSERT ON `coordinators` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `home_coordinator_delete` AFTER DELETE ON `coordinators` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = OLD.`team_id` AND `user_id` = OLD.`user_id`;
END;
--> statement-breakpoint
-- The control room: a new team gets a row; a claimed scheduled digest moves "last sent" and "next due".
CREATE TRIGGER `home_team_insert` AFTER INSERT ON `program_teams` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `is_coordinator` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `home_digest_run_insert` AFTER INSERT ON `digest_runs` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `is_coordinator` = 1;
END;
--> statement-breakpoint
-- A digest delivered (scheduled or sent by hand) moves "last digest sent" in the control room.
CREATE TRIGGER `home_digest_sent` AFTER UPDATE OF `status` ON `outbox`
WHEN NEW.`status` = 'sent' AND OLD.`status` IS NOT 'sent' AND (NEW.`dedupe_key` GLOB 'digest:*' OR NEW.`dedupe_key` GLOB 'digest-send:*')
BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1 WHERE `team_id` = NEW.`team_id` AND `is_coordinator` = 1;
END;
--> statement-breakpoint
-- Goals: their team's members see each goal's pace under "Your teams"; coordinators count goals behind or stale.
CREATE TRIGGER `home_goal_insert` AFTER INSERT ON `goals` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`is_coordinator` = 1 OR `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `home_goal_update` AFTER UPDATE OF `status`, `name`, `baseline`, `target`, `direction`, `target_date`, `unit` ON `goals` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`is_coordinator` = 1 OR `user_id` IN (SELECT `user_id` FROM `team_members` WHERE `program_team_id` = NEW.`program_team_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `home_goal_reading_insert` AFTER INSERT ON `goal_readings` BEGIN
  UPDATE `home_tabs` SET `version` = `version` + 1
  WHERE `team_id` = NEW.`team_id` AND (`is_coordinator` = 1 OR `user_id` IN (
    SELECT m.`user_id` FROM `team_members` m JOIN `goals` g ON g.`program_team_id` = m.`program_team_id` WHERE g.`id` = NEW.`goal_id`));
END;
