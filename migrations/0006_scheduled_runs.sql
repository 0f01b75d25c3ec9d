CREATE TABLE "scheduled_runs" (
	"job" text NOT NULL,
	"occurrence" text NOT NULL,
	"outcome" text NOT NULL,
	"mails" integer DEFAULT 0 NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scheduled_runs_job_occurrence_pk" PRIMARY KEY("job","occurrence")
);
