CREATE TABLE "team_member_counts" (
	"program_team_id" bigint PRIMARY KEY NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "team_member_counts" ADD CONSTRAINT "team_member_counts_program_team_id_program_teams_id_fk" FOREIGN KEY ("program_team_id") REFERENCES "public"."program_teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "meeting_rsvps_answer" ON "meeting_rsvps" USING btree ("meeting_id","answer","updated_at","user_id");--> statement-breakpoint
CREATE INDEX "team_members_joined" ON "team_members" USING btree ("program_team_id","created_at","user_id");--> statement-breakpoint
INSERT INTO "team_member_counts" ("program_team_id", "count")
  SELECT "program_team_id", count(*) FROM "team_members" GROUP BY "program_team_id";
--> statement-breakpoint
-- Kept in the same transaction as every membership change (a team's deletion cascades to both tables).
CREATE FUNCTION "team_member_counts_insert_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "team_member_counts" ("program_team_id", "count") VALUES (NEW."program_team_id", 1)
  ON CONFLICT ("program_team_id") DO UPDATE SET "count" = "team_member_counts"."count" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "team_member_counts_insert" AFTER INSERT ON "team_members" FOR EACH ROW EXECUTE FUNCTION "team_member_counts_insert_fn"();
--> statement-breakpoint
CREATE FUNCTION "team_member_counts_update_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "team_member_counts" SET "count" = "count" - 1 WHERE "program_team_id" = OLD."program_team_id";
  INSERT INTO "team_member_counts" ("program_team_id", "count") VALUES (NEW."program_team_id", 1)
  ON CONFLICT ("program_team_id") DO UPDATE SET "count" = "team_member_counts"."count" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "team_member_counts_update" AFTER UPDATE OF "program_team_id" ON "team_members" FOR EACH ROW WHEN (OLD."program_team_id" IS DISTINCT FROM NEW."program_team_id") EXECUTE FUNCTION "team_member_counts_update_fn"();
--> statement-breakpoint
CREATE FUNCTION "team_member_counts_delete_fn"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "team_member_counts" SET "count" = "count" - 1 WHERE "program_team_id" = OLD."program_team_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "team_member_counts_delete" AFTER DELETE ON "team_members" FOR EACH ROW EXECUTE FUNCTION "team_member_counts_delete_fn"();
