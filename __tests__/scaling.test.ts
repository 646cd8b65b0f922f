import { ServiceScaling } from "../constructs/service/scaling";
import { ServiceTier } from "../constructs/service/service-tier";
import { buildServiceTier, PRODUCTION, serviceTierProps } from "./fixtures/service";
import { fixtureStack } from "./fixtures/tiers";
import { type Json, ref, resourceNamed, resourcesOf } from "./helpers";

/** ServiceScaling (constructs/service/scaling.ts): the scalable target and its target-tracking policies, inside the service tier and on its own. */

const dev = buildServiceTier("dev");
const production = buildServiceTier("production", PRODUCTION);

describe("scaling", () => {
  const policies = (json: Json) =>
    Object.values(resourcesOf(json, "aws_appautoscaling_policy")).map((p) => {
      const c = p.target_tracking_scaling_policy_configuration;
      return [
        p.name,
        c.predefined_metric_specification.predefined_metric_type,
        c.target_value,
        c.scale_in_cooldown,
        c.scale_out_cooldown,
      ];
    });

  test("targets the service's desired count between the environment's min and max", () => {
    expect(resourceNamed(production.json, "aws_appautoscaling_target", "service_Scaling_Target")).toMatchObject({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      min_capacity: 2,
      max_capacity: 10,
      resource_id: `service/${ref(production.json, "aws_ecs_cluster", "service_Compute_Cluster", "name")}/${ref(production.json, "aws_ecs_service", "service_Compute_Service", "name")}`,
    });
  });

  test("tracks CPU 60 %, memory 70 % and 1000 requests per target, in 300 s / out 60 s", () => {
    expect(policies(dev.json)).toEqual([
      ["farmers-module-dev-cpu", "ECSServiceAverageCPUUtilization", 60, 300, 60],
      ["farmers-module-dev-memory", "ECSServiceAverageMemoryUtilization", 70, 300, 60],
      ["farmers-module-dev-requests", "ALBRequestCountPerTarget", 1000, 300, 60],
    ]);
  });

  test("labels the request metric with the ALB and target group", () => {
    const lb = ref(dev.json, "aws_lb", "service_LoadBalancer_", "arn_suffix");
    const tg = ref(dev.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn_suffix");
    expect(
      resourceNamed(dev.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
        .target_tracking_scaling_policy_configuration.predefined_metric_specification.resource_label,
    ).toBe(`${lb}/${tg}`);
  });

  test("under blue/green: CPU 60 %, memory 70 % and one request policy on a customized metric, no predefined ALBRequestCountPerTarget", () => {
    // GIVEN production (blue/green)  WHEN synthesized
    const all = Object.values(resourcesOf(production.json, "aws_appautoscaling_policy"));
    const config = (p: Json) => p.target_tracking_scaling_policy_configuration;
    // THEN three policies; the request policy names no predefined metric (AWS does not support it with CodeDeploy blue/green)
    expect(
      all.map((p) => [
        p.name,
        config(p).predefined_metric_specification?.predefined_metric_type ?? "customized",
        config(p).target_value,
      ]),
    ).toEqual([
      ["farmers-module-production-cpu", "ECSServiceAverageCPUUtilization", 60],
      ["farmers-module-production-memory", "ECSServiceAverageMemoryUtilization", 70],
      ["farmers-module-production-requests", "customized", 1000],
    ]);
  });

  test("under blue/green the request metric is requests per healthy task per minute over both target groups", () => {
    // GIVEN production  WHEN the request policy's metric-math query is read
    const metrics = resourceNamed(production.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
      .target_tracking_scaling_policy_configuration.customized_metric_specification.metrics as Json[];
    const lb = ref(production.json, "aws_lb", "service_LoadBalancer_", "arn_suffix");
    const blue = ref(production.json, "aws_lb_target_group", "service_LoadBalancer_TargetGroup", "arn_suffix");
    const green = ref(production.json, "aws_lb_target_group", "service_LoadBalancer_GreenTargetGroup", "arn_suffix");
    const stat = (id: string) => metrics.find((m) => m.id === id)!.metric_stat;
    const dims = (id: string) => stat(id).metric.dimensions.map((d: Json) => `${d.name}=${d.value}`);
    // THEN RequestCount (Sum) and HealthyHostCount (Average) of blue and green feed one returned expression
    expect(
      metrics.map((m) => [m.id, m.metric_stat?.metric.metric_name ?? m.expression, m.metric_stat?.stat, m.return_data]),
    ).toEqual([
      ["requests_0", "RequestCount", "Sum", false],
      ["requests_1", "RequestCount", "Sum", false],
      ["healthy_0", "HealthyHostCount", "Average", false],
      ["healthy_1", "HealthyHostCount", "Average", false],
      [
        "requests_per_task",
        "(FILL(requests_0, 0) + FILL(requests_1, 0)) / (FILL(healthy_0, 0) + FILL(healthy_1, 0))",
        undefined,
        true,
      ],
    ]);
    expect([dims("requests_0"), dims("requests_1"), dims("healthy_1")]).toEqual([
      [`LoadBalancer=${lb}`, `TargetGroup=${blue}`],
      [`LoadBalancer=${lb}`, `TargetGroup=${green}`],
      [`LoadBalancer=${lb}`, `TargetGroup=${green}`],
    ]);
  });

  test("under blue/green every policy scales in as well as out (the combined metric always has data)", () => {
    const disable = (fragment: string) =>
      resourceNamed(production.json, "aws_appautoscaling_policy", `service_${fragment}`)
        .target_tracking_scaling_policy_configuration.disable_scale_in;
    expect([disable("Scaling_Requests"), disable("Scaling_Cpu"), disable("Scaling_Memory")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("with one target group the request policy scales in too", () => {
    expect(
      resourceNamed(dev.json, "aws_appautoscaling_policy", "service_Scaling_Requests")
        .target_tracking_scaling_policy_configuration.disable_scale_in,
    ).toBeUndefined();
  });

  test("fails when minCount exceeds maxCount", () => {
    const f = fixtureStack("dev");
    const t = new ServiceTier(f.stack, "service", serviceTierProps(f, "dev", {}));
    expect(
      () =>
        new ServiceScaling(f.stack, "scaling", {
          naming: f.naming,
          cluster: t.cluster,
          service: t.service,
          minCount: 3,
          maxCount: 2,
          loadBalancer: t.loadBalancer,
          targetGroup: t.targetGroup,
        }),
    ).toThrow("fixture-dev/scaling: minCount (3) must not exceed maxCount (2)");
  });

  test("fails when a utilisation target is outside 0-100 %", () => {
    const f = fixtureStack("dev");
    const t = new ServiceTier(f.stack, "service", serviceTierProps(f, "dev", {}));
    expect(
      () =>
        new ServiceScaling(f.stack, "scaling", {
          naming: f.naming,
          cluster: t.cluster,
          service: t.service,
          minCount: 1,
          maxCount: 2,
          loadBalancer: t.loadBalancer,
          targetGroup: t.targetGroup,
          cpuTargetPercent: 120,
        }),
    ).toThrow("fixture-dev/scaling: cpuTargetPercent must be above 0 and at most 100; received 120");
  });
});
