CREATE TABLE "intentions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"text" text,
	"chips" jsonb NOT NULL,
	"embedding" double precision[],
	"created_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	CONSTRAINT "intentions_end_reason_check" CHECK (end_reason is null or end_reason in ('replaced','withdrawn','expired')),
	CONSTRAINT "intentions_ended_has_reason" CHECK ((ended_at is null) = (end_reason is null))
);
--> statement-breakpoint
CREATE TABLE "match_declines" (
	"match_id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"declined_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "match_feedback" (
	"match_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"matched_on" text[] NOT NULL,
	"was_accurate" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "match_feedback_match_id_user_id_pk" PRIMARY KEY("match_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "match_members" (
	"match_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "match_members_match_id_user_id_pk" PRIMARY KEY("match_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "matches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_a" text NOT NULL,
	"user_b" text NOT NULL,
	"intention_a" uuid NOT NULL,
	"intention_b" uuid NOT NULL,
	"run_id" uuid,
	"score" double precision NOT NULL,
	"tier" smallint NOT NULL,
	"matched_on" text[] NOT NULL,
	"relaxed" text[] NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"accepted_a" boolean DEFAULT false NOT NULL,
	"accepted_b" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "matches_pair_key" UNIQUE("user_a","user_b"),
	CONSTRAINT "matches_ordered_pair" CHECK (user_a < user_b),
	CONSTRAINT "matches_status_check" CHECK (status in ('proposed','accepted','declined','expired')),
	CONSTRAINT "matches_tier_check" CHECK (tier between 0 and 2)
);
--> statement-breakpoint
CREATE TABLE "matching_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pool_size" integer DEFAULT 0 NOT NULL,
	"pairs_created" integer DEFAULT 0 NOT NULL,
	"pairs_tier_0" integer DEFAULT 0 NOT NULL,
	"pairs_tier_1" integer DEFAULT 0 NOT NULL,
	"pairs_tier_2" integer DEFAULT 0 NOT NULL,
	"promoted" integer DEFAULT 0 NOT NULL,
	"expired" integer DEFAULT 0 NOT NULL,
	"candidate_edges" integer DEFAULT 0 NOT NULL,
	"total_score" double precision DEFAULT 0 NOT NULL,
	"greedy_total_score" double precision DEFAULT 0 NOT NULL,
	"pairs_dropped" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "matching_runs_status_check" CHECK (status in ('completed','skipped_locked'))
);
--> statement-breakpoint
CREATE TABLE "pool_entries" (
	"intention_id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"city" text NOT NULL,
	"tier" smallint DEFAULT 0 NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	CONSTRAINT "pool_entries_user_key" UNIQUE("user_id"),
	CONSTRAINT "pool_entries_tier_check" CHECK (tier between 0 and 2)
);
--> statement-breakpoint
ALTER TABLE "match_declines" ADD CONSTRAINT "match_declines_match_id_matches_id_fk" FOREIGN KEY ("match_id") REFERENCES "public"."matches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_feedback" ADD CONSTRAINT "match_feedback_match_id_matches_id_fk" FOREIGN KEY ("match_id") REFERENCES "public"."matches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_members" ADD CONSTRAINT "match_members_match_id_matches_id_fk" FOREIGN KEY ("match_id") REFERENCES "public"."matches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_intention_a_intentions_id_fk" FOREIGN KEY ("intention_a") REFERENCES "public"."intentions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_intention_b_intentions_id_fk" FOREIGN KEY ("intention_b") REFERENCES "public"."intentions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_run_id_matching_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."matching_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_entries" ADD CONSTRAINT "pool_entries_intention_id_intentions_id_fk" FOREIGN KEY ("intention_id") REFERENCES "public"."intentions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "intentions_one_active_per_user" ON "intentions" USING btree ("user_id") WHERE ended_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "match_members_one_active_per_user" ON "match_members" USING btree ("user_id") WHERE active;--> statement-breakpoint
CREATE INDEX "matches_user_b_idx" ON "matches" USING btree ("user_b");--> statement-breakpoint
CREATE INDEX "matching_runs_started_idx" ON "matching_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "pool_entries_city_idx" ON "pool_entries" USING btree ("city");