ALTER TABLE `issues` ADD `announcement_channel_id` text;--> statement-breakpoint
ALTER TABLE `issues` ADD `announcement_ts` text;--> statement-breakpoint
ALTER TABLE `processed_requests` ADD `result` text;