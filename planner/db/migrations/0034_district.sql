-- The district (issue 21): staff of a district (区), sub-district (街道) or community (社区)
-- read aggregate figures over a set of estates an admin assigns them. A district member has
-- no estate of its own (estate_id NULL, like the global admin) and is refused on every
-- estate route; its estates are the rows of district_estates.
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check
    CHECK (role IN ('admin','committee','owner','supplier','treasurer','observer','partner',
                    'district'));
ALTER TABLE members DROP CONSTRAINT members_check;
ALTER TABLE members
    ADD CONSTRAINT members_estate_or_global
        CHECK (estate_id IS NOT NULL OR role IN ('admin', 'district')),
    ADD CONSTRAINT members_district_no_estate CHECK (role <> 'district' OR estate_id IS NULL),
    ADD COLUMN district_level text
        CHECK (district_level IN ('district', 'subdistrict', 'community')),
    ADD CONSTRAINT members_district_level CHECK (district_level IS NULL OR role = 'district');

CREATE TABLE district_estates (
    member_id    bigint NOT NULL REFERENCES members(id),
    estate_id    bigint NOT NULL REFERENCES estates(id),
    assigned_by  bigint REFERENCES members(id),
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, estate_id)
);
CREATE INDEX district_estates_estate ON district_estates (estate_id);

-- The overview reads many estates at once: motions by estate, and the ledger's sums from the
-- index alone (an index-only scan instead of every entry's row).
CREATE INDEX motions_estate ON motions (estate_id, status);
CREATE INDEX ledger_entries_estate_amount ON ledger_entries (estate_id) INCLUDE (amount_fen);

-- A funding plan's small figures, so the overview of a thousand estates does not read every
-- plan's inputs and result (households included): its residents' band and what each source
-- gives. Plans never change once written (a trigger freezes them), so the row is written
-- once, with the plan.
CREATE TABLE funding_plan_figures (
    plan_id      bigint PRIMARY KEY REFERENCES funding_plans(id),
    band_low     numeric(5, 4),
    band_high    numeric(5, 4),
    -- [{source_id, used_fen, budget_fen}] as in the plan's result
    source_uses  jsonb NOT NULL DEFAULT '[]'::jsonb
);

CREATE FUNCTION funding_plan_figures_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funding_plan_figures (plan_id, band_low, band_high, source_uses)
    VALUES (NEW.id, (NEW.inputs -> 'resident_band' ->> 0)::numeric,
            (NEW.inputs -> 'resident_band' ->> 1)::numeric,
            coalesce(NEW.result -> 'sources', '[]'::jsonb));
    RETURN NEW;
END;
$$;
CREATE TRIGGER funding_plan_figures AFTER INSERT ON funding_plans
    FOR EACH ROW EXECUTE FUNCTION funding_plan_figures_of();

INSERT INTO funding_plan_figures (plan_id, band_low, band_high, source_uses)
SELECT id, (inputs -> 'resident_band' ->> 0)::numeric, (inputs -> 'resident_band' ->> 1)::numeric,
       coalesce(result -> 'sources', '[]'::jsonb)
FROM funding_plans;
