-- Module content checksums (ops/promotion/checksums.ts, the click-odoo-update approach): what a
-- deployment compared to decide which modules to update, before and after, next to the versions.
-- Additive: no existing column changes.

ALTER TABLE ops.migrations
    ADD COLUMN checksum_before text CONSTRAINT migrations_checksum_before_format CHECK (checksum_before ~ '^sha256:[0-9a-f]{64}$'),
    ADD COLUMN checksum_after  text CONSTRAINT migrations_checksum_after_format  CHECK (checksum_after ~ '^sha256:[0-9a-f]{64}$');
