ALTER TABLE `meetings` ADD `cancelled_by` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `refresh_again` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `paced_until` integer;--> statement-breakpoint
CREATE INDEX `outbox_paced` ON `outbox` (`status`,`paced_until`);