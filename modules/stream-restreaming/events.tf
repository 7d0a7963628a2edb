# Triggers of the same reconciler in the monitor function: a schedule (the safety net), IVS's
# stream state events, MediaLive's channel state and alert events and, with relays, ECS's task
# state events (the fast path; best effort, so never the only one). The work queue (queue.tf) is
# the sixth.
#
# One EventBridge rule, target and invoke permission per entry of local.monitor_event_rules. The
# keys are the resource names these had when each was written out on its own, and the moved
# blocks below carry deployments from those addresses to the map's, so nothing is replaced.

locals {
  monitor_event_rules = merge(
    {
      schedule = {
        name                = "reconcile-schedule"
        description         = "Full reconcile of every tracked IVS channel"
        schedule_expression = var.reconcile_schedule_expression
        event_pattern       = null
        statement_id        = "AllowReconcileSchedule"
        max_event_age       = 300
        max_retry_attempts  = 3
      }

      # `resources` of an IVS Stream State Change event holds the channel ARN; detail.event_name is
      # "Session Created", "Stream Start", "Stream End", ... The monitor reconciles the channel on
      # any of them and asks IVS for the truth.
      ivs_stream_state = {
        name                = "ivs-stream-state"
        description         = "IVS stream start/end of the tracked channels"
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.ivs"]
          "detail-type" = ["IVS Stream State Change"]
          resources     = var.ivs_channel_arns
        })
        statement_id       = "AllowIvsStreamStateEvents"
        max_event_age      = 600
        max_retry_attempts = 5
      }

      # MediaLive's channel state changes: a hint to reconcile the destination of the channel now
      # (created → start it; running → record active) instead of polling. Every channel of the
      # account and region matches (a rule cannot filter on tags); the monitor ignores channels that
      # are not this project's after one DescribeChannel, which IAM denies for them.
      # https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-state-change.html
      medialive_channel_state = {
        name                = "medialive-channel-state"
        description         = "MediaLive channel state changes (the monitor reconciles this project's)"
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.medialive"]
          "detail-type" = ["MediaLive Channel State Change"]
        })
        statement_id       = "AllowMediaLiveChannelStateEvents"
        max_event_age      = 300
        max_retry_attempts = 3
      }

      # MediaLive's channel alerts (detail-type "MediaLive Channel Alert", detail.alarm_state SET or
      # CLEARED, alarm_id, alert_type, message, pipeline, channel_arn): the monitor records a SET
      # alert on the destination of the channel, removes it when CLEARED, and reconciles that
      # destination, so its health turns failing with MediaLive's own words within seconds.
      # https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-alert.html
      # https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-medialive.html
      medialive_channel_alert = {
        name                = "medialive-channel-alert"
        description         = "MediaLive channel alerts set and cleared (the monitor records this project's)"
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.medialive"]
          "detail-type" = ["MediaLive Channel Alert"]
        })
        statement_id       = "AllowMediaLiveChannelAlertEvents"
        max_event_age      = 300
        max_retry_attempts = 3
      }
    },
    # ECS's task state changes of the relay cluster (create_relays): a relay task that reached
    # RUNNING or STOPPED has its destination reconciled at once (shown active, or replaced),
    # instead of at the next scheduled run. detail.clusterArn filters to this project's cluster;
    # the event carries no tags, so the monitor reads the destination from detail.taskDefinitionArn
    # (family {project}-relay-{destinationId}) and checks detail.startedBy
    # (lambdas/adapters/ecs/task-events.ts).
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
    var.create_relays ? {
      ecs_task_state = {
        name                = "ecs-task-state"
        description         = "ECS task state changes of the relay cluster (the monitor reconciles their destinations)"
        schedule_expression = null
        event_pattern = jsonencode({
          source        = ["aws.ecs"]
          "detail-type" = ["ECS Task State Change"]
          detail        = { clusterArn = [aws_ecs_cluster.relays[0].arn] }
        })
        statement_id       = "AllowEcsTaskStateEvents"
        max_event_age      = 300
        max_retry_attempts = 3
      }
    } : {},
  )
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.monitor_event_rules

  name                = "${var.project_name}-${each.value.name}"
  description         = each.value.description
  schedule_expression = each.value.schedule_expression
  event_pattern       = each.value.event_pattern
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.monitor_event_rules

  rule = aws_cloudwatch_event_rule.this[each.key].name
  arn  = aws_lambda_function.this["monitor"].arn

  retry_policy {
    maximum_event_age_in_seconds = each.value.max_event_age
    maximum_retry_attempts       = each.value.max_retry_attempts
  }
}

resource "aws_lambda_permission" "events" {
  for_each = local.monitor_event_rules

  statement_id  = each.value.statement_id
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["monitor"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

# From the addresses of the rules written out one by one (before the map).
moved {
  from = aws_cloudwatch_event_rule.schedule
  to   = aws_cloudwatch_event_rule.this["schedule"]
}
moved {
  from = aws_cloudwatch_event_target.schedule
  to   = aws_cloudwatch_event_target.this["schedule"]
}
moved {
  from = aws_lambda_permission.schedule
  to   = aws_lambda_permission.events["schedule"]
}
moved {
  from = aws_cloudwatch_event_rule.ivs_stream_state
  to   = aws_cloudwatch_event_rule.this["ivs_stream_state"]
}
moved {
  from = aws_cloudwatch_event_target.ivs_stream_state
  to   = aws_cloudwatch_event_target.this["ivs_stream_state"]
}
moved {
  from = aws_lambda_permission.ivs_stream_state
  to   = aws_lambda_permission.events["ivs_stream_state"]
}
moved {
  from = aws_cloudwatch_event_rule.medialive_channel_state
  to   = aws_cloudwatch_event_rule.this["medialive_channel_state"]
}
moved {
  from = aws_cloudwatch_event_target.medialive_channel_state
  to   = aws_cloudwatch_event_target.this["medialive_channel_state"]
}
moved {
  from = aws_lambda_permission.medialive_channel_state
  to   = aws_lambda_permission.events["medialive_channel_state"]
}
moved {
  from = aws_cloudwatch_event_rule.medialive_channel_alert
  to   = aws_cloudwatch_event_rule.this["medialive_channel_alert"]
}
moved {
  from = aws_cloudwatch_event_target.medialive_channel_alert
  to   = aws_cloudwatch_event_target.this["medialive_channel_alert"]
}
moved {
  from = aws_lambda_permission.medialive_channel_alert
  to   = aws_lambda_permission.events["medialive_channel_alert"]
}
