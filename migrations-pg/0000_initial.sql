CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"outcome" text NOT NULL,
	"detail" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ballots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"vote_id" bigint NOT NULL,
	"voter_key" text NOT NULL,
	"organisation_id" bigint,
	"cast_by" text,
	"cast_by_hash" text NOT NULL,
	"choices_json" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coordinators" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"added_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digest_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"scope" text NOT NULL,
	"scheduled_for" bigint NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint NOT NULL,
	"claimed_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digest_schedules" (
	"team_id" text NOT NULL,
	"scope" text NOT NULL,
	"cron" text NOT NULL,
	"time_zone" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digest_subscriptions" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goal_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"goal_id" bigint NOT NULL,
	"actor_id" text NOT NULL,
	"kind" text NOT NULL,
	"from_value" text,
	"to_value" text,
	"note" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goal_issues" (
	"team_id" text NOT NULL,
	"goal_id" bigint NOT NULL,
	"issue_id" bigint NOT NULL,
	"linked_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goal_readings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"goal_id" bigint NOT NULL,
	"as_of" text NOT NULL,
	"value" double precision NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"superseded_at" bigint
);
--> statement-breakpoint
CREATE TABLE "goal_stale_reminders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"goal_id" bigint NOT NULL,
	"stale_since" text NOT NULL,
	"owner_id" text NOT NULL,
	"claimed_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goal_votes" (
	"team_id" text NOT NULL,
	"vote_id" bigint NOT NULL,
	"goal_id" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"number" bigint NOT NULL,
	"program_team_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"baseline" double precision,
	"target" double precision,
	"direction" text,
	"start_date" text NOT NULL,
	"target_date" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"owner_id" text NOT NULL,
	"organisation_id" bigint,
	"creator_id" text NOT NULL,
	"close_note" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "home_publish_rate" (
	"team_id" text PRIMARY KEY NOT NULL,
	"window_start" bigint NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"blocked_until" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "home_tabs" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"is_coordinator" bigint DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"published_version" bigint DEFAULT 0 NOT NULL,
	"seen_at" bigint,
	"lease_until" bigint,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"not_before" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"notice_json" text,
	"opened_at" bigint NOT NULL,
	"published_at" bigint
);
--> statement-breakpoint
CREATE TABLE "issue_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"issue_id" bigint NOT NULL,
	"program_team_id" bigint NOT NULL,
	"actor_id" text NOT NULL,
	"kind" text NOT NULL,
	"from_value" text,
	"to_value" text,
	"note" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"program_team_id" bigint NOT NULL,
	"number" bigint NOT NULL,
	"title" text NOT NULL,
	"details" text DEFAULT '' NOT NULL,
	"category" text NOT NULL,
	"status" text NOT NULL,
	"owner_id" text,
	"due_date" text,
	"reporter_id" text NOT NULL,
	"priority" bigint,
	"source_permalink" text,
	"source_channel_id" text,
	"source_ts" text,
	"announcement_channel_id" text,
	"announcement_ts" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "meeting_rsvps" (
	"team_id" text NOT NULL,
	"meeting_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"answer" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meetings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"number" bigint NOT NULL,
	"program_team_id" bigint NOT NULL,
	"title" text NOT NULL,
	"starts_at" bigint NOT NULL,
	"duration_minutes" bigint NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"link" text,
	"agenda" text DEFAULT '' NOT NULL,
	"time_zone" text NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"creator_id" text NOT NULL,
	"channel_id" text,
	"message_ts" text,
	"sequence" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"cancelled_at" bigint,
	"cancelled_by" text
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"install_options_json" text NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"method" text NOT NULL,
	"payload_json" text NOT NULL,
	"not_before" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint,
	"last_error" text,
	"result_json" text,
	"created_at" bigint NOT NULL,
	"sent_at" bigint,
	"refresh_again" bigint DEFAULT 0 NOT NULL,
	"priority" bigint DEFAULT 0 NOT NULL,
	"paced_until" bigint
);
--> statement-breakpoint
CREATE TABLE "people" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"organisation_id" bigint,
	"updated_by" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processed_requests" (
	"team_id" text NOT NULL,
	"key" text NOT NULL,
	"result" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_teams" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"period" text NOT NULL,
	"status" text NOT NULL,
	"claimed_by" text NOT NULL,
	"lease_until" bigint NOT NULL,
	"attempts" bigint DEFAULT 1 NOT NULL,
	"last_error" text,
	"created_at" bigint NOT NULL,
	"sent_at" bigint
);
--> statement-breakpoint
CREATE TABLE "report_schedules" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"cadence" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_installations" (
	"team_id" text NOT NULL,
	"enterprise_id" text,
	"team_name" text,
	"app_id" text,
	"bot_user_id" text,
	"installer_user_id" text NOT NULL,
	"scopes" text DEFAULT '' NOT NULL,
	"installation_enc" text,
	"token_expires_at" bigint,
	"installed_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"uninstalled_at" bigint
);
--> statement-breakpoint
CREATE TABLE "team_channels" (
	"team_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"program_team_id" bigint NOT NULL,
	"linked_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" text NOT NULL,
	"program_team_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vote_options" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"vote_id" bigint NOT NULL,
	"position" bigint NOT NULL,
	"label" text NOT NULL,
	"issue_id" bigint
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"number" bigint NOT NULL,
	"program_team_id" bigint NOT NULL,
	"question" text NOT NULL,
	"method" text NOT NULL,
	"max_choices" bigint DEFAULT 1 NOT NULL,
	"eligibility" text NOT NULL,
	"anonymous" bigint DEFAULT 0 NOT NULL,
	"results_visibility" text NOT NULL,
	"closes_at" bigint,
	"status" text DEFAULT 'open' NOT NULL,
	"creator_id" text NOT NULL,
	"channel_id" text,
	"message_ts" text,
	"result_json" text,
	"created_at" bigint NOT NULL,
	"closed_at" bigint,
	"electorate_size" bigint,
	"electorate_counted_at" bigint
);
--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_vote_id_votes_id_fk" FOREIGN KEY ("vote_id") REFERENCES "public"."votes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_events" ADD CONSTRAINT "goal_events_goal_id_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_issues" ADD CONSTRAINT "goal_issues_goal_id_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_issues" ADD CONSTRAINT "goal_issues_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_readings" ADD CONSTRAINT "goal_readings_goal_id_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_stale_reminders" ADD CONSTRAINT "goal_stale_reminders_goal_id_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_votes" ADD CONSTRAINT "goal_votes_vote_id_votes_id_fk" FOREIGN KEY ("vote_id") REFERENCES "public"."votes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goal_votes" ADD CONSTRAINT "goal_votes_goal_id_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goals" ADD CONSTRAINT "goals_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goals" ADD CONSTRAINT "goals_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_events" ADD CONSTRAINT "issue_events_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_events" ADD CONSTRAINT "issue_events_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_rsvps" ADD CONSTRAINT "meeting_rsvps_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_channels" ADD CONSTRAINT "team_channels_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_options" ADD CONSTRAINT "vote_options_vote_id_votes_id_fk" FOREIGN KEY ("vote_id") REFERENCES "public"."votes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_options" ADD CONSTRAINT "vote_options_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_recent" ON "audit_log" USING btree ("team_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ballots_voter" ON "ballots" USING btree ("vote_id","voter_key");--> statement-breakpoint
CREATE INDEX "ballots_vote" ON "ballots" USING btree ("vote_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coordinators_user" ON "coordinators" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "digest_runs_once" ON "digest_runs" USING btree ("team_id","scope","scheduled_for");--> statement-breakpoint
CREATE UNIQUE INDEX "digest_schedules_scope" ON "digest_schedules" USING btree ("team_id","scope");--> statement-breakpoint
CREATE UNIQUE INDEX "digest_subscriptions_user" ON "digest_subscriptions" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE INDEX "goal_events_goal" ON "goal_events" USING btree ("goal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "goal_issues_unique" ON "goal_issues" USING btree ("goal_id","issue_id");--> statement-breakpoint
CREATE INDEX "goal_issues_issue" ON "goal_issues" USING btree ("issue_id");--> statement-breakpoint
CREATE INDEX "goal_readings_goal" ON "goal_readings" USING btree ("goal_id","as_of","id");--> statement-breakpoint
CREATE UNIQUE INDEX "goal_readings_current" ON "goal_readings" USING btree ("goal_id","as_of") WHERE "goal_readings"."superseded_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "goal_stale_reminders_once" ON "goal_stale_reminders" USING btree ("goal_id","stale_since");--> statement-breakpoint
CREATE UNIQUE INDEX "goal_votes_vote" ON "goal_votes" USING btree ("vote_id");--> statement-breakpoint
CREATE INDEX "goal_votes_goal" ON "goal_votes" USING btree ("goal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "goals_number" ON "goals" USING btree ("team_id","number");--> statement-breakpoint
CREATE INDEX "goals_team_status" ON "goals" USING btree ("program_team_id","status","number");--> statement-breakpoint
CREATE UNIQUE INDEX "home_tabs_user" ON "home_tabs" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE INDEX "home_tabs_stale" ON "home_tabs" USING btree ("not_before") WHERE "home_tabs"."version" > "home_tabs"."published_version";--> statement-breakpoint
CREATE INDEX "issue_events_issue" ON "issue_events" USING btree ("issue_id","created_at");--> statement-breakpoint
CREATE INDEX "issue_events_team_since" ON "issue_events" USING btree ("program_team_id","created_at","id","issue_id","from_value","to_value");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_team_number" ON "issues" USING btree ("program_team_id","number");--> statement-breakpoint
CREATE INDEX "issues_team_status_activity" ON "issues" USING btree ("program_team_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "issues_team_list_order" ON "issues" USING btree ("program_team_id",("priority" is null),"priority","updated_at" desc,"id" desc);--> statement-breakpoint
CREATE INDEX "issues_workspace_activity" ON "issues" USING btree ("team_id","updated_at");--> statement-breakpoint
CREATE INDEX "issues_owner" ON "issues" USING btree ("team_id","owner_id");--> statement-breakpoint
CREATE INDEX "issues_team_status_number" ON "issues" USING btree ("program_team_id","status","number","created_at");--> statement-breakpoint
CREATE INDEX "issues_team_created" ON "issues" USING btree ("program_team_id","created_at");--> statement-breakpoint
CREATE INDEX "issues_team_closed" ON "issues" USING btree ("program_team_id","closed_at","status");--> statement-breakpoint
CREATE INDEX "issues_open_due" ON "issues" USING btree ("program_team_id","due_date","number") WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."due_date" is not null;--> statement-breakpoint
CREATE INDEX "issues_open_unowned" ON "issues" USING btree ("program_team_id","number") WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."owner_id" is null;--> statement-breakpoint
CREATE INDEX "issues_open_ranked" ON "issues" USING btree ("program_team_id","priority","number") WHERE "issues"."status" not in ('resolved', 'dropped') and "issues"."priority" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_rsvps_unique" ON "meeting_rsvps" USING btree ("meeting_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meetings_number" ON "meetings" USING btree ("team_id","number");--> statement-breakpoint
CREATE INDEX "meetings_team_start" ON "meetings" USING btree ("program_team_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "organisations_name" ON "organisations" USING btree ("team_id","name_key");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_dedupe" ON "outbox" USING btree ("team_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("status","not_before");--> statement-breakpoint
CREATE INDEX "outbox_paced" ON "outbox" USING btree ("status","paced_until");--> statement-breakpoint
CREATE UNIQUE INDEX "people_user" ON "people" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE INDEX "people_org" ON "people" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "processed_requests_key" ON "processed_requests" USING btree ("team_id","key");--> statement-breakpoint
CREATE INDEX "processed_requests_age" ON "processed_requests" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "program_teams_key" ON "program_teams" USING btree ("team_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "report_runs_once" ON "report_runs" USING btree ("team_id","user_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "report_schedules_user" ON "report_schedules" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "slack_installations_workspace" ON "slack_installations" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "team_channels_channel" ON "team_channels" USING btree ("team_id","channel_id");--> statement-breakpoint
CREATE INDEX "team_channels_team" ON "team_channels" USING btree ("program_team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "team_members_unique" ON "team_members" USING btree ("program_team_id","user_id");--> statement-breakpoint
CREATE INDEX "team_members_user" ON "team_members" USING btree ("team_id","user_id");--> statement-breakpoint
CREATE INDEX "team_members_team_count" ON "team_members" USING btree ("team_id","program_team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "vote_options_position" ON "vote_options" USING btree ("vote_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "votes_number" ON "votes" USING btree ("team_id","number");--> statement-breakpoint
CREATE INDEX "votes_team_status" ON "votes" USING btree ("program_team_id","status");--> statement-breakpoint
CREATE INDEX "votes_status_closes" ON "votes" USING btree ("status","closes_at");--> statement-breakpoint
CREATE INDEX "votes_team_status_closed" ON "votes" USING btree ("program_team_id","status","closed_at");--> statement-breakpoint
CREATE INDEX "votes_team_open_order" ON "votes" USING btree ("program_team_id","status",("closes_at" is null),"closes_at","number");