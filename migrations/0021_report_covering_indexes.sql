DROP INDEX `ballots_vote`;--> statement-breakpoint
CREATE INDEX `ballots_vote_organisation` ON `ballots` (`vote_id`,`organisation_id`);--> statement-breakpoint
CREATE INDEX `issues_team_report` ON `issues` (`program_team_id`,`number`,`created_at`,`closed_at`,`id`,`title`,`category`,`status`,`owner_id`,`reporter_id`,`due_date`);