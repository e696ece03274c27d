-- Run once, right after the migration that adds "timers"."next_attempt_at" (issue #11, timer runner
-- isolation). That migration fills the new column with the time it ran; a pending timer is tried
-- at its due time from then on, so its retry time starts at its due time. Not needed for correctness
-- (the claim also waits for due_at), only so the claim's index range holds due timers alone.
UPDATE "timers" SET "next_attempt_at" = "due_at" WHERE "status" = 'pending';
