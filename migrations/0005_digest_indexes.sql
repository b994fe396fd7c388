CREATE INDEX `issue_events_since` ON `issue_events` (`created_at`,`id`,`issue_id`,`from_value`,`to_value`);--> statement-breakpoint
CREATE INDEX `issues_team_status_number` ON `issues` (`program_team_id`,`status`,`number`,`created_at`);--> statement-breakpoint
CREATE INDEX `issues_team_created` ON `issues` (`program_team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `issues_team_closed` ON `issues` (`program_team_id`,`closed_at`,`status`);--> statement-breakpoint
CREATE INDEX `issues_open_due` ON `issues` (`program_team_id`,`due_date`,`number`) WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."due_date" is not null;--> statement-breakpoint
CREATE INDEX `issues_open_unowned` ON `issues` (`program_team_id`,`number`) WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."owner_id" is null;--> statement-breakpoint
CREATE INDEX `issues_open_ranked` ON `issues` (`program_team_id`,`priority`,`number`) WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."priority" is not null;--> statement-breakpoint
CREATE INDEX `votes_team_status_closed` ON `votes` (`program_team_id`,`status`,`closed_at`);--> statement-breakpoint
CREATE INDEX `votes_team_open_order` ON `votes` (`program_team_id`,`status`,("closes_at" is null),`closes_at`,`number`);