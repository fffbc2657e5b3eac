-- Evidence is append-only. Three layers, so that no single mistake can rewrite history:
--   1. grants: ops_writer may INSERT (and SELECT, which INSERT … RETURNING and the rollback lookup
--      need); ops_reader may SELECT; nobody else, PUBLIC included, gets anything;
--   2. triggers: UPDATE, DELETE and TRUNCATE are rejected for every role that is not the tables'
--      owner, whatever a later (mis)configured grant says;
--   3. recorded_at / recorded_by are stamped by the database at INSERT, so a writer cannot backdate.
-- The roles normally exist already (the EvidenceSchema component creates them with passwords);
-- a bare `evidence migrate` creates them without login so the grants below always apply.

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ops_writer') THEN
        CREATE ROLE ops_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ops_reader') THEN
        CREATE ROLE ops_reader NOLOGIN;
    END IF;
END
$roles$;

REVOKE ALL ON SCHEMA ops FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ops FROM PUBLIC, ops_writer, ops_reader;
GRANT USAGE ON SCHEMA ops TO ops_writer, ops_reader;
GRANT SELECT, INSERT ON ops.builds, ops.health_checks, ops.deployments, ops.migrations TO ops_writer;
GRANT SELECT ON ops.builds, ops.health_checks, ops.deployments, ops.migrations, ops.schema_migrations TO ops_reader;

CREATE FUNCTION ops.reject_rewrite() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
DECLARE
    owner oid;
BEGIN
    SELECT relowner INTO owner FROM pg_class WHERE oid = TG_RELID;
    IF pg_has_role(current_user, owner, 'MEMBER') THEN
        -- The owner may still correct a record by hand (e.g. an erasure request); nobody else can.
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ops.% is append-only evidence: % is not allowed for role %', TG_TABLE_NAME, TG_OP, current_user
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new row instead (a failed or rolled_back deployment, a new health check).';
END
$fn$;

CREATE FUNCTION ops.stamp_recorded() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
BEGIN
    NEW.recorded_at := now();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$fn$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['builds', 'health_checks', 'deployments', 'migrations'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON ops.%I FOR EACH ROW EXECUTE FUNCTION ops.reject_rewrite()', t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON ops.%I FOR EACH STATEMENT EXECUTE FUNCTION ops.reject_rewrite()', t || '_no_truncate', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON ops.%I FOR EACH ROW EXECUTE FUNCTION ops.stamp_recorded()', t || '_stamp', t);
    END LOOP;
    EXECUTE 'CREATE TRIGGER schema_migrations_append_only BEFORE UPDATE OR DELETE ON ops.schema_migrations FOR EACH ROW EXECUTE FUNCTION ops.reject_rewrite()';
    EXECUTE 'CREATE TRIGGER schema_migrations_no_truncate BEFORE TRUNCATE ON ops.schema_migrations FOR EACH STATEMENT EXECUTE FUNCTION ops.reject_rewrite()';
END
$triggers$;
