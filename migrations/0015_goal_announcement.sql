ALTER TABLE `goals` ADD `announcement_channel_id` text;--> statement-breakpoint
ALTER TABLE `goals` ADD `announcement_ts` text;