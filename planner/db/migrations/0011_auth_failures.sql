-- Failed sign-ins and wrong bearer tokens (issue 15, item 5): only failures are counted,
-- per client address and in all, so the table is renamed for what it now holds.
ALTER TABLE sign_in_attempts RENAME TO auth_failures;
ALTER INDEX sign_in_attempts_client RENAME TO auth_failures_client;
DELETE FROM auth_failures;
CREATE INDEX auth_failures_at ON auth_failures (at);
