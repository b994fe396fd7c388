CREATE TABLE `key_checks` (
	`name` text PRIMARY KEY NOT NULL,
	`check_value` text NOT NULL,
	`stored_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `votes` ADD `ballot_key_scheme` integer DEFAULT 1 NOT NULL;