resource "aws_cloudwatch_log_group" "lambda" {
  for_each = local.functions

  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_lambda_function" "this" {
  for_each = local.functions

  function_name    = each.value.name
  description      = each.value.description
  role             = aws_iam_role.lambda[each.key].arn
  filename         = each.value.zip_path
  source_code_hash = each.value.source_hash
  # The bundle is handler.mjs at the zip root (ESM); Lambda resolves `handler` to it.
  handler       = "handler.handler"
  runtime       = "nodejs22.x"
  architectures = ["arm64"]
  memory_size   = var.lambda_memory_size
  timeout       = each.value.timeout

  environment {
    # The contract of lambdas/adapters/environment.ts, plus Powertools and source maps.
    # test/modules/contract.test.ts compares the names with the TypeScript side.
    variables = merge({
      DESTINATIONS_TABLE           = aws_dynamodb_table.destinations.name
      STREAM_STATE_TABLE           = aws_dynamodb_table.stream_state.name
      DESTINATION_EVENTS_TABLE     = aws_dynamodb_table.destination_events.name
      MEDIALIVE_ROLE_ARN           = aws_iam_role.medialive.arn
      PROJECT_NAME                 = var.project_name
      IVS_CHANNEL_ARNS             = join(",", var.ivs_channel_arns)
      STOP_GRACE_SECONDS           = tostring(var.stop_grace_seconds)
      STREAM_KEY_KMS_KEY_ID        = aws_kms_key.this.arn
      CORS_ALLOW_ORIGINS           = join(",", var.cors_allow_origins)
      ALLOW_PRIVATE_RTMP_TARGETS   = tostring(var.allow_private_rtmp_targets)
      WORK_QUEUE_URL               = aws_sqs_queue.work.url
      DEFAULT_RELAY_MODE           = local.default_relay_mode
      POWERTOOLS_SERVICE_NAME      = each.value.name
      POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
      NODE_OPTIONS                 = "--enable-source-maps"
      }, each.key == "api" ? merge(local.api_admin_environment, local.api_relay_environment) : {}, each.key == "api" ? local.api_prices_environment : {},
      each.key == "monitor" ? merge(local.relay_environment, local.alert_environment, { IDLE_CHANNEL_TTL_SECONDS = tostring(var.idle_channel_ttl_seconds) }) : {},
    )
  }

  # Failed asynchronous invocations (EventBridge → monitor) land in the dead-letter queue.
  dynamic "dead_letter_config" {
    for_each = each.key == "monitor" ? [aws_sqs_queue.monitor_dlq.arn] : []
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.lambda,
    aws_iam_role_policy.lambda,
  ]
}

resource "aws_sqs_queue" "monitor_dlq" {
  name                      = "${var.project_name}-stream-monitor-dlq"
  message_retention_seconds = 1209600 # 14 days, the SQS maximum
  # SSE with SQS-owned keys: the Lambda service writes to the queue with the function's role,
  # which then needs no KMS permission.
  sqs_managed_sse_enabled = true
  tags                    = local.tags
}

# Events older than ten minutes are stale hints: the scheduled reconcile has run since.
resource "aws_lambda_function_event_invoke_config" "monitor" {
  function_name                = aws_lambda_function.this["monitor"].function_name
  maximum_event_age_in_seconds = 600
  maximum_retry_attempts       = 2
}
