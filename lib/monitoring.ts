import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { FunctionName } from './permissions';
import { REFUSAL_MESSAGE } from '../functions/authorizer/refusal';
import { METRICS_NAMESPACE } from '../functions/shared/service-defaults';
import type { ServiceFunction } from './service-function';

export interface MonitoringProps {
  readonly alarmTopic: sns.ITopic;
  readonly stage: apigw.Stage;
  readonly functions: Readonly<Record<FunctionName, ServiceFunction>>;
  readonly otpTopic: sns.Topic;
  readonly smsMonthlySpendLimitUsd: number;
  /** The web ACL's CloudWatch metric name: WAF reports its metrics under it, not under the ACL's name. */
  readonly webAclMetricName: string;
  readonly wafBlockedAlarmThreshold: number;
}

const FIVE_MINUTES = Duration.minutes(5);
const API_5XX_RATE_PERCENT = 5;
const SMS_FAILURE_RATE_PERCENT = 20;
const SMS_SPEND_ALARM_FRACTION = 0.8;
// Direct-to-number SMS is reported under this PhoneNumber dimension value, not per number.
const SMS_DIRECT = { PhoneNumber: 'PhoneNumberDirect' };

/** The alarms that page the alarm topic, and one dashboard with the same signals. */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    const apiRequests = props.stage.metricCount({ statistic: 'Sum', period: FIVE_MINUTES });
    const api5xx = props.stage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES });
    this.alarm('Api5xxRate', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { requests: apiRequests, errors: api5xx },
        period: FIVE_MINUTES,
        label: 'API 5xx (% of requests)',
      }),
      threshold: API_5XX_RATE_PERCENT,
      description: `At least ${API_5XX_RATE_PERCENT}% of API requests in 5 minutes ended in a 5xx: a handler failing, timing out, or a dependency (DynamoDB, SNS, KMS, Secrets Manager) unavailable.`,
    });

    for (const [name, target] of Object.entries(props.functions)) {
      const suffix = target.node.id;
      const errors = target.fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES });
      this.alarm(`${suffix}Errors`, {
        metric: name === 'authorizer' ? this.failuresBesidesRefusals(target, errors) : errors,
        threshold: 1,
        description: `The ${name} function threw or timed out (handlers turn expected failures into responses, so any error is a bug or an outage).`,
      });
      this.alarm(`${suffix}Throttles`, {
        metric: target.fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        description: `Lambda throttled the ${name} function: the account's or function's concurrency is exhausted, and callers get 5xx.`,
      });
    }

    const smsMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SNS', metricName, dimensionsMap: SMS_DIRECT, statistic: 'Sum', period: Duration.minutes(15) });
    const smsDelivered = smsMetric('NumberOfNotificationsDelivered');
    const smsFailed = smsMetric('NumberOfNotificationsFailed');
    this.alarm('SmsFailureRate', {
      metric: new cloudwatch.MathExpression({
        // Below 5 sends a quarter-hour, one mistyped number would look like an outage.
        expression: 'IF(delivered + failed >= 5, 100 * failed / (delivered + failed), 0)',
        usingMetrics: { delivered: smsDelivered, failed: smsFailed },
        period: Duration.minutes(15),
        label: 'SMS failed (% of sent)',
      }),
      threshold: SMS_FAILURE_RATE_PERCENT,
      description: `At least ${SMS_FAILURE_RATE_PERCENT}% of OTP SMS in 15 minutes failed (of 5 or more sent): spend limit reached, sandbox, carrier or sender ID/origination problems. SNS delivery status logs give the reason.`,
    });

    const smsSpendThreshold = round2(props.smsMonthlySpendLimitUsd * SMS_SPEND_ALARM_FRACTION);
    this.alarm('SmsSpendNearLimit', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: smsSpendThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `SMS spend this month reached ${smsSpendThreshold} USD, ${SMS_SPEND_ALARM_FRACTION * 100}% of the ${props.smsMonthlySpendLimitUsd} USD limit: at the limit SNS stops sending SMS and every SMS OTP fails. Raise the limit (context smsMonthlySpendLimitUsd, after the account quota) or look for abuse.`,
    });

    // SNS accepts a publish whether or not anyone subscribes: with no channel worker, e-mail,
    // WhatsApp and Zalo OTPs are answered 200 and reach nobody, and no delivery ever fails.
    const quarterHour = { statistic: 'Sum', period: Duration.minutes(15) };
    this.alarm('OtpTopicUnread', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(published > 0 AND delivered + failed == 0, 1, 0)',
        usingMetrics: {
          published: props.otpTopic.metricNumberOfMessagesPublished(quarterHour),
          delivered: props.otpTopic.metricNumberOfNotificationsDelivered(quarterHour),
          failed: props.otpTopic.metricNumberOfNotificationsFailed(quarterHour),
        },
        period: Duration.minutes(15),
        label: 'OTP messages published that reached no channel worker',
      }),
      threshold: 1,
      description: 'OTP messages were published to the delivery topic for 15 minutes and none reached a channel worker: no e-mail / WhatsApp / Zalo worker is subscribed, or every filter policy refuses them. Those customers get no OTP.',
    });

    this.alarm('OtpTopicDeliveryFailures', {
      metric: props.otpTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description: 'SNS could not deliver an OTP message from the delivery topic to a channel worker (e-mail, WhatsApp, Zalo).',
    });

    const wafMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName,
        dimensionsMap: { WebACL: props.webAclMetricName, Region: region, Rule: 'ALL' },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const wafBlocked = wafMetric('BlockedRequests');
    this.alarm('WafBlockedSpike', {
      metric: wafBlocked,
      threshold: props.wafBlockedAlarmThreshold,
      description: `WAF blocked at least ${props.wafBlockedAlarmThreshold} requests in 5 minutes (per-IP rate limit, oversized bodies or the AWS common rule set): an attack, or a legitimate client being blocked. WAF sampled requests show which rule.`,
    });

    const alarmAction = new actions.SnsAction(props.alarmTopic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }

    const fnList = Object.entries(props.functions);
    const perFunction = (metric: (target: ServiceFunction) => cloudwatch.Metric) =>
      fnList.map(([name, target]) => metric(target).with({ label: name }));
    new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
        [
          new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [apiRequests, props.stage.metricClientError({ statistic: 'Sum', period: FIVE_MINUTES }), api5xx], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', left: [props.stage.metricLatency({ statistic: 'p99' }), props.stage.metricIntegrationLatency({ statistic: 'p99' })], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Function errors', left: perFunction((t) => t.fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES })), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Function throttles', left: perFunction((t) => t.fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES })), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Function duration p99 (ms)', left: perFunction((t) => t.fn.metricDuration({ statistic: 'p99' })), width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'SMS delivered / failed', left: [smsDelivered, smsFailed], width: 8 }),
          new cloudwatch.SingleValueWidget({
            title: `SMS spend this month (USD, limit ${props.smsMonthlySpendLimitUsd})`,
            metrics: [new cloudwatch.Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', statistic: 'Maximum', period: FIVE_MINUTES })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'WAF allowed / blocked', left: [wafMetric('AllowedRequests'), wafBlocked], width: 8 }),
        ],
      ],
    });
  }

  /**
   * The authorizer refuses a caller by throwing 'Unauthorized' (API Gateway's only way to a
   * 401), so its Errors count every wrong credential; a metric filter on the line it logs
   * before each refusal takes those out, leaving what failed.
   */
  private failuresBesidesRefusals(authorizer: ServiceFunction, errors: cloudwatch.IMetric): cloudwatch.IMetric {
    const refusals = new logs.MetricFilter(this, 'AuthorizerRefusals', {
      logGroup: authorizer.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', REFUSAL_MESSAGE),
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'AuthorizerRefusals',
      metricValue: '1',
      // Per function, so that another stage's refusals in the same account never offset these errors.
      dimensions: { FunctionName: '$.function_name' },
    });
    const refusalsHere = refusals.metric({ statistic: 'Sum', period: FIVE_MINUTES, dimensionsMap: { FunctionName: authorizer.fn.functionName } });
    return new cloudwatch.MathExpression({
      expression: 'errors - FILL(refusals, 0)',
      usingMetrics: { errors, refusals: refusalsHere },
      period: FIVE_MINUTES,
      label: 'authorizer errors other than refusals',
    });
  }

  private alarm(
    id: string,
    props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'comparisonOperator'> & { description: string },
  ): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        metric: props.metric,
        threshold: props.threshold,
        comparisonOperator: props.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: props.description,
        // No traffic is not an outage; the dashboard shows silence.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
