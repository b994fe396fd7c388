DROP INDEX "issue_events_issue";--> statement-breakpoint
DROP INDEX "issue_events_team_since";--> statement-breakpoint
CREATE INDEX "issue_events_issue" ON "issue_events" USING btree ("issue_id","created_at","id","kind","from_value","to_value");--> statement-breakpoint
CREATE INDEX "issue_events_team_since" ON "issue_events" USING btree ("program_team_id","created_at","id","issue_id","kind","from_value","to_value");