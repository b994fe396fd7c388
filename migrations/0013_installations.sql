CREATE TABLE `oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`install_options_json` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `slack_installations` (
	`team_id` text NOT NULL,
	`enterprise_id` text,
	`team_name` text,
	`app_id` text,
	`bot_user_id` text,
	`installer_user_id` text NOT NULL,
	`scopes` text DEFAULT '' NOT NULL,
	`installation_enc` text,
	`token_expires_at` integer,
	`installed_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`uninstalled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `slack_installations_workspace` ON `slack_installations` (`team_id`);