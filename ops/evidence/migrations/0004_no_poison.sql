-- Evidence cannot be poisoned by its writer:
--   1. no timestamp in the future: a "succeeded" deployment finishing in 2099 would stay the current
--      one for ever (rollback and dashboards take the latest). Five minutes of clock skew between a
--      CI runner and the database are tolerated;
--   2. no explicit id (INSERT … OVERRIDING SYSTEM VALUE): an id taken ahead of the identity sequence
--      makes the next real insert fail on the primary key. The identity default calls nextval() in
--      the inserting session just before this trigger runs, so an id is the database's exactly when
--      it equals currval() of the table's sequence. The tables' owner may still set one by hand.

-- currval() needs a privilege on the sequence that ops_writer does not have (and should not get):
-- this one function reads it with the owner's rights, for the calling session, and nothing else.
CREATE FUNCTION ops.assigned_id(tbl regclass) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog
AS $fn$
BEGIN
    RETURN currval(pg_get_serial_sequence(tbl::text, 'id'));
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION ops.assigned_id(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ops.assigned_id(regclass) TO ops_writer;

CREATE FUNCTION ops.refuse_poison() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
DECLARE
    horizon timestamptz := clock_timestamp() + interval '5 minutes';
    owner oid;
    assigned bigint;
    col text;
    value timestamptz;
BEGIN
    FOREACH col IN ARRAY coalesce(TG_ARGV, ARRAY[]::text[]) LOOP
        value := (to_jsonb(NEW) ->> col)::timestamptz;
        IF value > horizon THEN
            RAISE EXCEPTION 'ops.%.% = % is in the future: evidence records what happened, not what will', TG_TABLE_NAME, col, value
                USING ERRCODE = 'check_violation',
                      HINT = 'Record the deployment (or check) when it has happened, with the time it happened.';
        END IF;
    END LOOP;

    SELECT relowner INTO owner FROM pg_class WHERE oid = TG_RELID;
    IF pg_has_role(current_user, owner, 'MEMBER') THEN
        RETURN NEW;
    END IF;
    assigned := ops.assigned_id(TG_RELID::regclass);
    IF assigned IS DISTINCT FROM NEW.id THEN
        RAISE EXCEPTION 'ops.%: ids are assigned by the database (got an explicit id %)', TG_TABLE_NAME, NEW.id
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Leave id out of the INSERT.';
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER builds_no_poison BEFORE INSERT ON ops.builds FOR EACH ROW EXECUTE FUNCTION ops.refuse_poison('committed_at', 'built_at');
CREATE TRIGGER health_checks_no_poison BEFORE INSERT ON ops.health_checks FOR EACH ROW EXECUTE FUNCTION ops.refuse_poison('checked_at');
CREATE TRIGGER deployments_no_poison BEFORE INSERT ON ops.deployments FOR EACH ROW EXECUTE FUNCTION ops.refuse_poison('started_at', 'finished_at');
CREATE TRIGGER migrations_no_poison BEFORE INSERT ON ops.migrations FOR EACH ROW EXECUTE FUNCTION ops.refuse_poison();
