export * from "./OdooEnvironment";
export * from "./NeutralizedDatabase";
export * from "./SnapshotBucket";
export * from "./ObservabilityStack";
export * from "./EvidenceSchema";
export * from "./EdgeRouter";
export * from "./RepositorySettings";
export * from "./ProductionDatabase";
