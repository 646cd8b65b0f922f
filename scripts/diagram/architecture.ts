import {
  block,
  blocks,
  compareAddresses,
  type Json,
  literalNumber,
  referencedAddresses,
  resourceCount,
  stackResources,
  type TerraformBlock,
} from "../../constructs/terraform-json";
import { SUPPORTING_TYPES } from "../aws-resource-types";

/**
 * Builds the architecture diagram (Graphviz DOT) of a synthesized stack. Nothing in here knows
 * this project's constructs: it reads Terraform resource types and references, so resources that
 * other tiers add later appear by themselves.
 *
 * - Placement: the VPC is a box holding one box per subnet tier (from the subnets' `Type` tag or
 *   construct id); a resource that references subnets of one tier (directly or through a DB subnet
 *   group) is drawn inside that tier. Everything else is grouped by the first segment of its
 *   construct path (network/, data/, service/, pipeline/, observability/...).
 * - Aggregation: resources of one type in one place become one node ("Secrets Manager secret ×5").
 * - Helper resources (IAM, routes, rules, policies, versions...) are not drawn; their references
 *   are passed on to the resource that uses them (a service reaches its secrets through its task
 *   definition).
 * - Edges: bold for network traffic allowed by security-group rules (and from the internet),
 *   grey for references ("uses"), dotted for what alarms watch.
 * Output is deterministic: same stack, same DOT, byte for byte.
 */

/** Types folded into the resources that use them (never drawn as nodes). */
const HIDDEN_TYPES = new Set([...SUPPORTING_TYPES, "aws_eip"]);
const HIDDEN_PREFIXES = ["aws_iam_", "aws_s3_bucket_", "random_", "terraform_data", "null_resource", "time_"];

/** Hidden types that connect two resources: draw `from` -> `to`. */
const LINKS: Record<string, { from: string; to: string; label?: string }> = {
  aws_cloudwatch_event_target: { from: "rule", to: "arn", label: "event" },
  aws_wafv2_web_acl_association: { from: "web_acl_arn", to: "resource_arn" },
  aws_lb_target_group_attachment: { from: "target_group_arn", to: "target_id" },
};

/** Types nobody needs an arrow to: everything uses them (drawn, but not as edge targets). */
const NO_INCOMING_EDGES = new Set(["aws_kms_key", "aws_cloudwatch_log_group"]);
/** Types whose references are not drawn (a dashboard references everything it graphs). */
const NO_OUTGOING_EDGES = new Set(["aws_cloudwatch_dashboard"]);

const KIND_LABELS: Record<string, string> = {
  aws_lb: "Load balancer",
  aws_alb: "Load balancer",
  aws_ecs_service: "ECS service (Fargate)",
  aws_ecs_cluster: "ECS cluster",
  aws_db_instance: "RDS database",
  aws_nat_gateway: "NAT gateway",
  aws_internet_gateway: "Internet gateway",
  aws_vpc_endpoint: "VPC endpoint",
  aws_secretsmanager_secret: "Secrets Manager secret",
  aws_kms_key: "KMS key",
  aws_ecr_repository: "ECR repository",
  aws_s3_bucket: "S3 bucket",
  aws_codepipeline: "CodePipeline",
  aws_codebuild_project: "CodeBuild project",
  aws_codedeploy_app: "CodeDeploy application",
  aws_codedeploy_deployment_group: "CodeDeploy deployment group",
  aws_codestarconnections_connection: "GitHub connection",
  aws_codeconnections_connection: "GitHub connection",
  aws_cloudwatch_metric_alarm: "CloudWatch alarm",
  aws_cloudwatch_composite_alarm: "CloudWatch composite alarm",
  aws_cloudwatch_dashboard: "CloudWatch dashboard",
  aws_cloudwatch_log_group: "Log group",
  aws_cloudwatch_event_rule: "EventBridge rule",
  aws_cloudwatch_log_metric_filter: "Log metric filter",
  aws_sns_topic: "SNS topic",
  aws_route53_record: "Route 53 record",
  aws_wafv2_web_acl: "WAF web ACL",
  aws_ec2_transit_gateway_vpc_attachment: "Transit gateway attachment",
  aws_vpc_peering_connection: "VPC peering",
  aws_dynamodb_table: "DynamoDB table",
};

const GROUP_COLORS: Record<string, string> = {
  network: "#dde8f5",
  data: "#fde4cc",
  service: "#d8f0d8",
  pipeline: "#ecdff5",
  observability: "#f8d7d7",
};
const OTHER_COLOR = "#eeeeee";
const TIER_COLORS: Record<string, string> = { public: "#f3f8fd", private: "#f3fbf1", database: "#fff7ee" };

interface DiagramNode {
  readonly id: string;
  /** Cluster the node is drawn in: `tier:<tier>`, `vpc` or `group:<group>`. */
  readonly place: string;
  readonly type: string;
  readonly group: string;
  readonly members: TerraformBlock[];
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: "traffic" | "uses" | "watches";
  readonly labels: Set<string>;
}

const isHidden = (type: string) => HIDDEN_TYPES.has(type) || HIDDEN_PREFIXES.some((p) => type.startsWith(p));

/** Graphviz DOT source of the architecture of a synthesized stack. */
export function architectureDot(stackName: string, stack: Json): string {
  const resources = stackResources(stack).sort(compareAddresses);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const refs = (r: TerraformBlock) => referencedAddresses(r.config).filter((a) => byAddress.has(a) && a !== r.address);
  const groupOf = (r: TerraformBlock) => (r.pathInStack.includes("/") ? r.pathInStack.split("/")[0] : "stack");

  // ---- Subnet tiers ----------------------------------------------------------------------------
  const tierOfSubnet = new Map<string, string>();
  for (const s of resources.filter((r) => r.type === "aws_subnet")) {
    const fromPath = /(?:^|\/)([a-z]+)-subnet/.exec(s.pathInStack)?.[1];
    tierOfSubnet.set(s.address, String(s.config.tags?.Type ?? s.config.tags?.Tier ?? fromPath ?? "subnets"));
  }
  const tierCidrs = new Map<string, string[]>();
  for (const [address, tier] of tierOfSubnet) {
    const cidr = byAddress.get(address)?.config.cidr_block;
    tierCidrs.set(tier, [...(tierCidrs.get(tier) ?? []), typeof cidr === "string" ? cidr : "?"]);
  }
  const subnetsReferenced = (r: TerraformBlock, depth = 0): string[] => {
    const direct = refs(r).filter((a) => tierOfSubnet.has(a));
    if (direct.length > 0 || depth > 0) return direct;
    // A DB instance reaches its subnets through its subnet group.
    return refs(r)
      .map((a) => byAddress.get(a)!)
      .filter((x) => x.type === "aws_db_subnet_group")
      .flatMap((x) => subnetsReferenced(x, depth + 1));
  };
  const vpcs = resources.filter((r) => r.type === "aws_vpc");
  const placeOf = (r: TerraformBlock): string => {
    const tiers = [...new Set(subnetsReferenced(r).map((a) => tierOfSubnet.get(a)!))];
    if (tiers.length === 1) return `tier:${tiers[0]}`;
    if (vpcs.length > 0 && (tiers.length > 1 || refs(r).some((a) => a.startsWith("aws_vpc.")))) return "vpc";
    return `group:${groupOf(r)}`;
  };

  // ---- Nodes (visible resources, aggregated by place, type and group) --------------------------
  const nodes = new Map<string, DiagramNode>();
  const nodeOf = new Map<string, string>();
  for (const r of resources) {
    if (isHidden(r.type)) continue;
    const place = placeOf(r);
    const group = groupOf(r);
    const id = dotId(`${place}_${group}_${r.type}`);
    const node = nodes.get(id) ?? { id, place, type: r.type, group, members: [] };
    node.members.push(r);
    nodes.set(id, node);
    nodeOf.set(r.address, id);
  }

  // Hidden resources lend their references to the visible resources that use them.
  const visibleTargets = (address: string, seen = new Set<string>()): string[] => {
    if (seen.has(address)) return [];
    seen.add(address);
    if (nodeOf.has(address)) return [address];
    const r = byAddress.get(address);
    if (!r || r.type === "aws_subnet" || r.type === "aws_vpc" || r.type === "aws_db_subnet_group") return [];
    return refs(r).flatMap((a) => visibleTargets(a, seen));
  };

  // ---- Edges -------------------------------------------------------------------------------------
  const edges = new Map<string, Edge>();
  const addEdge = (from: string, to: string, kind: Edge["kind"], label?: string) => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const existing = edges.get(key);
    const rank = { traffic: 3, watches: 2, uses: 1 };
    if (existing && rank[existing.kind] > rank[kind]) return;
    const edge = existing && existing.kind === kind ? existing : { from, to, kind, labels: new Set<string>() };
    if (label) edge.labels.add(label);
    edges.set(key, edge);
  };

  // Traffic: security-group rules between groups, and from the internet.
  const usersOfGroup = new Map<string, string[]>();
  for (const r of resources) {
    if (!nodeOf.has(r.address)) continue;
    const groups = referencedAddresses([
      r.config.vpc_security_group_ids,
      r.config.security_groups,
      r.config.security_group_ids,
      block(r.config.network_configuration)?.security_groups,
    ]).filter((a) => a.startsWith("aws_security_group."));
    for (const g of groups) usersOfGroup.set(g, [...(usersOfGroup.get(g) ?? []), nodeOf.get(r.address)!]);
  }
  const INTERNET = "internet";
  let internetUsed = false;
  const traffic = (sourceGroup: string | undefined, cidr: unknown, destGroup: string | undefined, port: string) => {
    const targets = destGroup ? (usersOfGroup.get(destGroup) ?? []) : [];
    if (sourceGroup) {
      for (const from of usersOfGroup.get(sourceGroup) ?? [])
        for (const to of targets) addEdge(from, to, "traffic", port);
    } else if (cidr === "0.0.0.0/0") {
      for (const to of targets) {
        addEdge(INTERNET, to, "traffic", port);
        internetUsed = true;
      }
    }
  };
  const sgOf = (value: unknown) => referencedAddresses(value).find((a) => a.startsWith("aws_security_group."));
  for (const r of resources) {
    const b = r.config;
    const port = portLabel(b.ip_protocol ?? b.protocol, b.from_port, b.to_port);
    if (r.type === "aws_vpc_security_group_ingress_rule")
      traffic(sgOf(b.referenced_security_group_id), b.cidr_ipv4, sgOf(b.security_group_id), port);
    if (r.type === "aws_vpc_security_group_egress_rule" && b.referenced_security_group_id)
      traffic(sgOf(b.security_group_id), undefined, sgOf(b.referenced_security_group_id), port);
    if (r.type === "aws_security_group_rule" && b.type === "ingress") {
      const cidrs: unknown[] = Array.isArray(b.cidr_blocks) ? b.cidr_blocks : [];
      if (b.source_security_group_id)
        traffic(sgOf(b.source_security_group_id), undefined, sgOf(b.security_group_id), port);
      else if (cidrs.includes("0.0.0.0/0")) traffic(undefined, "0.0.0.0/0", sgOf(b.security_group_id), port);
    }
    if (r.type === "aws_security_group") {
      for (const rule of blocks(b.ingress)) {
        const p = portLabel(rule.protocol, rule.from_port, rule.to_port);
        for (const source of referencedAddresses(rule.security_groups).filter((a) =>
          a.startsWith("aws_security_group."),
        ))
          traffic(source, undefined, r.address, p);
        if (Array.isArray(rule.cidr_blocks) && rule.cidr_blocks.includes("0.0.0.0/0"))
          traffic(undefined, "0.0.0.0/0", r.address, p);
      }
    }
  }
  // NAT gateways carry the private subnets' traffic out.
  for (const r of resources.filter((x) => x.type === "aws_nat_gateway")) {
    addEdge(nodeOf.get(r.address)!, INTERNET, "traffic", "egress");
    internetUsed = true;
  }

  // References ("uses"), through hidden helpers; alarms "watch" what their dimensions name.
  for (const r of resources) {
    const from = nodeOf.get(r.address);
    if (!from || NO_OUTGOING_EDGES.has(r.type)) continue;
    const alarm = r.type === "aws_cloudwatch_metric_alarm" || r.type === "aws_cloudwatch_composite_alarm";
    const actions = new Set(
      referencedAddresses([r.config.alarm_actions, r.config.ok_actions, r.config.insufficient_data_actions]),
    );
    for (const a of refs(r)) {
      for (const target of visibleTargets(a)) {
        const to = nodeOf.get(target)!;
        const type = byAddress.get(target)!.type;
        if (NO_INCOMING_EDGES.has(type)) continue;
        addEdge(
          from,
          to,
          alarm && !actions.has(target) ? "watches" : "uses",
          alarm && actions.has(target) ? "notifies" : undefined,
        );
      }
    }
  }

  // Link resources (hidden) join two visible ones: an event rule and the target it sends to.
  for (const r of resources) {
    const link = LINKS[r.type];
    if (!link) continue;
    for (const fromAddr of referencedAddresses(r.config[link.from]).flatMap((a) => visibleTargets(a)))
      for (const toAddr of referencedAddresses(r.config[link.to]).flatMap((a) => visibleTargets(a)))
        addEdge(nodeOf.get(fromAddr)!, nodeOf.get(toAddr)!, "uses", link.label);
  }

  // ---- DOT -----------------------------------------------------------------------------------------
  const out: string[] = [];
  const indent = (n: number) => "  ".repeat(n);
  out.push("digraph architecture {");
  out.push(
    `  graph [rankdir=LR, compound=true, newrank=true, nodesep=0.25, ranksep=0.7, fontname="Helvetica", fontsize=12, labelloc=t, label=${quote(
      `${stackName}: ${resourceCount(stack)} resources. Generated from the synthesized stack by npm run diagram: do not edit.`,
    )}];`,
  );
  out.push('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.2,0.08"];');
  out.push('  edge [fontname="Helvetica", fontsize=9, color="#555555"];');
  if (internetUsed) out.push(`  ${INTERNET} [label="Internet", shape=ellipse, style=filled, fillcolor="#ffffff"];`);

  const nodeLine = (n: DiagramNode, depth: number) =>
    `${indent(depth)}${n.id} [label=${quote(nodeLabel(n, resources))}, fillcolor="${GROUP_COLORS[n.group] ?? OTHER_COLOR}"];`;
  const sorted = [...nodes.values()].sort((x, y) => x.id.localeCompare(y.id));

  if (vpcs.length > 0) {
    const cidr = vpcs
      .map((v) => v.config.cidr_block)
      .filter((c) => typeof c === "string")
      .join(", ");
    out.push("  subgraph cluster_vpc {");
    out.push(`    label=${quote(`VPC ${cidr}`.trim())}; style="dashed,rounded"; color="#4a6fa5"; fontcolor="#4a6fa5";`);
    for (const n of sorted.filter((x) => x.place === "vpc")) out.push(nodeLine(n, 2));
    const tiers = [...tierCidrs.keys()].sort((a, b) => tierRank(a) - tierRank(b) || a.localeCompare(b));
    for (const tier of tiers) {
      out.push(`    subgraph ${dotId(`cluster_tier_${tier}`)} {`);
      out.push(
        `      label=${quote(`${tier} subnets ${tierCidrs.get(tier)!.sort().join(", ")}`)}; style="filled,rounded"; fillcolor="${TIER_COLORS[tier] ?? "#fafafa"}"; color="#9aa7b5";`,
      );
      const inTier = sorted.filter((x) => x.place === `tier:${tier}`);
      for (const n of inTier) out.push(nodeLine(n, 3));
      if (inTier.length === 0) out.push(`      ${dotId(`empty_${tier}`)} [label="", shape=point, style=invis];`);
      out.push("    }");
    }
    out.push("  }");
  }
  const groups = [
    ...new Set(sorted.filter((n) => n.place.startsWith("group:")).map((n) => n.place.slice("group:".length))),
  ].sort();
  for (const group of groups) {
    out.push(`  subgraph ${dotId(`cluster_group_${group}`)} {`);
    out.push(`    label=${quote(`${group}/`)}; style="rounded"; color="#888888"; fontcolor="#444444";`);
    for (const n of sorted.filter((x) => x.place === `group:${group}`)) out.push(nodeLine(n, 2));
    out.push("  }");
  }

  const style = {
    traffic: 'color="#1f4e8c", penwidth=2',
    uses: 'color="#999999"',
    watches: 'color="#c0504d", style=dotted',
  };
  for (const e of [...edges.values()].sort((x, y) => `${x.from}->${x.to}`.localeCompare(`${y.from}->${y.to}`))) {
    const label = [...e.labels].sort().join(", ");
    out.push(`  ${e.from} -> ${e.to} [${style[e.kind]}${label ? `, label=${quote(label)}` : ""}];`);
  }

  // Legend: the tiers' colours and the edge kinds.
  out.push("  subgraph cluster_legend {");
  out.push('    label="legend"; style="rounded"; color="#bbbbbb"; fontcolor="#666666";');
  const legendGroups = Object.keys(GROUP_COLORS).filter((g) => sorted.some((n) => n.group === g));
  for (const g of legendGroups)
    out.push(`    ${dotId(`legend_${g}`)} [label=${quote(`${g}/`)}, fillcolor="${GROUP_COLORS[g]}"];`);
  out.push(
    '    legend_a [label="", shape=point, width=0.05]; legend_b [label="", shape=point, width=0.05]; legend_c [label="", shape=point, width=0.05]; legend_d [label="", shape=point, width=0.05];',
  );
  out.push('    legend_a -> legend_b [color="#1f4e8c", penwidth=2, label="network traffic (security groups)"];');
  out.push('    legend_c -> legend_d [color="#999999", label="uses (references)"];');
  out.push('    legend_e [label="", shape=point, width=0.05]; legend_f [label="", shape=point, width=0.05];');
  out.push('    legend_e -> legend_f [color="#c0504d", style=dotted, label="alarm watches"];');
  out.push("  }");
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** The label of a node: kind, count, and what tells its members apart. */
function nodeLabel(n: DiagramNode, all: readonly TerraformBlock[]): string {
  const first = n.members[0];
  const count = n.members.length;
  const kind = kindLabel(first);
  const lines = [`${kind}${count > 1 ? ` ×${count}` : ""}`];
  const names = n.members.map(displayName).filter((x): x is string => x !== undefined);
  const detail = details(n, all);
  if (detail.length > 0) lines.push(...detail);
  else if (names.length > 0 && names.length <= 6) lines.push(...names);
  return lines.join("\n");
}

function kindLabel(r: TerraformBlock): string {
  if (r.type === "aws_lb" || r.type === "aws_alb") {
    const type = r.config.load_balancer_type ?? "application";
    return `${type === "application" ? "Application" : type === "network" ? "Network" : "Gateway"} Load Balancer (${r.config.internal === true ? "internal" : "internet-facing"})`;
  }
  if (r.type === "aws_vpc_endpoint")
    return `VPC ${String(r.config.vpc_endpoint_type ?? "Gateway").toLowerCase()} endpoint`;
  return KIND_LABELS[r.type] ?? r.type.replace(/^aws_/, "").replace(/_/g, " ");
}

function details(n: DiagramNode, all: readonly TerraformBlock[]): string[] {
  const m = n.members;
  const r = m[0];
  const b = r.config;
  switch (n.type) {
    case "aws_db_instance":
      return m.map((x) =>
        [
          `${x.config.engine ?? "db"} ${x.config.engine_version ?? ""}`.trim(),
          `${x.config.instance_class ?? "?"}, ${x.config.multi_az === true ? "Multi-AZ" : "Single-AZ"}`,
          `${x.config.storage_type ?? "storage"} ${x.config.allocated_storage ?? "?"}${x.config.max_allocated_storage ? `-${x.config.max_allocated_storage}` : ""} GB`,
        ].join("\n"),
      );
    case "aws_ecs_service":
      return m.map((svc) => {
        const td = all.find(
          (x) =>
            x.type === "aws_ecs_task_definition" && referencedAddresses(svc.config.task_definition).includes(x.address),
        );
        const scaling = all.find(
          (x) =>
            x.type === "aws_appautoscaling_target" && referencedAddresses(x.config.resource_id).includes(svc.address),
        );
        const size = td
          ? `${(literalNumber(td.config.cpu) ?? 0) / 1024} vCPU / ${(literalNumber(td.config.memory) ?? 0) / 1024} GB per task`
          : undefined;
        const count = `desired ${svc.config.desired_count ?? "?"}${scaling ? `, scales ${scaling.config.min_capacity}-${scaling.config.max_capacity}` : ""}`;
        const deploy =
          block(svc.config.deployment_controller)?.type === "CODE_DEPLOY" ? "blue/green (CodeDeploy)" : "rolling";
        return [displayName(svc), size, count, deploy].filter(Boolean).join("\n");
      });
    case "aws_vpc_endpoint":
      return [
        m
          .map((x) => String(x.config.service_name ?? "?").replace(/^com\.amazonaws\.[^.]+\./, ""))
          .sort()
          .join(", "),
      ];
    case "aws_codepipeline":
      return m.map((x) =>
        [
          `${displayName(x) ?? ""} ${x.config.pipeline_type ?? ""}`.trim(),
          blocks(x.config.stage)
            .map((s) => s.name)
            .join(" > "),
        ]
          .filter(Boolean)
          .join("\n"),
      );
    case "aws_cloudwatch_metric_alarm":
      return [];
    case "aws_sns_topic":
      return m.map((topic) => {
        const subs = all.filter(
          (x) =>
            x.type === "aws_sns_topic_subscription" && referencedAddresses(x.config.topic_arn).includes(topic.address),
        );
        return `${displayName(topic) ?? ""}${subs.length ? ` (${subs.length} subscription${subs.length > 1 ? "s" : ""})` : ""}`;
      });
    case "aws_ecs_cluster":
      return m.map((x) => {
        const ci = blocks(x.config.setting).find((s) => s.name === "containerInsights");
        return [displayName(x), ci && ci.value !== "disabled" ? `Container Insights ${ci.value}` : undefined]
          .filter(Boolean)
          .join("\n");
      });
    case "aws_kms_key":
      return m
        .map((key) => {
          const alias = all.find(
            (x) => x.type === "aws_kms_alias" && referencedAddresses(x.config.target_key_id).includes(key.address),
          );
          return (
            (typeof alias?.config.name === "string" && !alias.config.name.includes("${")
              ? alias.config.name
              : displayName(key)) ?? ""
          );
        })
        .filter(Boolean);
    case "aws_codebuild_project":
      return m.map((x) => [displayName(x), block(x.config.environment)?.compute_type].filter(Boolean).join("\n"));
    default:
      void b;
      return [];
  }
}

/** A resource's literal name, if it has one. */
function displayName(r: TerraformBlock): string | undefined {
  const b = r.config;
  const nameKeys = Object.keys(b)
    .filter((k) => k.endsWith("_name") && !k.endsWith("_group_name"))
    .sort();
  for (const v of [
    b.name,
    b.identifier,
    b.bucket,
    b.family,
    b.deployment_group_name,
    ...nameKeys.map((k) => b[k]),
    b.cluster_id,
    b.tags?.Name,
  ]) {
    if (typeof v === "string" && !v.includes("${")) return v;
  }
  return undefined;
}

function portLabel(protocol: unknown, from: unknown, to: unknown): string {
  const p = String(protocol ?? "tcp");
  if (p === "-1" || p === "all") return "all";
  return from === to || to === undefined ? `${p}/${from}` : `${p}/${from}-${to}`;
}

function tierRank(tier: string): number {
  const i = ["public", "private", "database"].indexOf(tier);
  return i === -1 ? 3 : i;
}

function dotId(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, "_");
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
