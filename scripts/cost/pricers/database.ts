import { block, literalNumber, referencedAddresses, type TerraformBlock } from "../../../constructs/terraform-json";
import { each, fmt } from "../model";
import { PRICES } from "../prices-us-east-1";
import { scheduledHours } from "../schedule";

/** Database: RDS instances (instance hours, storage, IOPS, backups, Performance Insights, Enhanced Monitoring). */

/** `aws_db_instance`: the instance for the hours it runs, storage per copy, backups beyond the free allocation. */
export const dbInstance = each((db: TerraformBlock, { add, skip, note, hours, ofType, assumptions: a }) => {
  const b = db.config;
  const cls: string = b.instance_class;
  const multiAz = b.multi_az === true;
  const rate = PRICES.rdsInstanceHour[cls];
  // Off-hours: EventBridge Scheduler schedules calling StartDBInstance / StopDBInstance on it.
  // A stopped instance bills storage and backups only (RDS User Guide, stopping an instance).
  const running = scheduledHours(
    ofType("aws_scheduler_schedule").filter((x) =>
      referencedAddresses(block(x.config.target)?.input).includes(db.address),
    ),
    (x) => x.config.schedule_expression,
    (x) => {
      const target = String(block(x.config.target)?.arn ?? "");
      return target.endsWith(":startDBInstance") ? true : target.endsWith(":stopDBInstance") ? false : undefined;
    },
    (x) => x.config.schedule_expression_timezone,
  );
  const dbHours = running && !running.unparsed ? running.weeklyHours * (hours / 168) : hours;
  if (running)
    note(
      `${db.address}: started and stopped on a schedule, ${running.summary}: instance priced for ${fmt(dbHours)} of ${hours} h a month.`,
    );
  if (running?.unparsed)
    note(
      `${db.address}: a schedule's expression could not be read (${running.unparsed}); instance priced for every hour.`,
    );
  if (rate) {
    const price = multiAz ? rate.multiAz : rate.singleAz;
    add(
      db,
      "database",
      `${cls} ${multiAz ? "Multi-AZ (primary + standby)" : "Single-AZ"}: ${fmt(dbHours)} h × $${price.usd}/h`,
      dbHours * price.usd,
    );
  } else {
    skip(db, `instance class ${JSON.stringify(cls)} is not in the price table (scripts/cost/prices-us-east-1.ts)`);
  }
  const copies = multiAz ? 2 : 1;
  const allocated = literalNumber(b.allocated_storage);
  const storageType: string = b.storage_type ?? (b.iops ? "io1" : "gp2");
  if (allocated !== undefined && (storageType === "gp3" || storageType === "gp2")) {
    const perGb = storageType === "gp3" ? PRICES.rdsGp3GbMonth.usd : PRICES.rdsGp2GbMonth.usd;
    add(
      db,
      "database",
      `${storageType} storage: ${allocated} GB × ${copies} cop${copies === 1 ? "y" : "ies"} × $${perGb}/GB-month`,
      allocated * copies * perGb,
    );
    const iops = literalNumber(b.iops);
    const baseline = allocated >= 400 ? 12000 : 3000;
    if (storageType === "gp3" && iops !== undefined && iops > baseline)
      add(
        db,
        "database",
        `gp3 IOPS above the ${baseline} baseline: ${iops - baseline} × ${copies}`,
        (iops - baseline) * copies * PRICES.rdsGp3IopsMonth.usd,
      );
  } else if (allocated !== undefined) {
    skip(db, `storage type ${storageType} is not priced (gp2/gp3 only)`);
  }
  const retention = literalNumber(b.backup_retention_period) ?? 1;
  if (allocated !== undefined && retention > 0) {
    const kept = allocated * (1 + (a.backupChangePercentPerDay / 100) * (retention - 1));
    const billable = Math.max(0, kept - allocated);
    add(
      db,
      "database",
      `backups: ~${fmt(kept)} GB kept over ${retention} days (${fmt(a.backupChangePercentPerDay)} %/day changed), first ${allocated} GB free`,
      billable * PRICES.rdsBackupGbMonth.usd,
    );
  }
  if (b.performance_insights_enabled === true) {
    const piDays = literalNumber(b.performance_insights_retention_period) ?? 7;
    if (piDays <= 7) add(db, "database", "Performance Insights: 7 days of history (free)", 0);
    else skip(db, `Performance Insights retention of ${piDays} days (beyond the free 7) is not priced`);
  }
  const interval = literalNumber(b.monitoring_interval) ?? 0;
  if (interval > 0) {
    const gbIngested = (((hours * 3600) / interval) * a.enhancedMonitoringKbPerSample) / (1024 * 1024);
    const stored = gbIngested * Math.min(1, 30 / (hours / 24));
    add(
      db,
      "monitoring",
      `Enhanced Monitoring every ${interval} s: ~${fmt(gbIngested)} GB into RDSOSMetrics (30-day retention)`,
      gbIngested * PRICES.logsIngestGb.usd + stored * PRICES.logsStorageGbMonth.usd,
    );
  }
});

/** `aws_rds_cluster`, `aws_rds_cluster_instance`, `aws_db_proxy`: reported, not priced. */
export const auroraAndProxy = each((r: TerraformBlock, { skip }) =>
  skip(r, "Aurora / RDS Proxy are not in the price table"),
);
