/*
 * schema_sqlite.h - the SQLite schema as an ordered list of migrations.
 * Migration N takes a store from version N-1 to N; it runs inside the
 * open transaction together with the schema_version insert. Never edit a
 * released migration: append a new one. Included by sqlite.c only.
 *
 * Tables (v1):
 *   accounts            the registry; regions is a JSON array; external_id
 *                       is a secret
 *   snapshots           one row per account-region: last fetch, last
 *                       attempt, stale flag and last error
 *   servers             DRS source servers of a snapshot: indexed columns,
 *                       tags (a JSON object: the EC2 instance's tags
 *                       overlaid with the DRS tags; tag filters use
 *                       json_each), the whole DescribeSourceServers item
 *                       (body) and, when enriched, the source EC2 instance
 *                       (ec2_body, instance_type, subnet_id, private_ip)
 *   recovery_instances  DescribeRecoveryInstances items of a snapshot
 *   jobs                recent DescribeJobs items of a snapshot
 *   documents           versioned ProtectionGroup/RecoveryPlan documents;
 *                       every version kept, deleted = tombstone
 * Tables (v2): executions (with the lease columns and the JSON spec),
 * execution_waves, execution_servers, execution_batches, execution_events.
 * Inventory rows cascade from snapshots, snapshots from accounts.
 */
#ifndef DROVER_STORE_SCHEMA_SQLITE_H
#define DROVER_STORE_SCHEMA_SQLITE_H

static const char *const sqlite_migrations[] = {
    /* 1: accounts, inventory snapshots, documents */
    "CREATE TABLE accounts ("
    "  account_id TEXT PRIMARY KEY,"
    "  name TEXT,"
    "  role_arn TEXT NOT NULL,"
    "  external_id TEXT NOT NULL,"
    "  regions TEXT NOT NULL DEFAULT '[]',"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE snapshots ("
    "  account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
    "  region TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL DEFAULT 0,"
    "  attempted_at INTEGER NOT NULL DEFAULT 0,"
    "  stale INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  PRIMARY KEY (account_id, region)"
    ");"
    "CREATE TABLE servers ("
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  source_server_id TEXT NOT NULL,"
    "  arn TEXT,"
    "  hostname TEXT,"
    "  replication_state TEXT,"
    "  lag_seconds INTEGER,"
    "  last_launch_result TEXT,"
    "  last_launch_job_id TEXT,"
    "  last_launch_type TEXT,"
    "  last_launch_at TEXT,"
    "  recovery_instance_id TEXT,"
    "  origin_account_id TEXT,"
    "  origin_region TEXT,"
    "  ec2_instance_id TEXT,"
    "  instance_type TEXT,"
    "  subnet_id TEXT,"
    "  private_ip TEXT,"
    "  tags TEXT NOT NULL DEFAULT '{}',"
    "  body TEXT NOT NULL,"
    "  ec2_body TEXT,"
    "  PRIMARY KEY (account_id, region, source_server_id),"
    "  FOREIGN KEY (account_id, region) REFERENCES snapshots(account_id, region)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE TABLE recovery_instances ("
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  recovery_instance_id TEXT NOT NULL,"
    "  source_server_id TEXT,"
    "  ec2_instance_id TEXT,"
    "  ec2_instance_state TEXT,"
    "  job_id TEXT,"
    "  is_drill INTEGER,"
    "  body TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, region, recovery_instance_id),"
    "  FOREIGN KEY (account_id, region) REFERENCES snapshots(account_id, region)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE INDEX recovery_instances_server"
    "  ON recovery_instances(account_id, region, source_server_id);"
    "CREATE TABLE jobs ("
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  job_id TEXT NOT NULL,"
    "  type TEXT,"
    "  status TEXT,"
    "  initiated_by TEXT,"
    "  created_at TEXT,"
    "  ended_at TEXT,"
    "  body TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, region, job_id),"
    "  FOREIGN KEY (account_id, region) REFERENCES snapshots(account_id, region)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE TABLE documents ("
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  body TEXT,"
    "  deleted INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, name, version)"
    ");",
    /* 2: executions (store/exec.h); the lease lives on the row */
    "CREATE TABLE executions ("
    "  id TEXT PRIMARY KEY,"
    "  plan_name TEXT NOT NULL,"
    "  plan_version INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  source_execution_id TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL DEFAULT 0,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"
    "  request TEXT,"
    "  error TEXT,"
    "  lease_host TEXT,"
    "  lease_pid INTEGER NOT NULL DEFAULT 0,"
    "  lease_expires_at INTEGER NOT NULL DEFAULT 0,"
    "  spec TEXT NOT NULL"
    ");"
    "CREATE TABLE execution_waves ("
    "  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  started_at INTEGER NOT NULL DEFAULT 0,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"
    "  approved INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  PRIMARY KEY (execution_id, idx)"
    ");"
    "CREATE TABLE execution_servers ("
    "  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,"
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  source_server_id TEXT NOT NULL,"
    "  wave_idx INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  batch_no INTEGER NOT NULL DEFAULT 0,"
    "  job_id TEXT,"
    "  recovery_instance_id TEXT,"
    "  ec2_instance_id TEXT,"
    "  error TEXT,"
    "  job_started_at INTEGER NOT NULL DEFAULT 0,"
    "  launched_at INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (execution_id, account_id, region, source_server_id)"
    ");"
    "CREATE TABLE execution_batches ("
    "  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,"
    "  batch_no INTEGER NOT NULL,"
    "  wave_idx INTEGER NOT NULL,"
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  job_id TEXT,"
    "  created_at INTEGER NOT NULL DEFAULT 0,"
    "  started_at INTEGER NOT NULL DEFAULT 0,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"
    "  servers TEXT NOT NULL,"
    "  error TEXT,"
    "  PRIMARY KEY (execution_id, batch_no)"
    ");"
    "CREATE TABLE execution_events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  text TEXT NOT NULL"
    ");"
    "CREATE INDEX execution_events_exec ON execution_events(execution_id, seq);",
};

#define SQLITE_SCHEMA_LATEST ((int)(sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0])))

#endif
