# One role per function and one policy document per function and concern. Which actions each
# function gets is listed once, in local.lambda_actions: test/modules/least-privilege.test.ts
# derives the same lists from the bundled Lambda code and fails on any difference.

locals {
  # The API writes intent and enqueues: no IVS, no MediaLive, and it can only Encrypt stream keys.
  # The monitor does everything the reconciler needs and can only Decrypt them.
  lambda_actions = {
    api = {
      # The API bundles the whole destinations repository (Query and UpdateItem are the
      # reconciler's, but the code is there, and the least-privilege test holds both sides equal).
      dynamodb_tables = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"]
      dynamodb_index  = ["dynamodb:Query"]
      # Destination history: records its actions, reads a destination's events (Query).
      history    = ["dynamodb:PutItem", "dynamodb:Query"]
      stream_key = ["kms:Encrypt"]
      # A manual stop asks IVS (GetStream) when the stream-state table has not seen the stream yet;
      # the bundled IVS adapter holds the other two calls as well. GetChannel also gives the
      # console a channel's ingest server and playback URL; ListStreamKeys and GetStreamKey reveal
      # the channel's stream key to an admin (GET /channels/{channelId}/stream-key) — the API only.
      ivs_channels    = ["ivs:GetChannel", "ivs:GetStream", "ivs:GetStreamSession", "ivs:ListStreamKeys"]
      ivs_account     = ["ivs:ListStreams"]
      ivs_stream_keys = ["ivs:GetStreamKey", "ivs:ListStreamKeys"]
      # SendMessageBatch is authorised as sqs:SendMessage
      # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
      work_queue = ["sqs:SendMessage"]
    }
    monitor = {
      # UpdateItem: a malformed item is reported on itself without rewriting the whole item.
      dynamodb_tables = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"]
      dynamodb_index  = ["dynamodb:Query"]
      # Destination history: records what it observed; it never reads the history back. GetItem:
      # the alert gate's own items there (what was alerted last, lambdas/adapters/dynamodb/alert-gate.ts),
      # so a failing destination fixed by an edit gets its recovery alert.
      history    = ["dynamodb:GetItem", "dynamodb:PutItem"]
      stream_key = ["kms:Decrypt"]
      # GetStreamSession: the ingest configuration of a stream session, once per session (the
      # pass-through warnings); like GetStream it is authorised on the channel resource
      # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoninteractivevideoservice.html).
      ivs_channels = ["ivs:GetChannel", "ivs:GetStream", "ivs:GetStreamSession"]
      ivs_account  = ["ivs:ListStreams"]
      work_queue   = ["sqs:SendMessage"]
      # Only the API reads IVS stream keys.
      ivs_stream_keys = []
    }
  }

  # Only the monitor drives MediaLive.
  engine_actions = {
    monitor = {
      medialive_create  = ["medialive:CreateChannel", "medialive:CreateInput"]
      medialive_tagged  = ["medialive:BatchUpdateSchedule", "medialive:DeleteChannel", "medialive:DeleteInput", "medialive:StartChannel", "medialive:StopChannel"]
      medialive_read    = ["medialive:DescribeChannel"]
      medialive_account = ["medialive:ListChannels", "medialive:ListInputs"]
    }
  }

  # arn:aws:ivs:<region>:<account>:channel/<id> → arn:aws:ivs:<region>:<account>:stream-key/*
  ivs_stream_key_arns = distinct([for arn in var.ivs_channel_arns : replace(arn, "/channel\\/[A-Za-z0-9]+$/", "stream-key/*")])

  table_arns = [aws_dynamodb_table.destinations.arn, aws_dynamodb_table.stream_state.arn]
  # The history table has its own, narrower grant (statement RecordDestinationHistory).
  events_table_arns = [aws_dynamodb_table.destination_events.arn]
  index_arns        = ["${aws_dynamodb_table.destinations.arn}/index/${local.by_channel_index_name}"]

  medialive_channel_arns = ["arn:${local.partition}:medialive:${local.region}:${local.account_id}:channel:*"]
  medialive_arns = concat(local.medialive_channel_arns, [
    "arn:${local.partition}:medialive:${local.region}:${local.account_id}:input:*",
  ])

  # Every policy document attached to a function's role, keyed "<function>/<concern>". The role
  # policies are created from this map and nothing else, so output.lambda_iam_statements (and the
  # least-privilege test reading it) sees exactly what the roles are granted.
  lambda_policy_documents = merge(
    { for fn in keys(local.functions) : "${fn}/logs" => data.aws_iam_policy_document.lambda_logs[fn] },
    { for fn in keys(local.functions) : "${fn}/dynamodb" => data.aws_iam_policy_document.lambda_dynamodb[fn] },
    { for fn in keys(local.functions) : "${fn}/ivs" => data.aws_iam_policy_document.lambda_ivs[fn] },
    { for fn in keys(local.engine_actions) : "${fn}/medialive" => data.aws_iam_policy_document.lambda_medialive[fn] },
    { for fn in keys(local.functions) : "${fn}/stream-keys" => data.aws_iam_policy_document.lambda_stream_keys[fn] },
    { for fn in keys(local.functions) : "${fn}/work-queue" => data.aws_iam_policy_document.lambda_work_queue[fn] },
    { "monitor/dead-letter-queue" = data.aws_iam_policy_document.monitor_dlq },
    { "monitor/consume-work-queue" = data.aws_iam_policy_document.monitor_consume_work_queue },
    { "monitor/relay-metrics" = data.aws_iam_policy_document.monitor_relay_metrics },
    { "monitor/alerts" = data.aws_iam_policy_document.monitor_alerts },
    # Pass-through relays on ECS (relay.tf), with create_relays only.
    var.create_relays ? { "monitor/relays" = data.aws_iam_policy_document.monitor_relays[0] } : {},
  )
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "lambda" {
  for_each = local.functions

  name                 = each.value.name
  description          = "${each.value.description} (${each.value.name})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

resource "aws_iam_role_policy" "lambda" {
  for_each = local.lambda_policy_documents

  name   = replace(each.key, "/", "-")
  role   = aws_iam_role.lambda[split("/", each.key)[0]].id
  policy = each.value.json
}

data "aws_iam_policy_document" "lambda_logs" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda[each.key].arn}:*"]
  }
}

data "aws_iam_policy_document" "lambda_dynamodb" {
  for_each = local.functions

  statement {
    sid       = "ReadWriteTables"
    actions   = local.lambda_actions[each.key].dynamodb_tables
    resources = local.table_arns
  }

  dynamic "statement" {
    for_each = length(local.lambda_actions[each.key].dynamodb_index) > 0 ? [1] : []
    content {
      sid       = "QueryDestinationsByChannel"
      actions   = local.lambda_actions[each.key].dynamodb_index
      resources = local.index_arns
    }
  }

  statement {
    sid       = "RecordDestinationHistory"
    actions   = local.lambda_actions[each.key].history
    resources = local.events_table_arns
  }

  # The tables are encrypted with the module's key: DynamoDB uses it on the caller's behalf,
  # so the caller needs these KMS permissions, but only through DynamoDB.
  statement {
    sid       = "UseTableKeyThroughDynamoDB"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "lambda_ivs" {
  for_each = local.functions

  statement {
    sid       = "ReadTrackedChannels"
    actions   = local.lambda_actions[each.key].ivs_channels
    resources = var.ivs_channel_arns
  }

  # ListStreams supports no resource type: "*" is the only resource IAM accepts.
  statement {
    sid       = "ListLiveStreams"
    actions   = local.lambda_actions[each.key].ivs_account
    resources = ["*"]
  }

  # The stream keys of the tracked channels' account and region: GetStreamKey takes a stream-key
  # ARN, ListStreamKeys a channel ARN and the stream-key resource type as well (service
  # authorization reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoninteractivevideoservice.html).
  # A key's ARN holds its own id, not its channel's, so no narrower pattern exists.
  dynamic "statement" {
    for_each = length(local.lambda_actions[each.key].ivs_stream_keys) > 0 && length(local.ivs_stream_key_arns) > 0 ? [1] : []
    content {
      sid       = "ReadTrackedChannelStreamKeys"
      actions   = local.lambda_actions[each.key].ivs_stream_keys
      resources = local.ivs_stream_key_arns
    }
  }
}

data "aws_iam_policy_document" "lambda_medialive" {
  for_each = local.engine_actions

  # Tag-based scoping, as AWS's service authorization reference for MediaLive documents it
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselementalmedialive.html):
  # - CreateChannel and CreateInput support aws:RequestTag/${TagKey} and aws:TagKeys; tags given
  #   with the create are authorised as medialive:CreateTags as well (listed there as a dependent
  #   action of CreateChannel), so CreateTags must be allowed for tag-on-create to work.
  # - CreateTags supports aws:RequestTag/${TagKey} and aws:TagKeys, and its channel and input
  #   resource types carry aws:ResourceTag/${TagKey}. MediaLive has no condition key that tells a
  #   tag-on-create from a CreateTags call on an existing resource (unlike ecs:CreateAction), and
  #   the reference does not say what aws:ResourceTag holds while the resource is being created.
  #
  # So: creates and tags must carry exactly this project's tag value and no tag key outside the
  # ones the code sets; CreateTags additionally may not touch a resource that already carries
  # another value of the project tag (…IfExists: a resource being created, or an untagged one, has
  # no such tag yet). What remains — tagging an existing untagged channel or input of the account
  # with this project's tag, then controlling it — is documented in docs/security.md with a
  # permissions boundary / SCP for a hard wall. test/modules/least-privilege.test.ts proves the code
  # never calls CreateTags on its own.
  statement {
    sid       = "CreateProjectTaggedInputsAndChannels"
    actions   = each.value.medialive_create
    resources = local.medialive_arns
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.project_tag_key}"
      values   = [var.project_name]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = local.medialive_tag_keys
    }
  }

  statement {
    sid       = "TagOnCreateOnly"
    actions   = ["medialive:CreateTags"]
    resources = local.medialive_arns
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.project_tag_key}"
      values   = [var.project_name]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = local.medialive_tag_keys
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/${local.project_tag_key}"
      values   = [var.project_name]
    }
  }

  # Everything that changes or deletes a resource only on inputs and channels that carry this
  # project's tag. A resource that is already gone has no tags, so AWS may answer AccessDenied
  # rather than NotFound: the MediaLive adapter confirms "gone" through ListChannels/ListInputs.
  statement {
    sid       = "ManageProjectTaggedInputsAndChannels"
    actions   = each.value.medialive_tagged
    resources = local.medialive_arns
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.project_tag_key}"
      values   = [var.project_name]
    }
  }

  # Reading a channel must not depend on tags a deleted channel no longer has (a tag-conditioned
  # DescribeChannel would turn "deleted" into AccessDenied). It reveals nothing ListChannels
  # (Resource "*", below) does not already return: ChannelSummary carries the same destinations.
  statement {
    sid       = "DescribeChannels"
    actions   = each.value.medialive_read
    resources = local.medialive_channel_arns
  }

  # MediaLive's List actions support no resource type: "*" is the only resource IAM accepts.
  statement {
    sid       = "ListChannelsAndInputs"
    actions   = each.value.medialive_account
    resources = ["*"]
  }

  # CreateChannel passes the MediaLive service role; nothing else may be passed, to nobody else.
  statement {
    sid       = "PassMediaLiveRoleToMediaLive"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.medialive.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["medialive.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "lambda_stream_keys" {
  for_each = local.functions

  # Stream keys are encrypted with the destination id as encryption context; the key is used
  # for nothing else directly (the tables use it through DynamoDB, see lambda_dynamodb).
  statement {
    sid       = "EncryptDecryptStreamKeys"
    actions   = local.lambda_actions[each.key].stream_key
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "kms:EncryptionContextKeys"
      values   = ["destinationId"]
    }
    condition {
      test     = "Null"
      variable = "kms:EncryptionContextKeys"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "lambda_work_queue" {
  for_each = local.functions

  statement {
    sid       = "SendToWorkQueue"
    actions   = local.lambda_actions[each.key].work_queue
    resources = [aws_sqs_queue.work.arn]
  }

  # The queue is encrypted with the module's key: a sender needs GenerateDataKey and Decrypt on it
  # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html),
  # but only through SQS, so this grants no Decrypt of a stream key.
  statement {
    sid       = "UseQueueKeyThroughSqs"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "monitor_consume_work_queue" {
  # Lambda's event source mapping receives and deletes the messages with the function's role.
  statement {
    sid       = "ConsumeWorkQueue"
    actions   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    resources = [aws_sqs_queue.work.arn]
  }
}

data "aws_iam_policy_document" "monitor_alerts" {
  # Alerts of failing and recovered destinations go to the alarm topic.
  statement {
    sid       = "PublishAlertsToAlarmTopic"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
  }

  # The topic is encrypted with the module's key: a publisher needs GenerateDataKey and Decrypt on
  # it (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), through SNS only.
  statement {
    sid       = "UseTopicKeyThroughSns"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }

  # The webhook URL: read from exactly the named SecureString, decrypted by SSM with the module's
  # key on the caller's behalf (through SSM only). Nothing when no parameter is named.
  dynamic "statement" {
    for_each = length(local.alert_webhook_parameter_arns) > 0 ? [1] : []
    content {
      sid       = "ReadAlertWebhookParameter"
      actions   = ["ssm:GetParameter"]
      resources = local.alert_webhook_parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.alert_webhook_parameter_arns) > 0 ? [1] : []
    content {
      sid       = "DecryptAlertWebhookParameterThroughSsm"
      actions   = ["kms:Decrypt"]
      resources = [aws_kms_key.this.arn]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
    }
  }
}

data "aws_iam_policy_document" "monitor_dlq" {
  # The Lambda service sends failed asynchronous events to the queue with the function's role.
  statement {
    sid       = "SendFailedEventsToDeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.monitor_dlq.arn]
  }
}

# --- MediaLive service role ----------------------------------------------------------------------
# The role MediaLive assumes to run the channels. Pulling a public IVS HLS URL and pushing RTMP(S)
# to YouTube, Twitch & co. need no AWS permission at all (no S3, MediaPackage, VPC network
# interfaces, or SSM parameters: the stream key travels in the channel's StreamName). What is left
# is the channel log, which MediaLive writes to the ElementalMediaLive log group when a channel
# has a log level.

data "aws_iam_policy_document" "medialive_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["medialive.amazonaws.com"]
    }
  }
  # No aws:SourceAccount / aws:SourceArn condition: AWS's MediaLive guide gives the trust policy
  # without one (https://docs.aws.amazon.com/medialive/latest/ug/complex-scenario-create-trusted-entity-role-step3.html)
  # and no MediaLive document says the service sends these keys when it assumes the role; a
  # condition on a key that is never sent would make every channel fail to start.
}

resource "aws_iam_role" "medialive" {
  name                 = "${var.project_name}-medialive"
  description          = "Assumed by MediaLive to run the ${var.project_name} restreaming channels"
  assume_role_policy   = data.aws_iam_policy_document.medialive_assume.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

data "aws_iam_policy_document" "medialive_logs" {
  statement {
    sid       = "WriteChannelLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:ElementalMediaLive:*"]
  }
}

resource "aws_iam_role_policy" "medialive_logs" {
  name   = "channel-logs"
  role   = aws_iam_role.medialive.id
  policy = data.aws_iam_policy_document.medialive_logs.json
}

# Health (lambdas/adapters/cloudwatch/relay-telemetry.ts): one batched GetMetricData per reconcile
# reads MediaLive's channel metrics and the relay tasks' embedded metrics. GetMetricData supports
# no resource type and no condition key, so "*" is the only resource IAM accepts
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
# It only reads metric values; it cannot list, write or alarm.
data "aws_iam_policy_document" "monitor_relay_metrics" {
  statement {
    sid       = "ReadRelayMetrics"
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"]
  }
}
