-- The collection ledger (issue 19): every sum received from a household is one entry, never
-- edited; a mistake is corrected by a reversing entry (negative amount, reverses_entry_id,
-- reason). A trigger refuses UPDATE, DELETE and TRUNCATE: the table is append-only.
--
-- Carry-over model: an entry is recorded against the plan version in force at the time
-- (plan_id). A household's paid amount on plan version v is the sum of its entries recorded
-- against any version <= v of the same estate, so what was paid against a superseded plan
-- counts on the plan that replaced it with no copying.
--
-- kind: payment (amount > 0, channel, receipt_no unique per estate), reversal (amount =
-- minus the reversed entry's, reverses_entry_id unique: an entry is reversed at most once),
-- adjustment (the legacy PUT .../payments/{household_id} "paid so far": the difference to
-- the running total, channel other, no receipt number; any sign).
CREATE TABLE ledger_entries (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id          bigint NOT NULL REFERENCES estates(id),
    plan_id            bigint NOT NULL REFERENCES funding_plans(id),
    household_id       bigint NOT NULL REFERENCES households(id),
    kind               text NOT NULL CHECK (kind IN ('payment', 'reversal', 'adjustment')),
    amount_fen         bigint NOT NULL CHECK (amount_fen <> 0),
    channel            text NOT NULL
                       CHECK (channel IN ('cash', 'bank_transfer', 'wechat', 'alipay', 'other')),
    receipt_no         text CHECK (length(receipt_no) BETWEEN 1 AND 64),
    paid_on            date NOT NULL,
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    reverses_entry_id  bigint UNIQUE REFERENCES ledger_entries(id),
    reason             text CHECK (length(reason) <= 500),
    bank_tx_id         text CHECK (length(bank_tx_id) BETWEEN 1 AND 100),
    recorded_by        bigint REFERENCES members(id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'payment' OR (amount_fen > 0 AND receipt_no IS NOT NULL)),
    CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL)),
    CHECK (kind <> 'reversal' OR (amount_fen < 0 AND reason IS NOT NULL))
);
CREATE UNIQUE INDEX ledger_entries_receipt ON ledger_entries (estate_id, receipt_no)
    WHERE receipt_no IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_bank_tx ON ledger_entries (estate_id, bank_tx_id)
    WHERE bank_tx_id IS NOT NULL;
CREATE INDEX ledger_entries_household ON ledger_entries (estate_id, household_id, id);
CREATE INDEX ledger_entries_plan ON ledger_entries (plan_id, id);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % refused (record a reversing entry)',
        TG_OP USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only();

-- The legacy running totals become ledger entries: per household, the latest recorded
-- figure (of the latest plan version that has one) as one adjustment against that plan.
INSERT INTO ledger_entries (estate_id, plan_id, household_id, kind, amount_fen, channel,
                            paid_on, note, recorded_by, recorded_at)
SELECT DISTINCT ON (p.estate_id, pp.household_id)
       p.estate_id, pp.plan_id, pp.household_id, 'adjustment', pp.paid_fen, 'other',
       pp.recorded_at::date, 'migrated from plan_payments', pp.recorded_by, pp.recorded_at
FROM plan_payments pp JOIN funding_plans p ON p.id = pp.plan_id
WHERE pp.paid_fen > 0
ORDER BY p.estate_id, pp.household_id, p.version DESC;

-- Instalments: an optional schedule on a plan version's payment instructions,
-- [{"due_date": "2027-01-31", "share": "0.5"} | {"due_date": ..., "amount_fen": 10000}].
ALTER TABLE payment_instructions ADD COLUMN instalments jsonb NOT NULL DEFAULT '[]';

-- Bank statements imported by the treasurer: each line matched to a household (posted as a
-- ledger entry, channel bank_transfer, receipt_no and bank_tx_id the bank's transaction id),
-- or left unmatched / ambiguous for the treasurer to assign; a line whose transaction id is
-- already in the ledger is a duplicate (never posted twice).
CREATE TABLE bank_statements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estate_id    bigint NOT NULL REFERENCES estates(id),
    plan_id      bigint NOT NULL REFERENCES funding_plans(id),
    imported_by  bigint REFERENCES members(id),
    imported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_statements_plan ON bank_statements (plan_id, id);

CREATE TABLE bank_lines (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statement_id  bigint NOT NULL REFERENCES bank_statements(id),
    estate_id     bigint NOT NULL REFERENCES estates(id),
    line_no       integer NOT NULL,
    tx_date       date NOT NULL,
    amount_fen    bigint NOT NULL,
    memo          text NOT NULL DEFAULT '',
    bank_tx_id    text NOT NULL,
    status        text NOT NULL
                  CHECK (status IN ('matched', 'unmatched', 'ambiguous', 'duplicate',
                                    'assigned', 'ignored')),
    household_id  bigint REFERENCES households(id),
    entry_id      bigint REFERENCES ledger_entries(id),
    candidates    bigint[] NOT NULL DEFAULT '{}',
    UNIQUE (statement_id, line_no)
);
CREATE INDEX bank_lines_statement ON bank_lines (statement_id, line_no);
