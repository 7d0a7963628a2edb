# MediaLive sends channel logs (as-run logs always, encoder logs when the channel has a log level)
# to CloudWatch Logs, one log stream per channel ARN and pipeline, and reminds you to remove them
# after deleting a channel (https://docs.aws.amazon.com/medialive/latest/ug/monitoring-logs-about.html).
# The group is named ElementalMediaLive — the name the MediaLive role's log permission in iam.tf
# names; the pages searched do not spell it out, so docs/security.md lists it as to be verified in
# a real account. Created here, it gets log_retention_days instead of "never expire". It is one per
# account and region, shared with any other MediaLive use: create_medialive_log_group = false
# where it already exists or another deployment manages it.
resource "aws_cloudwatch_log_group" "medialive" {
  for_each = var.create_medialive_log_group ? toset(["ElementalMediaLive"]) : toset([])

  name              = each.key
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.project_name}-restreaming-alarms"
  kms_master_key_id = aws_kms_key.this.id
  tags              = local.tags
}

locals {
  # The monitor's alert channels (lambdas/core/alerts.ts): the alarm topic always, a chat webhook
  # when its parameter is named. Only the parameter's name is in the environment, never the URL.
  alert_environment = merge(
    { ALERT_TOPIC_ARN = aws_sns_topic.alarms.arn },
    var.alert_webhook_parameter_name != null ? { ALERT_WEBHOOK_PARAMETER = var.alert_webhook_parameter_name } : {},
  )
  alert_webhook_parameter_arns = var.alert_webhook_parameter_name == null ? [] : [
    "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.alert_webhook_parameter_name}",
  ]
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  # (function, metric) pairs with an alarm: any error or throttle is worth a look.
  lambda_alarms = merge([
    for fn, f in local.functions : {
      for metric in ["Errors", "Throttles"] : "${fn}-${lower(metric)}" => { function_name = f.name, metric = metric }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "lambda" {
  for_each = local.lambda_alarms

  alarm_name          = "${each.value.function_name}-${lower(each.value.metric)}"
  alarm_description   = "${each.value.function_name} reported ${lower(each.value.metric)}. See its log group /aws/lambda/${each.value.function_name}."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = local.tags

  depends_on = [aws_lambda_function.this]
}

resource "aws_cloudwatch_metric_alarm" "monitor_dlq" {
  alarm_name          = "${var.project_name}-stream-monitor-dlq"
  alarm_description   = "Monitor invocations failed after every retry and sit in ${aws_sqs_queue.monitor_dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.monitor_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = local.tags
}

# DestinationFailures is emitted (Powertools Metrics, EMF) by whichever function failed to start
# or run a destination, with `service` = its function name; the alarm sums both.
resource "aws_cloudwatch_metric_alarm" "destination_failures" {
  alarm_name          = "${var.project_name}-destination-failures"
  alarm_description   = "A destination failed to start or stopped with an error. The destination's lastError (admin UI or GET /stream-destinations) says why."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = local.tags

  metric_query {
    id          = "total"
    expression  = join(" + ", [for fn in keys(local.functions) : "FILL(${fn}, 0)"])
    label       = "DestinationFailures"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.functions
    content {
      id = metric_query.key
      metric {
        namespace   = local.metrics_namespace
        metric_name = "DestinationFailures"
        dimensions  = { service = metric_query.value.name }
        stat        = "Sum"
        period      = 300
      }
    }
  }
}
