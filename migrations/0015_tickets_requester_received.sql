-- The requester's index serves a day's tickets too (countTicketsOpenedByMany: an address's tickets of one day); created_at was read by no query.
DROP INDEX "tickets_requester_created";--> statement-breakpoint
CREATE INDEX "tickets_requester_received" ON "tickets" USING btree ("requester_address","received_at");