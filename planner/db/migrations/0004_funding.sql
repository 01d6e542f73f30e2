-- Funding: public sources (with the works each may pay for and fixed pledges) and the
-- versioned funding plans. Money is bigint fen. An approved or failed plan is frozen:
-- a trigger refuses every UPDATE except draft → approved, and every DELETE.

CREATE TABLE funding_sources (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id   bigint NOT NULL REFERENCES estates(id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL
                CHECK (kind IN ('subsidy', 'maintenance_fund', 'utility', 'donor', 'other')),
    budget_fen  bigint NOT NULL CHECK (budget_fen >= 0),
    -- the largest share of one work's cost this source may cover; NULL = no limit
    max_share   numeric(5, 4) CHECK (max_share >= 0 AND max_share <= 1),
    created_by  bigint REFERENCES members(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX funding_sources_estate ON funding_sources (estate_id, id);

-- The works a source may pay for; pledge_fen fixes its amount on that work exactly.
CREATE TABLE funding_source_works (
    source_id   bigint NOT NULL REFERENCES funding_sources(id) ON DELETE CASCADE,
    work_id     bigint NOT NULL REFERENCES works(id),
    pledge_fen  bigint CHECK (pledge_fen >= 0),
    PRIMARY KEY (source_id, work_id)
);
CREATE INDEX funding_source_works_work ON funding_source_works (work_id);

CREATE TABLE funding_plans (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id            bigint NOT NULL REFERENCES estates(id),
    version              integer NOT NULL CHECK (version >= 1),
    status               text NOT NULL CHECK (status IN ('draft', 'approved', 'failed')),
    policy               text NOT NULL CHECK (policy IN ('minimum', 'target')),
    -- the FundingProblem exactly as solved (works, costs, sources, households, band)
    inputs               jsonb NOT NULL,
    -- the FundingPlanResult (planner.funding.model) when solved
    result               jsonb,
    total_cost_fen       bigint,
    residents_total_fen  bigint,
    -- 'optimal' | 'infeasible' | 'timeout' | 'error'
    solver_status        text NOT NULL,
    -- {reason, detail, problems: [{constraint, zh, en, amount_fen, subject_id}]} when failed
    failure              jsonb,
    -- {total_seconds, highs_seconds, wall_seconds, lp_solves, household_classes, lp_variables}
    timings              jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by           bigint REFERENCES members(id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    approved_by          bigint REFERENCES members(id),
    approved_at          timestamptz,
    UNIQUE (estate_id, version),
    CHECK ((status = 'approved') = (approved_at IS NOT NULL)),
    CHECK (status = 'failed' OR result IS NOT NULL)
);

CREATE FUNCTION funding_plans_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'funding plans are never deleted';
    END IF;
    IF OLD.status <> 'draft' OR NEW.status <> 'approved'
       OR NEW.inputs IS DISTINCT FROM OLD.inputs
       OR NEW.result IS DISTINCT FROM OLD.result
       OR NEW.version <> OLD.version
       OR NEW.estate_id <> OLD.estate_id THEN
        RAISE EXCEPTION 'funding plan % is frozen (status %)', OLD.id, OLD.status;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER funding_plans_frozen
    BEFORE UPDATE OR DELETE ON funding_plans
    FOR EACH ROW EXECUTE FUNCTION funding_plans_frozen();
