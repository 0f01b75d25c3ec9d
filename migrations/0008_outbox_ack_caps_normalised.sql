DROP INDEX "outbox_ack_recipient";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "ack_recipient" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "ack_domain" text;--> statement-breakpoint
CREATE INDEX "outbox_ack_domain" ON "outbox" USING btree ("ack_domain","created_at") WHERE "outbox"."ack_domain" is not null;--> statement-breakpoint
CREATE INDEX "outbox_ack_created" ON "outbox" USING btree ("created_at") WHERE "outbox"."ack_recipient" is not null;--> statement-breakpoint
CREATE INDEX "outbox_ack_recipient" ON "outbox" USING btree ("ack_recipient","created_at") WHERE "outbox"."ack_recipient" is not null;