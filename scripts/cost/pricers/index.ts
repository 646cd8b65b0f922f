import type { Pricer } from "../model";
import { ecsServices, schedulerSchedule } from "./compute";
import { auroraAndProxy, dbInstance } from "./database";
import {
  codeBuildProject,
  codePipeline,
  dynamoDbTable,
  ecrRepository,
  hostedZone,
  kmsKey,
  s3Bucket,
  secret,
  snsTopics,
  webAcl,
} from "./managed";
import { compositeAlarm, containerInsights, dashboard, logGroup, logMetricFilter, metricAlarm } from "./monitoring";
import { elasticIp, loadBalancers, natGateways, transitGatewayAttachment, vpcEndpoint } from "./network";

/**
 * The pricer of each resource type the cost model knows. Types that share a pricer (`aws_lb` and
 * `aws_alb`) are priced together, in address order. Pricers run in this order, which is the
 * order of the lines and notes of an estimate; the ECS services come before the load balancers,
 * which read the hours the services run.
 */
export const PRICERS: Readonly<Record<string, Pricer>> = {
  aws_ecs_service: ecsServices,
  aws_db_instance: dbInstance,
  aws_rds_cluster: auroraAndProxy,
  aws_rds_cluster_instance: auroraAndProxy,
  aws_db_proxy: auroraAndProxy,
  aws_nat_gateway: natGateways,
  aws_eip: elasticIp,
  aws_vpc_endpoint: vpcEndpoint,
  aws_ec2_transit_gateway_vpc_attachment: transitGatewayAttachment,
  aws_lb: loadBalancers,
  aws_alb: loadBalancers,
  aws_cloudwatch_log_group: logGroup,
  aws_cloudwatch_log_metric_filter: logMetricFilter,
  aws_cloudwatch_metric_alarm: metricAlarm,
  aws_cloudwatch_composite_alarm: compositeAlarm,
  aws_cloudwatch_dashboard: dashboard,
  aws_ecs_cluster: containerInsights,
  aws_scheduler_schedule: schedulerSchedule,
  aws_secretsmanager_secret: secret,
  aws_kms_key: kmsKey,
  aws_wafv2_web_acl: webAcl,
  aws_s3_bucket: s3Bucket,
  aws_ecr_repository: ecrRepository,
  aws_codepipeline: codePipeline,
  aws_codebuild_project: codeBuildProject,
  aws_dynamodb_table: dynamoDbTable,
  aws_route53_zone: hostedZone,
  aws_sns_topic: snsTopics,
};

/** Resource types the cost model prices (some only under conditions, e.g. a cluster with Container Insights). */
export const PRICED_TYPES: ReadonlySet<string> = new Set(Object.keys(PRICERS));
