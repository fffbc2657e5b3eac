-- The evidence tables. Their column names are a contract: postmortems, dashboards and the rollback
-- command read them (docs/deployment/EVIDENCE.md). Change them only with a new migration that adds,
-- never one that renames.

CREATE TABLE ops.builds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    git_sha         text NOT NULL CONSTRAINT builds_git_sha_format CHECK (git_sha ~ '^[0-9a-f]{7,40}$'),
    branch          text NOT NULL CONSTRAINT builds_branch_present CHECK (branch <> ''),
    commit_message  text NOT NULL,
    author          text NOT NULL,
    committed_at    timestamptz NOT NULL,
    built_at        timestamptz NOT NULL DEFAULT now(),
    lock_hash       text NOT NULL CONSTRAINT builds_lock_hash_format CHECK (lock_hash ~ '^sha256:[0-9a-f]{64}$'),
    lock_files      text[] NOT NULL CONSTRAINT builds_lock_files_present CHECK (cardinality(lock_files) > 0),
    image_reference text NOT NULL CONSTRAINT builds_image_reference_pinned CHECK (image_reference ~ '@sha256:[0-9a-f]{64}$'),
    image_digest    text NOT NULL CONSTRAINT builds_image_digest_format CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
    run_url         text,
    evidence_uri    text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    recorded_by     text NOT NULL DEFAULT session_user
);
CREATE INDEX builds_git_sha_idx ON ops.builds (git_sha);
CREATE INDEX builds_branch_built_at_idx ON ops.builds (branch, built_at DESC);

CREATE TABLE ops.health_checks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment   text NOT NULL CONSTRAINT health_checks_environment_name
                      CHECK (environment ~ '^(dev|staging|production|pr-[1-9][0-9]{0,8})$'),
    git_sha       text CONSTRAINT health_checks_git_sha_format CHECK (git_sha ~ '^[0-9a-f]{7,40}$'),
    url           text NOT NULL,
    http_status   integer,
    http_ok       boolean NOT NULL,
    http_ms       integer,
    database_name text,
    database_ok   boolean NOT NULL,
    database_ms   integer,
    ok            boolean NOT NULL,
    attempts      integer NOT NULL DEFAULT 1 CONSTRAINT health_checks_attempts_positive CHECK (attempts > 0),
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by   text NOT NULL DEFAULT session_user,
    CONSTRAINT health_checks_ok_is_both CHECK (ok = (http_ok AND database_ok))
);
CREATE INDEX health_checks_environment_checked_at_idx ON ops.health_checks (environment, checked_at DESC);

CREATE TABLE ops.deployments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment         text NOT NULL CONSTRAINT deployments_environment_name
                            CHECK (environment ~ '^(dev|staging|production|pr-[1-9][0-9]{0,8})$'),
    stack               text NOT NULL,
    git_sha             text NOT NULL CONSTRAINT deployments_git_sha_format CHECK (git_sha ~ '^[0-9a-f]{7,40}$'),
    git_branch          text,
    image_reference     text CONSTRAINT deployments_image_reference_pinned CHECK (image_reference ~ '@sha256:[0-9a-f]{64}$'),
    image_digest        text CONSTRAINT deployments_image_digest_format CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
    url                 text,
    database_name       text,
    status              text NOT NULL CONSTRAINT deployments_status_known
                            CHECK (status IN ('succeeded', 'failed', 'rolled_back')),
    rollback_of_sha     text CONSTRAINT deployments_rollback_of_sha_format CHECK (rollback_of_sha ~ '^[0-9a-f]{7,40}$'),
    migrations_executed text[] NOT NULL DEFAULT '{}',
    health_check_id     bigint REFERENCES ops.health_checks (id),
    health              jsonb,
    build_id            bigint REFERENCES ops.builds (id),
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz NOT NULL DEFAULT now(),
    evidence_uri        text,
    outputs             jsonb NOT NULL DEFAULT '{}'::jsonb,
    run_url             text,
    actor               text,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    recorded_by         text NOT NULL DEFAULT session_user,
    CONSTRAINT deployments_finished_after_started CHECK (finished_at >= started_at),
    -- A rollback names the deployment it undid; what runs after a success or a rollback is known exactly.
    CONSTRAINT deployments_rollback_names_sha CHECK (status <> 'rolled_back' OR rollback_of_sha IS NOT NULL),
    CONSTRAINT deployments_running_image_known
        CHECK (status = 'failed' OR (image_digest IS NOT NULL AND image_reference IS NOT NULL))
);
-- History of one environment, newest first (rollback, "latest succeeded deployment per environment").
CREATE INDEX deployments_environment_finished_idx ON ops.deployments (environment, finished_at DESC, id DESC);
CREATE INDEX deployments_succeeded_idx ON ops.deployments (environment, finished_at DESC, id DESC)
    WHERE status = 'succeeded';
-- Failed deployments since a date (postmortems).
CREATE INDEX deployments_failed_idx ON ops.deployments (finished_at DESC) WHERE status = 'failed';
CREATE INDEX deployments_git_sha_idx ON ops.deployments (git_sha);

CREATE TABLE ops.migrations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id  bigint REFERENCES ops.deployments (id),
    environment    text NOT NULL CONSTRAINT migrations_environment_name
                       CHECK (environment ~ '^(dev|staging|production|pr-[1-9][0-9]{0,8})$'),
    database_name  text NOT NULL,
    module         text NOT NULL CONSTRAINT migrations_module_present CHECK (module <> ''),
    version_before text,
    version_after  text,
    state_before   text,
    state_after    text,
    scripts        text[] NOT NULL DEFAULT '{}',
    seconds        numeric(10, 3) CONSTRAINT migrations_seconds_positive CHECK (seconds >= 0),
    dry_run        boolean NOT NULL DEFAULT false,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    recorded_by    text NOT NULL DEFAULT session_user,
    -- Every real upgrade belongs to a deployment; only a promotion's dry run stands alone.
    CONSTRAINT migrations_deployment_or_dry_run CHECK (dry_run OR deployment_id IS NOT NULL)
);
CREATE INDEX migrations_deployment_idx ON ops.migrations (deployment_id);
CREATE INDEX migrations_module_recorded_idx ON ops.migrations (module, recorded_at DESC);
