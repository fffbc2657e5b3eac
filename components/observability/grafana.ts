/**
 * Grafana provisioning: data sources (Prometheus, Loki and, when configured, the evidence PostgreSQL
 * read-only as ops_reader) and the file provider that loads the dashboards.
 *
 * Reference: https://grafana.com/docs/grafana/latest/administration/provisioning/
 * Secrets never appear in these files: the evidence password is read from the container's environment
 * (provisioning files expand `$VAR`).
 */
import { stringify } from "yaml";
import { datasourceTypes, datasourceUids } from "./dashboards";

export const grafanaPaths = {
    datasources: "/etc/grafana/provisioning/datasources/odoo-platform.yml",
    dashboardProvider: "/etc/grafana/provisioning/dashboards/odoo-platform.yml",
    dashboardsDir: "/var/lib/grafana/dashboards/odoo-platform",
    data: "/var/lib/grafana",
} as const;

/** Environment variable holding the ops_reader password inside the Grafana container. */
export const evidencePasswordEnv = "ODOO_PLATFORM_EVIDENCE_READER_PASSWORD";

export interface EvidenceDatasource {
    host: string;
    port: number;
    database: string;
    user: string;
    sslMode: string;
}

export interface GrafanaDatasourcesInput {
    prometheusUrl: string;
    lokiUrl: string;
    evidence?: EvidenceDatasource;
}

export function grafanaDatasources(input: GrafanaDatasourcesInput): string {
    const datasources: Record<string, unknown>[] = [
        {
            name: "Prometheus",
            uid: datasourceUids.prometheus,
            type: datasourceTypes.prometheus,
            access: "proxy",
            url: input.prometheusUrl,
            isDefault: true,
            editable: false,
            jsonData: { timeInterval: "10s", httpMethod: "POST" },
        },
        {
            name: "Loki",
            uid: datasourceUids.loki,
            type: datasourceTypes.loki,
            access: "proxy",
            url: input.lokiUrl,
            editable: false,
            jsonData: { maxLines: 5000 },
        },
    ];
    if (input.evidence) {
        const e = input.evidence;
        datasources.push({
            name: "Evidence (ops)",
            uid: datasourceUids.evidence,
            type: datasourceTypes.evidence,
            access: "proxy",
            url: `${e.host}:${e.port}`,
            user: e.user,
            editable: false,
            jsonData: { database: e.database, sslmode: e.sslMode, postgresVersion: 1500, timescaledb: false, maxOpenConns: 5 },
            secureJsonData: { password: `$${evidencePasswordEnv}` },
        });
    }
    return stringify({
        apiVersion: 1,
        datasources,
    });
}

export function grafanaDashboardProvider(): string {
    return stringify({
        apiVersion: 1,
        providers: [
            {
                name: "odoo-platform",
                orgId: 1,
                folder: "odoo-platform",
                type: "file",
                disableDeletion: true,
                allowUiUpdates: false,
                updateIntervalSeconds: 60,
                options: { path: grafanaPaths.dashboardsDir, foldersFromFilesStructure: false },
            },
        ],
    });
}
