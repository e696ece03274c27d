-- Names say one thing (data only, no schema change): /报告 is "escalate" (not "report", which
-- is /上报), and 网民留言 is "netizen_message" (not "message").
UPDATE "clocks" SET "action" = 'escalate' WHERE "action" = 'report';
--> statement-breakpoint
UPDATE "clocks" SET "kind" = 'escalate' WHERE "kind" = 'report_superior';
--> statement-breakpoint
UPDATE "item_events" SET "kind" = 'escalated' WHERE "kind" = 'reported_superior';
--> statement-breakpoint
UPDATE "item_events" SET "kind" = 'netizen_message_registered' WHERE "kind" = 'message_registered';
--> statement-breakpoint
UPDATE "items" SET "kind" = 'netizen_message' WHERE "kind" = 'message';
--> statement-breakpoint
UPDATE "clocks" SET "kind" = 'netizen_' || "kind" WHERE "kind" IN ('message_praise', 'message_advice', 'message_appeal');
