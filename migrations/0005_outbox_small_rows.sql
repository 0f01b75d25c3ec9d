DROP INDEX "outbox_ack_recipient";--> statement-breakpoint
CREATE INDEX "outbox_ack_recipient" ON "outbox" USING btree (("to"->0->>'address'),"created_at") WHERE "outbox"."kind" in ('acknowledgement', 'acknowledgement-private');--> statement-breakpoint
-- An outbox row (text, HTML, headers: about 4 KB) is updated twice, when leased and when sent, and
-- PostgreSQL writes each update as a whole new row version. Kept under 256 bytes, the row holds
-- only pointers to its large values, which the updates reuse instead of copying (and logging).
ALTER TABLE "outbox" SET (toast_tuple_target = 256);
