-- Issue 16 (first use): how and where owners pay a plan, and a supplier's reply note on a round.

-- The treasurer's payment instructions for one plan version: the due date (a plain date in
-- the estate's zone), the payee and account, and free text on where and how to pay. A
-- version without its own carries the latest earlier version's (read time, see
-- planner/payments/store.py).
CREATE TABLE payment_instructions (
    plan_id     bigint PRIMARY KEY REFERENCES funding_plans(id),
    due_date    date,
    payee       text NOT NULL DEFAULT '' CHECK (length(payee) <= 200),
    account     text NOT NULL DEFAULT '' CHECK (length(account) <= 200),
    how_to_pay  text NOT NULL DEFAULT '' CHECK (length(how_to_pay) <= 2000),
    set_by      bigint REFERENCES members(id),
    set_at      timestamptz NOT NULL DEFAULT now()
);

-- A supplier's note to the committee with a round ("price includes scaffolding", an answer
-- to the counter-offer). Rounds stay immutable: the note is written with the round.
ALTER TABLE rounds ADD COLUMN reply_note text NOT NULL DEFAULT ''
    CHECK (length(reply_note) <= 1000);
