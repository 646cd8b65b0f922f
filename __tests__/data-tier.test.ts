import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";

import { ENVIRONMENT_NAMES, type EnvironmentName } from "../config/environments";
import { SERVICE_SECRET_NAMES } from "../constructs/contracts";
import { DataTier } from "../constructs/data/data-tier";
import { Database } from "../constructs/data/database";
import { applyMethodOf, postgresParameters, STATIC_PARAMETERS } from "../constructs/data/parameters";
import {
  DB_PASSWORD_SPECIAL_CHARACTERS,
  EXTERNAL_SECRET_PLACEHOLDER,
  PLACEHOLDER_VERSION_STAGE,
  RDS_FORBIDDEN_PASSWORD_CHARACTERS,
  ServiceSecrets,
} from "../constructs/data/secrets";
import type { Network } from "../constructs/network";
import { type DataFixture, dataFixture } from "./fixtures/data";
import { fixtureStack } from "./fixtures/tiers";
import { addressOf, type Json, ref, resolveIn, resourceNamed, resourcesOf, synthJson, testConfig } from "./helpers";

// Synthesized once for the whole file: one data tier per environment, and one full production stack.
const tiers = Object.fromEntries(ENVIRONMENT_NAMES.map((env) => [env, dataFixture(env)])) as Record<
  EnvironmentName,
  DataFixture
>;
const NON_PRODUCTION: EnvironmentName[] = ["dev", "beta", "staging"];

const instanceOf = (env: EnvironmentName): Json => resourceNamed(tiers[env].json, "aws_db_instance", "data_Database");
const parameterGroupOf = (env: EnvironmentName): Json =>
  resourceNamed(tiers[env].json, "aws_db_parameter_group", "data_Database_ParameterGroup");
const parametersOf = (env: EnvironmentName): Record<string, Json> =>
  Object.fromEntries((parameterGroupOf(env).parameter as Json[]).map((p) => [p.name, p]));
const secretOf = (env: EnvironmentName, name: string): Json =>
  resourceNamed(tiers[env].json, "aws_secretsmanager_secret", `data_Secrets_${name}_`);
const versionOf = (env: EnvironmentName, name: string): Json =>
  resourceNamed(tiers[env].json, "aws_secretsmanager_secret_version", `data_Secrets_${name}-version_`);
const passwordOf = (env: EnvironmentName, name: string): Json =>
  resourceNamed(tiers[env].json, "random_password", `data_Secrets_${name}-value_`);

describe("DataTier: the RDS instance", () => {
  test.each([
    ["dev", "db.t4g.small", 20, 50, "farmers_dev"],
    ["beta", "db.t4g.medium", 50, 100, "farmers_beta"],
    ["staging", "db.t4g.small", 30, 50, "farmers_staging"],
    ["production", "db.t4g.medium", 100, 500, "farmers_production"],
  ] as const)(
    "%s runs PostgreSQL 16.10 on %s with gp3 storage %i GiB autoscaling to %i GiB, database %s",
    (env, instanceClass, allocated, max, dbName) => {
      // GIVEN the environment's configuration WHEN the data tier is synthesized THEN the instance has the reference's size
      expect(instanceOf(env)).toMatchObject({
        identifier: `farmers-module-${env}-db`,
        engine: "postgres",
        engine_version: "16.10",
        instance_class: instanceClass,
        storage_type: "gp3",
        allocated_storage: allocated,
        max_allocated_storage: max,
        db_name: dbName,
        username: "farmers_service",
        port: 5432,
      });
    },
  );

  test("is encrypted with the data key and not publicly accessible", () => {
    // GIVEN dev WHEN synthesized THEN storage uses the customer-managed key and the instance has no public address
    expect(instanceOf("dev")).toMatchObject({
      storage_encrypted: true,
      kms_key_id: ref(tiers["dev"].json, "aws_kms_key", "data_Key", "arn"),
      publicly_accessible: false,
    });
  });

  test("lives in a subnet group over the database subnets", () => {
    // GIVEN the network's database subnets WHEN synthesized THEN the subnet group holds exactly those
    const { json, network } = tiers.production;
    const group = resourceNamed(json, "aws_db_subnet_group", "data_Database_SubnetGroup");
    expect(group.name).toBe("farmers-module-production-db");
    expect(group.subnet_ids).toEqual(resolveIn(tiers.production.stack, network.database.ids));
    expect(instanceOf("production").db_subnet_group_name).toBe(
      ref(tiers["production"].json, "aws_db_subnet_group", "data_Database_SubnetGroup", "name"),
    );
  });

  test.each(ENVIRONMENT_NAMES)(
    "%s: turns on IAM authentication, auto minor upgrades and the configured CA; no major upgrades, no immediate apply",
    (env) => {
      // GIVEN any environment WHEN synthesized THEN these settings are the same everywhere
      expect(instanceOf(env)).toMatchObject({
        iam_database_authentication_enabled: true,
        auto_minor_version_upgrade: true,
        allow_major_version_upgrade: false,
        apply_immediately: false,
        ca_cert_identifier: "rds-ca-rsa2048-g1",
      });
    },
  );

  test("production is Multi-AZ with deletion protection and Performance Insights for 7 days under the data key", () => {
    // GIVEN production WHEN synthesized THEN its safety nets are on
    expect(instanceOf("production")).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
      performance_insights_kms_key_id: ref(tiers["production"].json, "aws_kms_key", "data_Key", "arn"),
    });
  });

  test.each(NON_PRODUCTION)("%s is single-AZ without deletion protection or Performance Insights", (env) => {
    // GIVEN a non-production environment WHEN synthesized THEN the costly protections are off
    const instance = instanceOf(env);
    expect(instance).toMatchObject({
      multi_az: false,
      deletion_protection: false,
      performance_insights_enabled: false,
    });
    expect(instance.performance_insights_kms_key_id).toBeUndefined();
    expect(instance.performance_insights_retention_period).toBeUndefined();
  });

  test.each([
    ["dev", 7],
    ["beta", 7],
    ["staging", 7],
    ["production", 35],
  ] as const)(
    "%s keeps backups %i days, backs up 03:00-04:00 UTC and is maintained Sun 04:00-05:00 UTC",
    (env, days) => {
      // GIVEN the environment WHEN synthesized THEN retention follows config and the windows are fixed
      expect(instanceOf(env)).toMatchObject({
        backup_retention_period: days,
        backup_window: "03:00-04:00",
        maintenance_window: "sun:04:00-sun:05:00",
        copy_tags_to_snapshot: true,
        delete_automated_backups: false,
      });
    },
  );

  test("exports the postgresql and upgrade logs to log groups created first, with the configured retention", () => {
    // GIVEN production (log retention 30 days) WHEN synthesized THEN both log groups exist before the instance
    const { json } = tiers.production;
    const instance = instanceOf("production");
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    for (const log of ["postgresql", "upgrade"]) {
      const group = resourceNamed(json, "aws_cloudwatch_log_group", `data_Database_LogGroup-${log}`);
      expect(group).toMatchObject({
        name: `/aws/rds/instance/farmers-module-production-db/${log}`,
        retention_in_days: 30,
      });
      expect(instance.depends_on).toContain(
        addressOf(tiers["production"].json, "aws_cloudwatch_log_group", `LogGroup-${log}`),
      );
    }
  });

  test.each(["beta", "staging", "production"] as const)(
    "%s takes a final snapshot named with a suffix generated per instance",
    (env) => {
      // GIVEN an environment that keeps the final snapshot WHEN synthesized THEN its name ends in the
      // instance's random_id, so a re-created environment's second destroy does not collide
      expect(instanceOf(env)).toMatchObject({
        skip_final_snapshot: false,
        final_snapshot_identifier: `farmers-module-${env}-db-final-${ref(tiers[env].json, "random_id", "data_Database_FinalSnapshotSuffix", "hex")}`,
      });
    },
  );

  test("the final snapshot's suffix is 8 hex digits, new for each instance identifier", () => {
    // GIVEN staging WHEN synthesized THEN the random_id has 4 bytes and changes with the identifier
    expect(resourceNamed(tiers.staging.json, "random_id", "data_Database_FinalSnapshotSuffix")).toMatchObject({
      byte_length: 4,
      keepers: { instance: "farmers-module-staging-db" },
    });
  });

  test("dev opts out of the final snapshot by configuration", () => {
    // GIVEN dev (database.skipFinalSnapshot true) WHEN synthesized THEN no snapshot is taken or named
    expect(instanceOf("dev").skip_final_snapshot).toBe(true);
    expect(instanceOf("dev").final_snapshot_identifier).toBeUndefined();
    expect(resourcesOf(tiers.dev.json, "random_id")).toEqual({});
  });

  test.each([
    ["dev", 60],
    ["beta", 60],
    ["staging", 60],
    ["production", 30],
  ] as const)("%s has enhanced monitoring every %i s through its own role", (env, interval) => {
    // GIVEN the configured interval WHEN synthesized THEN the instance uses the monitoring role
    expect(instanceOf(env)).toMatchObject({
      monitoring_interval: interval,
      monitoring_role_arn: ref(tiers[env].json, "aws_iam_role", "data_Database_MonitoringRole", "arn"),
    });
  });

  test("the monitoring role is trusted by monitoring.rds.amazonaws.com of this account only and has the AWS managed policy", () => {
    // GIVEN production WHEN synthesized THEN the trust is scoped and the policy is AmazonRDSEnhancedMonitoringRole
    const { json } = tiers.production;
    const role = resourceNamed(json, "aws_iam_role", "data_Database_MonitoringRole");
    expect(role.name).toBe("farmers-module-production-rds-monitoring");
    const trust = JSON.parse(role.assume_role_policy);
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": expect.stringMatching(/^\$\{data\.aws_caller_identity\..+\.account_id\}$/),
          },
        },
      },
    ]);
    const attachment = resourceNamed(json, "aws_iam_role_policy_attachment", "data_Database_MonitoringPolicy");
    expect(attachment.policy_arn).toMatch(
      /^arn:\$\{data\.aws_partition\..+\.partition\}:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/,
    );
    expect(attachment.role).toBe(ref(tiers["production"].json, "aws_iam_role", "data_Database_MonitoringRole", "name"));
  });

  test("an interval of 0 turns enhanced monitoring off and creates no role", () => {
    // GIVEN dev with enhancedMonitoringIntervalSeconds 0 WHEN synthesized THEN there is no role
    const off = dataFixture("dev", { database: { enhancedMonitoringIntervalSeconds: 0 } });
    expect(resourceNamed(off.json, "aws_db_instance", "data_Database").monitoring_interval).toBe(0);
    expect(resourceNamed(off.json, "aws_db_instance", "data_Database").monitoring_role_arn).toBeUndefined();
    expect(Object.keys(resourcesOf(off.json, "aws_iam_role")).filter((n) => n.includes("Monitoring"))).toEqual([]);
  });

  test("the master password is the generated db-password, the same value the secret holds", () => {
    // GIVEN any environment WHEN synthesized THEN instance and secret version reference one random_password
    const generated = ref(tiers["staging"].json, "random_password", "data_Secrets_db-password-value", "result");
    expect(instanceOf("staging").password).toBe(generated);
    expect(versionOf("staging", "db-password").secret_string).toBe(generated);
  });
});

describe("DataTier: lifecycle protections", () => {
  test("production's instance and key carry prevent_destroy", () => {
    // GIVEN production (database.preventDestroy true) WHEN synthesized THEN terraform refuses to destroy them
    expect(instanceOf("production").lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["engine_version"] });
    expect(resourceNamed(tiers.production.json, "aws_kms_key", "data_Key").lifecycle).toEqual({
      prevent_destroy: true,
    });
  });

  test.each(NON_PRODUCTION)("%s's instance can be destroyed", (env) => {
    // GIVEN a disposable environment WHEN synthesized THEN the instance has neither prevent_destroy nor deletion protection
    expect(instanceOf(env)).toMatchObject({
      deletion_protection: false,
      lifecycle: { prevent_destroy: false, ignore_changes: ["engine_version"] },
    });
  });

  test.each(NON_PRODUCTION)(
    "%s keeps the data key when destroyed, so its final snapshot and backups stay restorable",
    (env) => {
      // GIVEN a disposable environment WHEN synthesized THEN Terraform still refuses to destroy the key
      expect(resourceNamed(tiers[env].json, "aws_kms_key", "data_Key").lifecycle).toEqual({ prevent_destroy: true });
    },
  );

  test("Terraform leaves minor versions to RDS's automatic upgrades after creation", () => {
    // GIVEN autoMinorVersionUpgrade WHEN RDS upgrades 16.10 to 16.11 THEN no plan tries to go back
    expect(instanceOf("dev")).toMatchObject({
      engine_version: "16.10",
      auto_minor_version_upgrade: true,
      lifecycle: { ignore_changes: ["engine_version"] },
    });
  });

  test("the instance waits for the monitoring role's permissions", () => {
    expect(instanceOf("production").depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_iam_role_policy_attachment\.data_Database_MonitoringPolicy_/),
      ]),
    );
  });

  test("the parameter group is replaced create-before-destroy under a name prefix with its family", () => {
    // GIVEN production WHEN synthesized THEN a replacement (new family or description) gets its own name next to the old group
    expect(parameterGroupOf("production").name).toBeUndefined();
    expect(parameterGroupOf("production")).toMatchObject({
      name_prefix: "farmers-module-production-postgres16-",
      family: "postgres16",
      lifecycle: { create_before_destroy: true },
    });
    expect(instanceOf("production").parameter_group_name).toBe(
      ref(tiers["production"].json, "aws_db_parameter_group", "ParameterGroup", "name"),
    );
  });
});

describe("DataTier: security group", () => {
  test("has no egress and no inline ingress", () => {
    // GIVEN production WHEN synthesized THEN the group allows nothing by itself
    const group = resourceNamed(tiers.production.json, "aws_security_group", "data_Database_SecurityGroup");
    expect(group.egress).toEqual([]);
    expect(group.ingress).toBeUndefined();
    // A prefix, not a fixed name, and create_before_destroy: a replacement coexists with the group in use
    expect(group.name).toBeUndefined();
    expect(group).toMatchObject({
      name_prefix: "farmers-module-production-db-",
      lifecycle: { create_before_destroy: true },
    });
    expect(instanceOf("production").vpc_security_group_ids).toEqual([
      ref(tiers["production"].json, "aws_security_group", "data_Database_SecurityGroup", "id"),
    ]);
  });

  test("allowFrom admits 5432/tcp from the given group only", () => {
    // GIVEN allowFrom(service group) WHEN synthesized THEN exactly one rule references that group
    const rules = Object.values(resourcesOf(tiers.dev.json, "aws_vpc_security_group_ingress_rule"));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      security_group_id: ref(tiers["dev"].json, "aws_security_group", "data_Database_SecurityGroup", "id"),
      referenced_security_group_id: ref(tiers["dev"].json, "aws_security_group", "service-sg", "id"),
      ip_protocol: "tcp",
      from_port: 5432,
      to_port: 5432,
    });
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(resourcesOf(tiers.dev.json, "aws_vpc_security_group_egress_rule")).toEqual({});
  });

  test("calling allowFrom twice with the same group adds no second rule", () => {
    // GIVEN the fixture's group already admitted WHEN allowFrom is called again THEN the same rule is returned
    const { data, serviceGroup } = tiers.beta;
    const first = data.database.allowFrom(serviceGroup);
    expect(data.database.allowFrom(serviceGroup)).toBe(first);
    expect(data.database.node.children.filter((c) => c.node.id.startsWith("AllowFrom-"))).toHaveLength(1);
  });
});

describe("DataTier: parameter group", () => {
  test("sets the reference's tuning plus rds.force_ssl = 1", () => {
    // GIVEN production WHEN synthesized THEN every parameter is present with its value
    const values = Object.fromEntries(Object.values(parametersOf("production")).map((p) => [p.name, p.value]));
    expect(values).toEqual({
      max_connections: "400",
      shared_buffers: "{DBInstanceClassMemory/32768}",
      effective_cache_size: "{DBInstanceClassMemory*3/32768}",
      maintenance_work_mem: "262144",
      checkpoint_completion_target: "0.9",
      wal_buffers: "2048",
      default_statistics_target: "100",
      random_page_cost: "1.1",
      effective_io_concurrency: "200",
      work_mem: "10240",
      min_wal_size: "1024",
      max_wal_size: "4096",
      shared_preload_libraries: "pg_stat_statements",
      "rds.force_ssl": "1",
    });
  });

  test.each([
    ["dev", "100"],
    ["beta", "200"],
    ["staging", "100"],
    ["production", "400"],
  ] as const)("%s sets max_connections %s from database.maxConnections", (env, value) => {
    // GIVEN the environment's connection budget WHEN synthesized THEN max_connections follows it
    expect(parametersOf(env).max_connections.value).toBe(value);
    expect(tiers[env].data.maxConnections).toBe(Number(value));
  });

  test.each(["max_connections", "shared_buffers", "shared_preload_libraries", "wal_buffers"])(
    "static %s is applied pending-reboot",
    (name) => {
      // GIVEN a parameter PostgreSQL reads only at start WHEN synthesized THEN RDS is told to wait for a reboot
      expect(parametersOf("production")[name].apply_method).toBe("pending-reboot");
    },
  );

  test.each([
    "effective_cache_size",
    "maintenance_work_mem",
    "checkpoint_completion_target",
    "default_statistics_target",
    "random_page_cost",
    "effective_io_concurrency",
    "work_mem",
    "min_wal_size",
    "max_wal_size",
    "rds.force_ssl",
  ])("dynamic %s is applied immediately", (name) => {
    // GIVEN a parameter PostgreSQL reloads at runtime WHEN synthesized THEN it applies at once
    expect(parametersOf("production")[name].apply_method).toBe("immediate");
  });

  test("every parameter in the table gets pending-reboot exactly when it is static", () => {
    // GIVEN the table WHEN rows are built THEN apply methods follow STATIC_PARAMETERS, and only the four static ones are used
    const rows = postgresParameters({ maxConnections: 100 });
    expect(
      rows
        .filter((r) => r.applyMethod === "pending-reboot")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["max_connections", "shared_buffers", "shared_preload_libraries", "wal_buffers"]);
    for (const name of STATIC_PARAMETERS) expect(applyMethodOf(name)).toBe("pending-reboot");
  });

  test("shared memory stays far below the 90 % of RAM RDS refuses (sizes in 8 kB pages)", () => {
    // GIVEN db.t4g.medium (4 GiB) WHEN the formulas are evaluated THEN shared_buffers is 25 % and wal_buffers 16 MiB
    const memoryBytes = 4 * 1024 ** 3;
    const params = parametersOf("production");
    const pages = (formula: string) =>
      Function("DBInstanceClassMemory", `return ${formula.replace(/[{}]/g, "")}`)(memoryBytes) as number;
    expect(pages(params.shared_buffers.value) * 8192).toBe(memoryBytes / 4);
    expect(pages(params.effective_cache_size.value) * 8192).toBe((memoryBytes * 3) / 4);
    expect(Number(params.wal_buffers.value) * 8192).toBe(16 * 1024 ** 2);
  });
});

describe("DataTier: KMS key", () => {
  test("rotates yearly, waits 30 days before deletion and has an alias", () => {
    // GIVEN dev WHEN synthesized THEN the key is customer-managed with rotation on
    const { json } = tiers.dev;
    expect(resourceNamed(json, "aws_kms_key", "data_Key")).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
    expect(resourceNamed(json, "aws_kms_alias", "data_Key_Alias")).toMatchObject({
      name: "alias/farmers-module-dev-data",
      target_key_id: ref(tiers["dev"].json, "aws_kms_key", "data_Key", "key_id"),
    });
  });

  test("its policy has no kms:* and allows cryptographic use only through RDS and Secrets Manager", () => {
    // GIVEN production WHEN the key policy is parsed THEN administration and use are separate, use is via-service only
    const policy = JSON.parse(resourceNamed(tiers.production.json, "aws_kms_key", "data_Key").policy);
    const actions = policy.Statement.flatMap((s: Json) => s.Action as string[]);
    expect(actions).not.toContain("kms:*");
    expect(actions.filter((a: string) => a.includes("*"))).toEqual([]);
    const admin = policy.Statement.find((s: Json) => s.Sid === "KeyAdministration");
    expect(admin.Action).not.toEqual(expect.arrayContaining(["kms:Decrypt"]));
    expect(admin.Action).not.toEqual(expect.arrayContaining(["kms:CreateGrant"]));
    const use = policy.Statement.find((s: Json) => s.Sid === "UseThroughRdsAndSecretsManager");
    expect(use.Action).toEqual([
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:CreateGrant",
      "kms:DescribeKey",
    ]);
    expect(use.Condition.StringEquals["kms:CallerAccount"]).toMatch(
      /^\$\{data\.aws_caller_identity\..+\.account_id\}$/,
    );
    expect(use.Condition.StringEquals["kms:ViaService"]).toEqual([
      "rds.us-east-1.amazonaws.com",
      "secretsmanager.us-east-1.amazonaws.com",
    ]);
    expect(use.Principal.AWS).toMatch(
      /^arn:\$\{data\.aws_partition\..+\.partition\}:iam::\$\{data\.aws_caller_identity\..+\.account_id\}:root$/,
    );
  });
});

describe("DataTier: secrets", () => {
  test.each(ENVIRONMENT_NAMES)(
    "%s has the five secrets farmers-module/<env>/<name>, encrypted with the data key",
    (env) => {
      // GIVEN the environment WHEN synthesized THEN each secret the service reads exists under its conventional name
      const names = Object.values(resourcesOf(tiers[env].json, "aws_secretsmanager_secret")).map((s) => s.name);
      expect(names.sort()).toEqual(SERVICE_SECRET_NAMES.map((n) => `farmers-module/${env}/${n}`).sort());
      for (const name of SERVICE_SECRET_NAMES)
        expect(secretOf(env, name).kms_key_id).toBe(ref(tiers[env].json, "aws_kms_key", "data_Key", "arn"));
    },
  );

  test.each([
    ["dev", 0],
    ["beta", 0],
    ["staging", 0],
    ["production", 30],
  ] as const)(
    "%s keeps a deleted secret restorable for %i days (0: deleted at once, the name reusable)",
    (env, days) => {
      // GIVEN database.secretsRecoveryWindowDays WHEN synthesized THEN every secret has that recovery window
      for (const name of SERVICE_SECRET_NAMES) expect(secretOf(env, name).recovery_window_in_days).toBe(days);
    },
  );

  test("the database password uses only characters RDS accepts, at least one of each class", () => {
    // GIVEN the db-password generator WHEN synthesized THEN its specials exclude / @ " ' and space
    const password = passwordOf("production", "db-password");
    expect(password).toMatchObject({
      length: 40,
      special: true,
      override_special: DB_PASSWORD_SPECIAL_CHARACTERS,
      min_lower: 1,
      min_upper: 1,
      min_numeric: 1,
      min_special: 1,
    });
    for (const forbidden of RDS_FORBIDDEN_PASSWORD_CHARACTERS)
      expect(password.override_special).not.toContain(forbidden);
    // Also URL- and DSN-safe without escaping: only unreserved characters and ! *
    expect(password.override_special).toMatch(/^[-_.~!*]+$/);
  });

  test.each(["db-password", "jwt-secret", "secret-key"])(
    "%s keeps its value when its generator's arguments are edited",
    (name) => {
      // GIVEN a generated secret WHEN synthesized THEN every argument that would force a new value is ignored after creation
      expect(passwordOf("production", name).lifecycle).toEqual({
        ignore_changes: [
          "length",
          "special",
          "upper",
          "lower",
          "numeric",
          "override_special",
          "min_lower",
          "min_upper",
          "min_numeric",
          "min_special",
        ],
      });
      // and nothing else (keepers) is set that could replace it without an explicit -replace
      expect(passwordOf("production", name).keepers).toBeUndefined();
    },
  );

  test.each(["jwt-secret", "secret-key"])("%s is generated with at least 32 characters", (name) => {
    // GIVEN a generated service secret WHEN synthesized THEN its generator is long enough and its version holds the result
    expect(passwordOf("production", name).length).toBeGreaterThanOrEqual(32);
    expect(versionOf("production", name).secret_string).toBe(
      ref(tiers["production"].json, "random_password", `data_Secrets_${name}-value`, "result"),
    );
    expect(versionOf("production", name).lifecycle).toBeUndefined();
  });

  test.each(["aaa-api-key", "aaa-default-password"])("%s starts as a placeholder Terraform never reverts", (name) => {
    // GIVEN a value issued by the AAA service WHEN synthesized THEN the version is a placeholder, ignored once set, and kept by a custom stage
    expect(versionOf("production", name)).toMatchObject({
      secret_string: EXTERNAL_SECRET_PLACEHOLDER,
      version_stages: ["AWSCURRENT", PLACEHOLDER_VERSION_STAGE],
      lifecycle: { ignore_changes: ["secret_string", "version_stages"] },
    });
    expect(Object.keys(resourcesOf(tiers.production.json, "random_password")).filter((n) => n.includes(name))).toEqual(
      [],
    );
  });

  test.each(ENVIRONMENT_NAMES)(
    "%s: no secret value appears in the synthesized JSON, only references and the deliberate placeholder",
    (env) => {
      // GIVEN the synthesized data tier WHEN every secret-bearing field is inspected THEN it is a reference or the placeholder
      const { json, synthesized } = tiers[env];
      const secretFields: [string, unknown][] = [];
      const walk = (node: unknown, key = ""): void => {
        if (Array.isArray(node)) node.forEach((n) => walk(n, key));
        else if (node && typeof node === "object") Object.entries(node).forEach(([k, v]) => walk(v, k));
        else if (/^(secret_string|secret_binary|password|password_wo|secret_string_wo)$/.test(key))
          secretFields.push([key, node]);
      };
      walk(json.resource);
      expect(secretFields.length).toBe(SERVICE_SECRET_NAMES.length + 1); // five versions and the instance
      for (const [, value] of secretFields)
        expect(
          value === EXTERNAL_SECRET_PLACEHOLDER || /^\$\{random_password\.[^}]+\.result\}$/.test(String(value)),
        ).toBe(true);
      expect(synthesized.split(EXTERNAL_SECRET_PLACEHOLDER)).toHaveLength(3); // exactly the two AAA versions
      expect(synthesized).not.toMatch(/changeme|change-me|password123|hunter2|"result":/i);
    },
  );

  test("exposes each secret's ARN, keyed by the contract's names", () => {
    // GIVEN the data tier WHEN secretArns is resolved THEN each name maps to its secret's arn
    const { data, stack } = tiers.staging;
    expect(Object.keys(data.secretArns).sort()).toEqual([...SERVICE_SECRET_NAMES].sort());
    for (const name of SERVICE_SECRET_NAMES)
      expect(resolveIn(stack, data.secretArns[name])).toBe(
        ref(tiers["staging"].json, "aws_secretsmanager_secret", `data_Secrets_${name}_`, "arn"),
      );
  });
});

describe("DataTier: what it offers the service", () => {
  test("address, port, database name, user, connection limit and key", () => {
    // GIVEN production WHEN the attributes are resolved THEN they point at the instance and the config
    const { data, stack } = tiers.production;
    expect(resolveIn(stack, data.address)).toBe(
      ref(tiers["production"].json, "aws_db_instance", "data_Database", "address"),
    );
    expect([data.port, data.databaseName, data.username, data.maxConnections]).toEqual([
      5432,
      "farmers_production",
      "farmers_service",
      400,
    ]);
    expect(resolveIn(stack, data.kmsKey.arn)).toBe(ref(tiers["production"].json, "aws_kms_key", "data_Key", "arn"));
  });

  test("construct IDs are stable (they are Terraform addresses)", () => {
    // GIVEN production WHEN the tree under "data" is listed THEN it is exactly this
    const paths = tiers.production.data.node
      .findAll()
      .map((c) => c.node.path.replace(/^fixture-production\//, ""))
      .sort();
    expect(paths).toEqual(
      [
        "data",
        "data/Key",
        "data/Key/Default",
        "data/Key/Alias",
        "data/Key/Alias/MovedFrom", // the moved block from data/KeyAlias (constructs/moved.ts), not a resource
        "data/Secrets",
        ...SERVICE_SECRET_NAMES.map((n) => `data/Secrets/${n}`),
        ...SERVICE_SECRET_NAMES.map((n) => `data/Secrets/${n}-version`),
        "data/Secrets/db-password-value",
        "data/Secrets/jwt-secret-value",
        "data/Secrets/secret-key-value",
        "data/Database",
        "data/Database/SecurityGroup",
        "data/Database/SubnetGroup",
        "data/Database/ParameterGroup",
        "data/Database/LogGroup-postgresql",
        "data/Database/LogGroup-upgrade",
        "data/Database/MonitoringRole",
        "data/Database/MonitoringPolicy",
        "data/Database/FinalSnapshotSuffix",
        "data/Database/Resource",
        `data/Database/AllowFrom-${tiers.production.serviceGroup.friendlyUniqueId}`,
      ].sort(),
    );
  });
});

describe("DataTier: validation", () => {
  const build = (database: object, stackId: string): void => {
    const base = fixtureStack("dev");
    new RandomProvider(base.stack, "random");
    new DataTier(base.stack, stackId, {
      naming: base.naming,
      accountId: base.accountId,
      partition: base.partition,
      network: base.network,
      region: "us-east-1",
      database: { ...testConfig("dev").database, ...database },
      logsKey: base.logsKey,
    });
  };

  test("fails when engineVersion is not MAJOR.MINOR", () => {
    // GIVEN an engine version without a minor WHEN the tier is built THEN it names the setting, value and form
    expect(() => build({ engineVersion: "16" }, "data")).toThrow(
      'fixture-dev/data/Database: database.engineVersion must be MAJOR.MINOR, such as 16.10; received "16"',
    );
  });

  test("fails when maxAllocatedStorageGiB does not exceed allocatedStorageGiB", () => {
    // GIVEN no room to autoscale WHEN the tier is built THEN it says what is allowed
    expect(() => build({ allocatedStorageGiB: 50, maxAllocatedStorageGiB: 50 }, "data")).toThrow(
      "fixture-dev/data/Database: database.maxAllocatedStorageGiB must be more than allocatedStorageGiB (50) so storage can autoscale; received 50",
    );
  });

  test("fails when the network has fewer than two database subnets", () => {
    // GIVEN a network with one database subnet WHEN the tier is built THEN RDS's need is named
    const base = fixtureStack("dev");
    new RandomProvider(base.stack, "random");
    const oneSubnet = {
      ...base.network,
      database: { ...base.network.database, subnets: base.network.database.subnets.slice(0, 1) },
    } as unknown as Network;
    expect(
      () =>
        new DataTier(base.stack, "data", {
          naming: base.naming,
          accountId: base.accountId,
          partition: base.partition,
          network: oneSubnet,
          region: "us-east-1",
          database: testConfig("dev").database,
          logsKey: base.logsKey,
        }),
    ).toThrow(
      "fixture-dev/data/Database: the network must have database subnets in at least 2 availability zones (RDS subnet groups need them); received 1",
    );
  });

  test("ServiceSecrets defaults to a 30-day recovery window", () => {
    // GIVEN no recoveryWindowDays WHEN synthesized THEN the safest window is used
    const base = fixtureStack("dev");
    new RandomProvider(base.stack, "random");
    const kmsKey = new KmsKey(base.stack, "key", { enableKeyRotation: true });
    const secrets = new ServiceSecrets(base.stack, "secrets", { naming: base.naming, kmsKey });
    expect(secrets.node.children).toHaveLength(SERVICE_SECRET_NAMES.length * 2 + 3);
    const json = synthJson(base.stack);
    for (const secret of Object.values(resourcesOf(json, "aws_secretsmanager_secret")))
      expect(secret.recovery_window_in_days).toBe(30);
  });

  test("fails when config sets database.secretsRecoveryWindowDays outside 0 or 7-30", () => {
    // GIVEN an override of 45 days WHEN the configuration is loaded THEN the loader names setting, value and range
    expect(() => testConfig("dev", { database: { secretsRecoveryWindowDays: 45 } })).toThrow(
      "database.secretsRecoveryWindowDays: received 45; allowed: 0 (delete at once) or 7 to 30 days",
    );
  });

  test("fails when a production-protected environment deletes secrets without recovery", () => {
    // GIVEN production with a 0-day window WHEN loaded THEN the recovery window is required
    expect(() => testConfig("production", { database: { secretsRecoveryWindowDays: 0 } })).toThrow(
      'database.secretsRecoveryWindowDays: received 0; allowed: 7 to 30 days when protection is "production" (a deleted secret stays restorable)',
    );
  });
});

describe("Database: defaults of the optional settings", () => {
  // GIVEN a database with only its required settings
  const base = fixtureStack("dev");
  new RandomProvider(base.stack, "random");
  new Database(base.stack, "Database", {
    naming: base.naming,
    network: base.network,
    accountId: base.accountId,
    partition: base.partition,
    kmsKey: new KmsKey(base.stack, "key", { enableKeyRotation: true }),
    masterPassword: "${random_password.fixture.result}",
    logsKey: base.logsKey,
    engineVersion: "16.10",
    instanceClass: "db.t4g.micro",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    name: "farmers",
    username: "farmers_service",
    maxConnections: 100,
  });
  const json = synthJson(base.stack);
  const instance = Object.values(resourcesOf(json, "aws_db_instance"))[0];

  test("is protected: deletion protection, prevent_destroy and a final snapshot", () => {
    // WHEN synthesized THEN every stateful safety net is on
    expect([
      instance.deletion_protection,
      instance.lifecycle.prevent_destroy,
      instance.skip_final_snapshot,
      instance.final_snapshot_identifier,
    ]).toEqual([
      true,
      true,
      false,
      `farmers-module-dev-db-final-${ref(json, "random_id", "Database_FinalSnapshotSuffix", "hex")}`,
    ]);
  });

  test("runs in one AZ with 7-day backups, no Performance Insights and no enhanced monitoring", () => {
    // WHEN synthesized THEN the cheap, AWS-default-like choices apply and no monitoring role exists
    expect([
      instance.multi_az,
      instance.backup_retention_period,
      instance.performance_insights_enabled,
      instance.monitoring_interval,
      Object.keys(resourcesOf(json, "aws_iam_role")).filter((name) => name.startsWith("Database_")),
    ]).toEqual([false, 7, false, 0, []]);
  });

  test("uses the rds-ca-rsa2048-g1 certificate authority", () => {
    expect(instance.ca_cert_identifier).toBe("rds-ca-rsa2048-g1");
  });
});
