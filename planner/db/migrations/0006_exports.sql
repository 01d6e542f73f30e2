-- Exports: what each household has paid against an approved funding plan. The treasurer
-- records the running amount paid (the latest figure replaces the previous one; every
-- change is also a "payment.recorded" event, the audit trail). Money is bigint fen.

CREATE TABLE plan_payments (
    plan_id       bigint NOT NULL REFERENCES funding_plans(id),
    household_id  bigint NOT NULL REFERENCES households(id),
    paid_fen      bigint NOT NULL CHECK (paid_fen >= 0),
    reference     text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    recorded_by   bigint REFERENCES members(id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, household_id)
);
