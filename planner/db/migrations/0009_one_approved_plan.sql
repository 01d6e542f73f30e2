-- One approved funding plan per estate (issue 15, item 3). Approving a version supersedes
-- the plan in force in the same transaction: the old one becomes 'superseded' (kept and
-- readable, its payment notices void) and names the version that replaced it.
--
-- replaces_plan_id: the plan in force when the version was solved (null: none was). A draft
-- can be approved only while that plan is still the one in force, so of two drafts solved
-- over the same plan only the first approval wins (the other is 409, whatever the timing).

ALTER TABLE funding_plans DISABLE TRIGGER funding_plans_frozen;

ALTER TABLE funding_plans
    DROP CONSTRAINT funding_plans_status_check,
    DROP CONSTRAINT funding_plans_check,
    ADD COLUMN replaces_plan_id bigint REFERENCES funding_plans(id),
    ADD COLUMN superseded_by bigint REFERENCES funding_plans(id),
    ADD COLUMN superseded_at timestamptz;

-- Estates that approved several versions before this migration: each approved version is
-- superseded by the next one approved (by approval time, then version); the last stays.
WITH chain AS (
    SELECT id,
           lead(id) OVER w AS next_id,
           lead(approved_at) OVER w AS next_at
    FROM funding_plans
    WHERE status = 'approved'
    WINDOW w AS (PARTITION BY estate_id ORDER BY approved_at, version)
)
UPDATE funding_plans p
SET status = 'superseded', superseded_by = chain.next_id, superseded_at = chain.next_at
FROM chain
WHERE p.id = chain.id AND chain.next_id IS NOT NULL;

-- Drafts waiting today stay approvable: they count as solved over the plan now in force.
UPDATE funding_plans d
SET replaces_plan_id = a.id
FROM funding_plans a
WHERE d.status = 'draft' AND a.status = 'approved' AND a.estate_id = d.estate_id;

ALTER TABLE funding_plans
    ADD CONSTRAINT funding_plans_status_check
        CHECK (status IN ('draft', 'approved', 'failed', 'superseded')),
    ADD CONSTRAINT funding_plans_approved_check
        CHECK ((status IN ('approved', 'superseded')) = (approved_at IS NOT NULL)),
    ADD CONSTRAINT funding_plans_superseded_check
        CHECK ((status = 'superseded') = (superseded_at IS NOT NULL AND superseded_by IS NOT NULL));

-- At most one plan in force per estate, whatever the code above the database does.
CREATE UNIQUE INDEX funding_plans_in_force ON funding_plans (estate_id) WHERE status = 'approved';

-- A version's content never changes. The only moves: draft → approved (approval fields
-- set) and approved → superseded (superseded fields set); nothing is ever deleted.
CREATE OR REPLACE FUNCTION funding_plans_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'funding plans are never deleted';
    END IF;
    IF OLD.status = 'draft' AND NEW.status = 'approved'
       AND to_jsonb(NEW) - '{status,approved_at,approved_by}'::text[]
           = to_jsonb(OLD) - '{status,approved_at,approved_by}'::text[] THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'approved' AND NEW.status = 'superseded'
       AND to_jsonb(NEW) - '{status,superseded_by,superseded_at}'::text[]
           = to_jsonb(OLD) - '{status,superseded_by,superseded_at}'::text[] THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'funding plan % is frozen (status %)', OLD.id, OLD.status;
END;
$$;

ALTER TABLE funding_plans ENABLE TRIGGER funding_plans_frozen;
