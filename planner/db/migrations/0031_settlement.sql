-- Settlement (issue 19): variations (变更) against awarded works and the final accounts (决算).

-- Above this amount (in fen) a variation needs the owners' decision (a passed motion);
-- at or below it the committee approves. Default ¥50,000.
ALTER TABLE estates ADD COLUMN variation_threshold_fen bigint NOT NULL DEFAULT 5000000
    CHECK (variation_threshold_fen >= 0);

-- A change order against an awarded work: amount ± (never 0), reason, optional lines.
-- Status path (planner.settlement.rules): proposed → approved | rejected.
CREATE TABLE variations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id       bigint NOT NULL REFERENCES estates(id),
    work_id         bigint NOT NULL REFERENCES works(id),
    amount_fen      bigint NOT NULL CHECK (amount_fen <> 0),
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    lines           jsonb NOT NULL DEFAULT '[]',
    status          text NOT NULL DEFAULT 'proposed'
                    CHECK (status IN ('proposed', 'approved', 'rejected')),
    needs_decision  boolean NOT NULL,
    threshold_fen   bigint NOT NULL,
    motion_id       bigint REFERENCES motions(id),
    decision_note   text CHECK (length(decision_note) <= 2000),
    created_by      bigint NOT NULL REFERENCES members(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_by      bigint REFERENCES members(id),
    decided_at      timestamptz
);
CREATE INDEX variations_work ON variations (work_id, id);

-- A version of the final accounts of an approved plan: the split recomputed on final costs.
-- ``households`` holds [{household_id, final_fen, paid_fen, refund_fen, topup_fen}];
-- ``sources`` and ``works`` the per-source and per-work figures. Approved: frozen.
CREATE TABLE final_accounts (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id            bigint NOT NULL REFERENCES estates(id),
    plan_id              bigint NOT NULL REFERENCES funding_plans(id),
    version              integer NOT NULL CHECK (version >= 1),
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    total_cost_fen       bigint NOT NULL,
    residents_total_fen  bigint NOT NULL,
    households           jsonb NOT NULL,
    sources              jsonb NOT NULL,
    works                jsonb NOT NULL,
    final_costs          jsonb NOT NULL,
    timings              jsonb NOT NULL DEFAULT '{}',
    created_by           bigint NOT NULL REFERENCES members(id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    approved_by          bigint REFERENCES members(id),
    approved_at          timestamptz,
    UNIQUE (estate_id, version)
);
CREATE UNIQUE INDEX final_accounts_one_approved ON final_accounts (plan_id)
    WHERE status = 'approved';
