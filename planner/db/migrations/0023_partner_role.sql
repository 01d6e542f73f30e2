-- Partner units (共建单位, issue 18): a bank, school, hospital or law firm stationed near the
-- estate gets its own role, ``partner``, and says what kind of unit it is. Partners see and
-- fulfil residents' small wishes (微心愿) and pledge money to works, nothing else.
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check
    CHECK (role IN ('admin','committee','owner','supplier','treasurer','observer','partner'));
ALTER TABLE members
    ADD COLUMN partner_kind text
        CHECK (partner_kind IN ('bank','school','hospital','law_firm','enterprise','other')),
    ADD CONSTRAINT members_partner_kind CHECK ((role = 'partner') = (partner_kind IS NOT NULL));
