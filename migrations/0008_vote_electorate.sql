ALTER TABLE `votes` ADD `electorate_size` integer;--> statement-breakpoint
ALTER TABLE `votes` ADD `electorate_counted_at` integer;