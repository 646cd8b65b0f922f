/**
 * The PostgreSQL parameter table of the database's parameter group, with the apply method RDS
 * needs for each parameter.
 *
 * RDS applies a "dynamic" parameter at once (`immediate`), but refuses `immediate` for a
 * "static" one, which PostgreSQL reads only when the server starts (context `postmaster`): those
 * must carry `pending-reboot` and take effect at the next reboot. Getting this wrong makes
 * `terraform apply` fail with "cannot use immediate apply method for static parameter".
 */

export type ApplyMethod = "immediate" | "pending-reboot";

/** One row of the parameter group. */
export interface DbParameter {
  readonly name: string;
  readonly value: string;
  readonly applyMethod: ApplyMethod;
}

/**
 * Parameters PostgreSQL reads only at start (context `postmaster`), among those this project
 * sets or is likely to set. Every other parameter used here is dynamic (context `user` or
 * `sighup`): work_mem, maintenance_work_mem, effective_cache_size, random_page_cost,
 * effective_io_concurrency, default_statistics_target, checkpoint_completion_target,
 * min_wal_size, max_wal_size and RDS's rds.force_ssl.
 */
export const STATIC_PARAMETERS: ReadonlySet<string> = new Set([
  "max_connections",
  "shared_buffers",
  "shared_preload_libraries",
  "wal_buffers",
  "max_worker_processes",
  "max_locks_per_transaction",
  "max_prepared_transactions",
  "max_wal_senders",
  "max_replication_slots",
  "track_activity_query_size",
  "huge_pages",
  "wal_level",
]);

/** The apply method RDS accepts for `name`. */
export function applyMethodOf(name: string): ApplyMethod {
  return STATIC_PARAMETERS.has(name) ? "pending-reboot" : "immediate";
}

/** What the parameter table depends on. */
export interface ParameterSettings {
  /** `max_connections`, sized with the service's connection pools (config `database.maxConnections`). */
  readonly maxConnections: number;
}

/**
 * The reference's tuning parameters plus `rds.force_ssl = 1`, each with its apply method.
 *
 * Units: PostgreSQL counts shared_buffers, effective_cache_size and wal_buffers in 8 kB pages,
 * and RDS's `DBInstanceClassMemory` is in bytes. The reference wrote these three as if the unit
 * were 1 kB ({DBInstanceClassMemory/4096} is 200 % of memory in 8 kB pages, and RDS puts an
 * instance whose shared memory exceeds 90 % of RAM in `incompatible-parameters`). The values
 * below are the sizes the reference meant: shared_buffers 25 % of memory (RDS's own default),
 * effective_cache_size 75 %, wal_buffers 16 MiB. work_mem and maintenance_work_mem are in kB and
 * min/max_wal_size in MB, as the reference has them.
 */
export function postgresParameters(settings: ParameterSettings): DbParameter[] {
  const rows: [string, string][] = [
    ["max_connections", String(settings.maxConnections)],
    ["shared_buffers", "{DBInstanceClassMemory/32768}"], // 8 kB pages: 25 % of memory
    ["effective_cache_size", "{DBInstanceClassMemory*3/32768}"], // 8 kB pages: 75 % of memory
    ["maintenance_work_mem", "262144"], // kB: 256 MiB
    ["checkpoint_completion_target", "0.9"],
    ["wal_buffers", "2048"], // 8 kB pages: 16 MiB
    ["default_statistics_target", "100"],
    ["random_page_cost", "1.1"],
    ["effective_io_concurrency", "200"],
    ["work_mem", "10240"], // kB: 10 MiB
    ["min_wal_size", "1024"], // MB
    ["max_wal_size", "4096"], // MB
    ["shared_preload_libraries", "pg_stat_statements"],
    ["rds.force_ssl", "1"], // refuse unencrypted connections
  ];
  return rows.map(([name, value]) => ({ name, value, applyMethod: applyMethodOf(name) }));
}
