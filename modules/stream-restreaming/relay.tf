# Pass-through relays on ECS Fargate (create_relays): the monitor runs one task per live
# destination in mode "passthrough" (lambdas/adapters/ecs). The task copies the IVS HLS playback to
# the platform with ffmpeg -c copy; its stream key comes from an SSM SecureString parameter
# /{project}/stream-keys/{destinationId}, encrypted with the module's key, through the task
# definition's `secrets` — never through RunTask, the command, the environment, tags or logs.
# The monitor registers one task definition per destination config revision (family
# {project}-relay-{destinationId}), so Terraform creates no task definition itself.

locals {
  relay_count            = var.create_relays ? 1 : 0
  relay_family_prefix    = "${var.project_name}-relay-"
  relay_parameter_prefix = "/${var.project_name}/stream-keys/"
  relay_parameter_arns   = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.relay_parameter_prefix}*"]
  relay_family_arns      = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${local.relay_family_prefix}*"]
  relay_cluster_arn      = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.project_name}-relays"
  relay_task_arns        = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${var.project_name}-relays/*"]

  # DEFAULT_RELAY_MODE of both functions: the API gives it to a new destination that names no mode.
  default_relay_mode = coalesce(var.default_relay_mode, var.create_relays ? "passthrough" : "transcode")

  # The monitor's RELAY_* variables (lambdas/adapters/environment.ts); none without the toggle.
  # The API gets RELAY_CLUSTER_ARN alone (api_relay_environment): it offers mode "passthrough" only
  # when it is set, and answers 409 RELAY_MODE_UNAVAILABLE otherwise.
  relay_environment = var.create_relays ? {
    RELAY_CLUSTER_ARN        = aws_ecs_cluster.relays[0].arn
    RELAY_SUBNET_IDS         = join(",", var.relay_subnet_ids)
    RELAY_SECURITY_GROUP_IDS = aws_security_group.relays[0].id
    RELAY_ASSIGN_PUBLIC_IP   = tostring(var.relay_assign_public_ip)
    RELAY_IMAGE              = var.relay_image
    RELAY_EXECUTION_ROLE_ARN = aws_iam_role.relay_execution[0].arn
    RELAY_TASK_ROLE_ARN      = aws_iam_role.relay_task[0].arn
    RELAY_LOG_GROUP_NAME     = aws_cloudwatch_log_group.relays[0].name
    RELAY_TASK_CPU           = tostring(var.relay_task_cpu)
    RELAY_TASK_MEMORY        = tostring(var.relay_task_memory)
  } : {}
  api_relay_environment = var.create_relays ? { RELAY_CLUSTER_ARN = aws_ecs_cluster.relays[0].arn } : {}
}

resource "aws_ecs_cluster" "relays" {
  count = local.relay_count

  name = "${var.project_name}-relays"
  # Container Insights bills per metric; a relay's health shows in its task state and log.
  setting {
    name  = "containerInsights"
    value = "disabled"
  }
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "relays" {
  count = local.relay_count

  name              = "/${var.project_name}/relays"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

# --- Network: the subnets' VPC, an egress-only security group ------------------------------------

data "aws_subnet" "relay" {
  count = local.relay_count

  id = var.relay_subnet_ids[0]
}

resource "aws_security_group" "relays" {
  count = local.relay_count

  name        = "${var.project_name}-relays"
  description = "IVS restreaming relay tasks: no inbound, outbound TCP to IVS and the platforms"
  vpc_id      = data.aws_subnet.relay[0].vpc_id
  tags        = local.tags
}

# HLS from IVS (HTTPS 443), RTMP (1935) and RTMPS (443) to platforms, and any port a custom RTMP
# endpoint names: all TCP out, nothing in. DNS to the VPC resolver is not filtered by security groups.
resource "aws_vpc_security_group_egress_rule" "relays" {
  for_each = var.create_relays ? { ipv4 = "0.0.0.0/0", ipv6 = "::/0" } : {}

  security_group_id = aws_security_group.relays[0].id
  description       = "Relay output and source, ${each.key}"
  ip_protocol       = "tcp"
  from_port         = 1
  to_port           = 65535
  cidr_ipv4         = each.key == "ipv4" ? each.value : null
  cidr_ipv6         = each.key == "ipv6" ? each.value : null
  tags              = local.tags
}

# --- Roles: the execution role (ECS's agent) and the task role (the container) -------------------

data "aws_iam_policy_document" "relay_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    # AWS's task execution role guide recommends these keys against the confused deputy
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "relay_execution" {
  count = local.relay_count

  name                 = "${var.project_name}-relay-execution"
  description          = "ECS agent of the ${var.project_name} relay tasks: logs and the stream-key parameters"
  assume_role_policy   = data.aws_iam_policy_document.relay_assume.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

# The container calls no AWS API (ffmpeg reads public HLS and pushes RTMP): a role without policies.
resource "aws_iam_role" "relay_task" {
  count = local.relay_count

  name                 = "${var.project_name}-relay-task"
  description          = "Relay tasks of ${var.project_name}: no permissions"
  assume_role_policy   = data.aws_iam_policy_document.relay_assume.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = local.tags
}

data "aws_iam_policy_document" "relay_execution" {
  count = local.relay_count

  statement {
    sid       = "WriteRelayLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.relays[0].arn}:*"]
  }

  # ECS's agent reads the parameters named in `secrets` with ssm:GetParameters
  # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
  statement {
    sid       = "ReadStreamKeyParameters"
    actions   = ["ssm:GetParameters"]
    resources = local.relay_parameter_arns
  }

  # A SecureString is decrypted by SSM with the reader's permission, through SSM only.
  statement {
    sid       = "DecryptStreamKeyParametersThroughSsm"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "relay_execution" {
  count = local.relay_count

  name   = "relay-execution"
  role   = aws_iam_role.relay_execution[0].id
  policy = data.aws_iam_policy_document.relay_execution[0].json
}

# --- What the monitor may do with relays (attached in iam.tf as monitor/relays) -------------------
# Resource types and condition keys from the service authorization reference of ECS
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html)
# and SSM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html).

data "aws_iam_policy_document" "monitor_relays" {
  count = local.relay_count

  # One family per destination, named {project}-relay-{destinationId}. RegisterTaskDefinition
  # takes the resource type task-definition (required), so it is held to the relay families
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  statement {
    sid       = "RegisterRelayTaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition"]
    resources = local.relay_family_arns
  }

  # DeregisterTaskDefinition has no resource type and no condition key in the same reference:
  # "*" is the only resource IAM matches it against (a family ARN here would deny every call).
  # The engine deregisters only revisions of its own families (relay-engine.ts deleteSource).
  statement {
    sid       = "DeregisterRelayTaskDefinitions"
    actions   = ["ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }

  # RunTask is authorised on the task definition ("The full ARN value must match the value that
  # you specified as the Resource of the principal's permissions policy"; `family:*` or a prefix
  # wildcard covers every revision: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html);
  # the ecs:cluster condition key keeps it on the relay cluster
  # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_service-with-iam.html;
  # RunTask: resource task-definition*, condition keys include ecs:cluster, dependent action
  # iam:PassRole: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  # test/modules/least-privilege.test.ts holds every statement here to exactly this scope.
  statement {
    sid       = "RunRelayTasksOnTheRelayCluster"
    actions   = ["ecs:RunTask"]
    resources = local.relay_family_arns
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.relay_cluster_arn]
    }
  }

  # Tags given with RunTask and RegisterTaskDefinition are authorised as ecs:TagResource; the
  # ecs:CreateAction key limits it to those creates
  # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html;
  # TagResource takes task and task-definition and the keys ecs:CreateAction and
  # aws:RequestTag/${TagKey}: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  statement {
    sid       = "TagOnCreateOnly"
    actions   = ["ecs:TagResource"]
    resources = concat(local.relay_family_arns, local.relay_task_arns)
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition", "RunTask"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.project_tag_key}"
      values   = [var.project_name]
    }
  }

  # DescribeTasks and StopTask take the resource type task* (ARN task/{ClusterName}/{TaskId}), so
  # the cluster's task ARNs hold them to the relay cluster (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  statement {
    sid       = "ReadAndStopRelayTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = local.relay_task_arns
  }

  # ListTasks is authorised on container-instance* (none exist on Fargate, so "*"); its ecs:cluster
  # condition key scopes it to the relay cluster (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  statement {
    sid       = "ListRelayTasks"
    actions   = ["ecs:ListTasks"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.relay_cluster_arn]
    }
  }

  # ListTaskDefinitions supports no resource type: "*" is the only resource IAM accepts
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  statement {
    sid       = "ListRelayTaskDefinitions"
    actions   = ["ecs:ListTaskDefinitions"]
    resources = ["*"]
  }

  statement {
    sid       = "StoreStreamKeyParameters"
    actions   = ["ssm:DeleteParameter", "ssm:PutParameter"]
    resources = local.relay_parameter_arns
  }

  # PutParameter of a SecureString encrypts with the caller's permission, through SSM only.
  statement {
    sid       = "EncryptStreamKeyParametersThroughSsm"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }

  # RegisterTaskDefinition names both roles; nothing else may be passed, to nobody else.
  statement {
    sid       = "PassRelayRolesToEcsTasks"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.relay_execution[0].arn, aws_iam_role.relay_task[0].arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}
