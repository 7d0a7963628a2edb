# Triggers of the same reconciler in the monitor function: a schedule (the safety net), IVS's
# stream state events and MediaLive's channel state and alert events (the fast path; best effort,
# so never the only one). The work queue (queue.tf) is the fifth.

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.project_name}-reconcile-schedule"
  description         = "Full reconcile of every tracked IVS channel"
  schedule_expression = var.reconcile_schedule_expression
  tags                = local.tags
}

resource "aws_cloudwatch_event_rule" "ivs_stream_state" {
  name        = "${var.project_name}-ivs-stream-state"
  description = "IVS stream start/end of the tracked channels"
  # `resources` of an IVS Stream State Change event holds the channel ARN; detail.event_name is
  # "Session Created", "Stream Start", "Stream End", ... The monitor reconciles the channel on
  # any of them and asks IVS for the truth.
  event_pattern = jsonencode({
    source        = ["aws.ivs"]
    "detail-type" = ["IVS Stream State Change"]
    resources     = var.ivs_channel_arns
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.this["monitor"].arn

  retry_policy {
    maximum_event_age_in_seconds = 300
    maximum_retry_attempts       = 3
  }
}

resource "aws_cloudwatch_event_target" "ivs_stream_state" {
  rule = aws_cloudwatch_event_rule.ivs_stream_state.name
  arn  = aws_lambda_function.this["monitor"].arn

  retry_policy {
    maximum_event_age_in_seconds = 600
    maximum_retry_attempts       = 5
  }
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowReconcileSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["monitor"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}

resource "aws_lambda_permission" "ivs_stream_state" {
  statement_id  = "AllowIvsStreamStateEvents"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["monitor"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.ivs_stream_state.arn
}

# MediaLive's channel state changes: a hint to reconcile the destination of the channel now
# (created → start it; running → record active) instead of polling. Every channel of the account
# and region matches (a rule cannot filter on tags); the monitor ignores channels that are not
# this project's after one DescribeChannel, which IAM denies for them.
# https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-state-change.html
resource "aws_cloudwatch_event_rule" "medialive_channel_state" {
  name        = "${var.project_name}-medialive-channel-state"
  description = "MediaLive channel state changes (the monitor reconciles this project's)"
  event_pattern = jsonencode({
    source        = ["aws.medialive"]
    "detail-type" = ["MediaLive Channel State Change"]
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "medialive_channel_state" {
  rule = aws_cloudwatch_event_rule.medialive_channel_state.name
  arn  = aws_lambda_function.this["monitor"].arn

  retry_policy {
    maximum_event_age_in_seconds = 300
    maximum_retry_attempts       = 3
  }
}

resource "aws_lambda_permission" "medialive_channel_state" {
  statement_id  = "AllowMediaLiveChannelStateEvents"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["monitor"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.medialive_channel_state.arn
}

# MediaLive's channel alerts (detail-type "MediaLive Channel Alert", detail.alarm_state SET or
# CLEARED, alarm_id, alert_type, message, pipeline, channel_arn): the monitor records a SET alert
# on the destination of the channel, removes it when CLEARED, and reconciles that destination, so
# its health turns failing with MediaLive's own words within seconds.
# https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-alert.html
# https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-medialive.html
resource "aws_cloudwatch_event_rule" "medialive_channel_alert" {
  name        = "${var.project_name}-medialive-channel-alert"
  description = "MediaLive channel alerts set and cleared (the monitor records this project's)"
  event_pattern = jsonencode({
    source        = ["aws.medialive"]
    "detail-type" = ["MediaLive Channel Alert"]
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "medialive_channel_alert" {
  rule = aws_cloudwatch_event_rule.medialive_channel_alert.name
  arn  = aws_lambda_function.this["monitor"].arn

  retry_policy {
    maximum_event_age_in_seconds = 300
    maximum_retry_attempts       = 3
  }
}

resource "aws_lambda_permission" "medialive_channel_alert" {
  statement_id  = "AllowMediaLiveChannelAlertEvents"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["monitor"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.medialive_channel_alert.arn
}
