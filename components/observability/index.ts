// The observability stack's pure pieces: configuration generators and the data they are built from.
export * from "./alerts";
export * from "./alloy";
export * from "./dashboards";
export * from "./grafana";
export * from "./hostAccess";
export * from "./loki";
export * from "./metrics";
export * from "./opsDeployments";
export * from "./prometheus";
export * from "./kubernetes";
