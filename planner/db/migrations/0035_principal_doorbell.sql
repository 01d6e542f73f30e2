-- Principal cache doorbell (issue 21): each instance caches who a token or a session cookie
-- is (planner.access.cache) and forgets it when this rings. At commit, any change to what a
-- principal is built from NOTIFYs 'planner_principals' with 'member:<id>' (a member's row:
-- revocation, rotation, role, estate, supplier; its households; its district assignments)
-- or 'session:<hex of id_hash>' (a session ended or changed). Inserts of new members and
-- sessions need no bell: nothing can have cached them yet.
CREATE FUNCTION planner_member_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('planner_principals', 'member:' || OLD.id);
    ELSE
        PERFORM pg_notify('planner_principals', 'member:' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER members_principal_changed
    AFTER UPDATE ON members
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION planner_member_changed();
CREATE TRIGGER members_principal_deleted
    AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION planner_member_changed();

-- For any table with a member_id column whose rows go into a principal (households, a
-- district's estates).
CREATE FUNCTION planner_member_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('planner_principals', 'member:' || (to_jsonb(OLD) ->> 'member_id'));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('planner_principals', 'member:' || (to_jsonb(NEW) ->> 'member_id'));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER member_households_principal_changed
    AFTER INSERT OR UPDATE OR DELETE ON member_households
    FOR EACH ROW EXECUTE FUNCTION planner_member_rows_changed();

CREATE FUNCTION planner_session_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('planner_principals', 'session:' || encode(OLD.id_hash, 'hex'));
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_principal_changed
    AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION planner_session_changed();

-- A district's estates (migration 0034, when present): every table named district* with a
-- member_id column rings for that member. A later table of that kind needs the same trigger.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables tb
          ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND c.column_name = 'member_id'
          AND c.table_name LIKE 'district%' AND tb.table_type = 'BASE TABLE'
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'FOR EACH ROW EXECUTE FUNCTION planner_member_rows_changed()',
            t || '_principal_changed', t);
    END LOOP;
END
$$;
