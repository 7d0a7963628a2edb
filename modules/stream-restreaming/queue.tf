# The reconcile work queue: API intent, "look again later" and grace-period ends, each a message
# naming one destination or one IVS channel, delayed up to SQS's 900 s (longer delays are chained
# by the monitor). A standard queue: delivery is at least once and unordered, which the reconciler
# tolerates (every reconcile is safe to repeat). Encrypted with the module's key.
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html

resource "aws_sqs_queue" "work" {
  name = "${var.project_name}-reconcile-work"
  # Lambda's SQS event source wants a visibility timeout of at least six times the function's
  # timeout (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
  visibility_timeout_seconds        = 6 * local.functions.monitor.timeout
  message_retention_seconds         = 86400 # a day: an older look-again has been overtaken by the schedule
  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.work_dlq.arn
    maxReceiveCount     = 5
  })
  tags = local.tags
}

resource "aws_sqs_queue" "work_dlq" {
  name                              = "${var.project_name}-reconcile-work-dlq"
  message_retention_seconds         = 1209600 # 14 days, the SQS maximum
  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = local.tags
}

# The monitor consumes the queue; it reports failed messages one by one (ReportBatchItemFailures),
# so only those come back after the visibility timeout.
resource "aws_lambda_event_source_mapping" "work" {
  event_source_arn                   = aws_sqs_queue.work.arn
  function_name                      = aws_lambda_function.this["monitor"].arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = 5
  }
}
