-- The SQLite triggers of migrations/0011_home_triggers.sql and 0014_home_outbox_and_issue_counts.sql,
-- for PostgreSQL: each body in a plpgsql function, the same WHEN conditions (IS NOT → IS DISTINCT
-- FROM, GLOB → LIKE), so both engines mark the same Homes stale and keep the same issue counts.
-- Generated from those files by a script; keep them in step when a trigger changes.
CREATE FUNCTION "home_issue_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("user_id" = NEW."owner_id" OR "is_coordinator" = 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_issue_insert" AFTER INSERT ON "issues" FOR EACH ROW EXECUTE FUNCTION "home_issue_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_issue_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND (
    "user_id" IN (NEW."owner_id", OLD."owner_id")
    OR ("is_coordinator" = 1 AND (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."due_date" IS DISTINCT FROM NEW."due_date"))
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_issue_update" AFTER UPDATE OF "status", "owner_id", "due_date", "title" ON "issues" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."owner_id" IS DISTINCT FROM NEW."owner_id" OR OLD."due_date" IS DISTINCT FROM NEW."due_date" OR OLD."title" IS DISTINCT FROM NEW."title") EXECUTE FUNCTION "home_issue_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_vote_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_vote_insert" AFTER INSERT ON "votes" FOR EACH ROW EXECUTE FUNCTION "home_vote_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_vote_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_vote_update" AFTER UPDATE OF "status", "question", "closes_at" ON "votes" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."question" IS DISTINCT FROM NEW."question" OR OLD."closes_at" IS DISTINCT FROM NEW."closes_at") EXECUTE FUNCTION "home_vote_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_ballot_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND (
    "user_id" = NEW."cast_by"
    OR (NEW."organisation_id" IS NOT NULL AND "user_id" IN (SELECT "user_id" FROM "people" WHERE "organisation_id" = NEW."organisation_id"))
    OR (NEW."cast_by" IS NULL AND "user_id" IN (SELECT m."user_id" FROM "team_members" m JOIN "votes" v ON v."program_team_id" = m."program_team_id" WHERE v."id" = NEW."vote_id"))
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_ballot_insert" AFTER INSERT ON "ballots" FOR EACH ROW EXECUTE FUNCTION "home_ballot_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_ballot_delete_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = OLD."team_id" AND (
    "user_id" = OLD."cast_by"
    OR (OLD."organisation_id" IS NOT NULL AND "user_id" IN (SELECT "user_id" FROM "people" WHERE "organisation_id" = OLD."organisation_id"))
    OR (OLD."cast_by" IS NULL AND "user_id" IN (SELECT m."user_id" FROM "team_members" m JOIN "votes" v ON v."program_team_id" = m."program_team_id" WHERE v."id" = OLD."vote_id"))
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_ballot_delete" AFTER DELETE ON "ballots" FOR EACH ROW EXECUTE FUNCTION "home_ballot_delete_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_meeting_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("is_coordinator" = 1 OR "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id"));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_meeting_insert" AFTER INSERT ON "meetings" FOR EACH ROW EXECUTE FUNCTION "home_meeting_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_meeting_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("is_coordinator" = 1 OR "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id"));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_meeting_update" AFTER UPDATE OF "status", "starts_at", "duration_minutes", "title", "location", "link" ON "meetings" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."starts_at" IS DISTINCT FROM NEW."starts_at" OR OLD."duration_minutes" IS DISTINCT FROM NEW."duration_minutes"
  OR OLD."title" IS DISTINCT FROM NEW."title" OR OLD."location" IS DISTINCT FROM NEW."location" OR OLD."link" IS DISTINCT FROM NEW."link") EXECUTE FUNCTION "home_meeting_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_rsvp_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_rsvp_insert" AFTER INSERT ON "meeting_rsvps" FOR EACH ROW EXECUTE FUNCTION "home_rsvp_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_rsvp_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_rsvp_update" AFTER UPDATE OF "answer" ON "meeting_rsvps" FOR EACH ROW WHEN (OLD."answer" IS DISTINCT FROM NEW."answer") EXECUTE FUNCTION "home_rsvp_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_member_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_member_insert" AFTER INSERT ON "team_members" FOR EACH ROW EXECUTE FUNCTION "home_member_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_member_delete_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = OLD."team_id" AND "user_id" = OLD."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_member_delete" AFTER DELETE ON "team_members" FOR EACH ROW EXECUTE FUNCTION "home_member_delete_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_person_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_person_insert" AFTER INSERT ON "people" FOR EACH ROW EXECUTE FUNCTION "home_person_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_person_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_person_update" AFTER UPDATE OF "organisation_id" ON "people" FOR EACH ROW WHEN (OLD."organisation_id" IS DISTINCT FROM NEW."organisation_id") EXECUTE FUNCTION "home_person_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_coordinator_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "user_id" = NEW."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_coordinator_insert" AFTER INSERT ON "coordinators" FOR EACH ROW EXECUTE FUNCTION "home_coordinator_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_coordinator_delete_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = OLD."team_id" AND "user_id" = OLD."user_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_coordinator_delete" AFTER DELETE ON "coordinators" FOR EACH ROW EXECUTE FUNCTION "home_coordinator_delete_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_team_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "is_coordinator" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_team_insert" AFTER INSERT ON "program_teams" FOR EACH ROW EXECUTE FUNCTION "home_team_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_digest_run_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "is_coordinator" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_digest_run_insert" AFTER INSERT ON "digest_runs" FOR EACH ROW EXECUTE FUNCTION "home_digest_run_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_digest_sent_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1 WHERE "team_id" = NEW."team_id" AND "is_coordinator" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_digest_sent" AFTER UPDATE OF "status" ON "outbox" FOR EACH ROW WHEN (NEW."status" = 'sent' AND OLD."status" IS DISTINCT FROM 'sent' AND (NEW."dedupe_key" LIKE 'digest:%' OR NEW."dedupe_key" LIKE 'digest-send:%')) EXECUTE FUNCTION "home_digest_sent_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_goal_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("is_coordinator" = 1 OR "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id"));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_goal_insert" AFTER INSERT ON "goals" FOR EACH ROW EXECUTE FUNCTION "home_goal_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_goal_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("is_coordinator" = 1 OR "user_id" IN (SELECT "user_id" FROM "team_members" WHERE "program_team_id" = NEW."program_team_id"));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_goal_update" AFTER UPDATE OF "status", "name", "baseline", "target", "direction", "target_date", "unit" ON "goals" FOR EACH ROW EXECUTE FUNCTION "home_goal_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "home_goal_reading_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "home_tabs" SET "version" = "version" + 1
  WHERE "team_id" = NEW."team_id" AND ("is_coordinator" = 1 OR "user_id" IN (
    SELECT m."user_id" FROM "team_members" m JOIN "goals" g ON g."program_team_id" = m."program_team_id" WHERE g."id" = NEW."goal_id"));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "home_goal_reading_insert" AFTER INSERT ON "goal_readings" FOR EACH ROW EXECUTE FUNCTION "home_goal_reading_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "issue_status_counts_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "issue_status_counts" ("program_team_id", "status", "count") VALUES (NEW."program_team_id", NEW."status", 1)
  ON CONFLICT ("program_team_id", "status") DO UPDATE SET "count" = "issue_status_counts"."count" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_status_counts_insert" AFTER INSERT ON "issues" FOR EACH ROW EXECUTE FUNCTION "issue_status_counts_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "issue_status_counts_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "issue_status_counts" SET "count" = "count" - 1 WHERE "program_team_id" = OLD."program_team_id" AND "status" = OLD."status";
  INSERT INTO "issue_status_counts" ("program_team_id", "status", "count") VALUES (NEW."program_team_id", NEW."status", 1)
  ON CONFLICT ("program_team_id", "status") DO UPDATE SET "count" = "issue_status_counts"."count" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_status_counts_update" AFTER UPDATE OF "status", "program_team_id" ON "issues" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."program_team_id" IS DISTINCT FROM NEW."program_team_id") EXECUTE FUNCTION "issue_status_counts_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "issue_status_counts_delete_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "issue_status_counts" SET "count" = "count" - 1 WHERE "program_team_id" = OLD."program_team_id" AND "status" = OLD."status";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_status_counts_delete" AFTER DELETE ON "issues" FOR EACH ROW EXECUTE FUNCTION "issue_status_counts_delete_fn"();
