CREATE TABLE "raw_mail_chunks" (
	"raw_mail_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "raw_mail_chunks_raw_mail_id_seq_pk" PRIMARY KEY("raw_mail_id","seq")
);
