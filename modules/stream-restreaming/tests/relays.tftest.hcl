# Pass-through relays on ECS Fargate (relay.tf), offline with the mocked provider.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name            = "acme-live"
  ivs_channel_arns        = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456"]
  api_lambda_zip_path     = "does-not-exist/lambda.zip"
  monitor_lambda_zip_path = "does-not-exist/monitor.zip"
  jwt_issuer              = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example"
  jwt_audience            = ["example-client-id"]
  admin_group             = "admins"
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_ecs_cluster.relays) == 0 && length(aws_iam_role.relay_execution) == 0 && length(aws_security_group.relays) == 0
    error_message = "Without create_relays there is no cluster, role or security group."
  }
  assert {
    condition     = length([for k in keys(aws_lambda_function.this["monitor"].environment[0].variables) : k if startswith(k, "RELAY_")]) == 0
    error_message = "Without create_relays the monitor gets no RELAY_* variable (pass-through is not offered)."
  }
  assert {
    condition     = !contains(keys(aws_iam_role_policy.lambda), "monitor/relays")
    error_message = "Without create_relays the monitor may not touch ECS or SSM."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.environment[0].variables.DEFAULT_RELAY_MODE == "transcode"]) && !contains(keys(aws_lambda_function.this["api"].environment[0].variables), "RELAY_CLUSTER_ARN")
    error_message = "Without create_relays new destinations transcode, and the API does not offer passthrough."
  }
  assert {
    condition     = output.relay_modes.offered == tolist(["transcode"]) && output.relay_modes.default == "transcode"
    error_message = "Without create_relays the admin UI offers transcode only."
  }
  assert {
    condition     = !contains(keys(aws_cloudwatch_event_rule.this), "ecs_task_state") && !contains(keys(aws_cloudwatch_event_target.this), "ecs_task_state") && !contains(keys(aws_lambda_permission.events), "ecs_task_state")
    error_message = "Without create_relays there is no ECS task state rule, target or permission."
  }
}

run "passthrough_default_needs_relays" {
  command = plan
  variables {
    default_relay_mode = "passthrough"
  }
  expect_failures = [var.default_relay_mode]
}

run "refuses_an_unknown_default_mode" {
  command = plan
  variables {
    default_relay_mode = "copy"
  }
  expect_failures = [var.default_relay_mode]
}

run "needs_subnets" {
  command = plan
  variables {
    create_relays = true
  }
  expect_failures = [var.relay_subnet_ids]
}

run "refuses_a_memory_size_the_cpu_does_not_take" {
  command = plan
  variables {
    relay_task_cpu    = 256
    relay_task_memory = 4096
  }
  expect_failures = [var.relay_task_memory]
}

run "cluster_network_logs_and_environment" {
  command = plan
  variables {
    create_relays      = true
    relay_subnet_ids   = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    log_retention_days = 14
  }

  assert {
    condition     = aws_ecs_cluster.relays[0].name == "acme-live-relays"
    error_message = "The cluster is {project_name}-relays."
  }
  assert {
    condition     = aws_cloudwatch_log_group.relays[0].retention_in_days == 14
    error_message = "The relay log group keeps logs for log_retention_days."
  }
  assert {
    condition     = length(aws_security_group.relays[0].ingress) == 0 && toset(keys(aws_vpc_security_group_egress_rule.relays)) == toset(["ipv4", "ipv6"]) && aws_security_group.relays[0].vpc_id == "vpc-0123456789abcdef0"
    error_message = "The security group is egress-only, in the subnets' VPC."
  }
  assert {
    condition = {
      for k, v in aws_lambda_function.this["monitor"].environment[0].variables : k => v if startswith(k, "RELAY_")
      } == {
      RELAY_CLUSTER_ARN        = "arn:aws:ecs:eu-central-1:123456789012:cluster/mocked-relays"
      RELAY_SUBNET_IDS         = "subnet-0a1b2c3d,subnet-4e5f6a7b"
      RELAY_SECURITY_GROUP_IDS = "sg-0123456789abcdef0"
      RELAY_ASSIGN_PUBLIC_IP   = "true"
      RELAY_IMAGE              = "lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76"
      RELAY_EXECUTION_ROLE_ARN = "arn:aws:iam::123456789012:role/mocked"
      RELAY_TASK_ROLE_ARN      = "arn:aws:iam::123456789012:role/mocked"
      RELAY_LOG_GROUP_NAME     = "/acme-live/relays"
      RELAY_TASK_CPU           = "256"
      RELAY_TASK_MEMORY        = "512"
    }
    error_message = "The monitor gets every RELAY_* variable of lambdas/adapters/environment.ts."
  }
  assert {
    condition     = length([for k in keys(aws_lambda_function.this["api"].environment[0].variables) : k if startswith(k, "RELAY_") && k != "RELAY_CLUSTER_ARN"]) == 0
    error_message = "The API runs no relay: it gets no relay settings."
  }
  assert {
    condition     = aws_lambda_function.this["api"].environment[0].variables.RELAY_CLUSTER_ARN == aws_ecs_cluster.relays[0].arn
    error_message = "The API gets RELAY_CLUSTER_ARN: it offers passthrough."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.environment[0].variables.DEFAULT_RELAY_MODE == "passthrough"]) && output.relay_modes.default == "passthrough" && length(output.relay_modes.offered) == 2
    error_message = "With create_relays new destinations default to passthrough."
  }
  # ECS Task State Change events of the relay cluster only reach the monitor
  # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html).
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ecs_task_state"].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Task State Change"]
      detail        = { clusterArn = ["arn:aws:ecs:eu-central-1:123456789012:cluster/mocked-relays"] }
    } && aws_cloudwatch_event_rule.this["ecs_task_state"].name == "acme-live-ecs-task-state"
    error_message = "The ECS rule matches the task state changes of the relay cluster."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["ecs_task_state"].arn == aws_lambda_function.this["monitor"].arn && aws_cloudwatch_event_target.this["ecs_task_state"].rule == "acme-live-ecs-task-state"
    error_message = "The ECS rule targets the monitor."
  }
  assert {
    condition     = aws_lambda_permission.events["ecs_task_state"].statement_id == "AllowEcsTaskStateEvents" && aws_lambda_permission.events["ecs_task_state"].principal == "events.amazonaws.com" && aws_lambda_permission.events["ecs_task_state"].function_name == "acme-live-stream-monitor"
    error_message = "EventBridge may invoke the monitor for the ECS rule."
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.this) == 5
    error_message = "With create_relays the ECS rule comes on top of the four others."
  }
}

run "iam_is_scoped_to_the_cluster_families_parameters_and_roles" {
  command = plan
  variables {
    create_relays    = true
    relay_subnet_ids = ["subnet-0a1b2c3d"]
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.monitor_relays[0].statement : alltrue([
        for r in s.resources : r == "*" || startswith(r, "arn:aws:ecs:eu-central-1:123456789012:task-definition/acme-live-relay-") || startswith(r, "arn:aws:ecs:eu-central-1:123456789012:task/acme-live-relays/") || startswith(r, "arn:aws:ssm:eu-central-1:123456789012:parameter/acme-live/stream-keys/") || r == aws_kms_key.this.arn || r == "arn:aws:iam::123456789012:role/mocked"
      ])
    ])
    error_message = "The monitor's relay permissions name only the relay families, tasks, parameters, the module key and the two roles."
  }
  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.monitor_relays[0].statement : anytrue([for c in s.condition : c.variable == "ecs:cluster"])
      if contains(s.resources, "*") && !contains(["ListRelayTaskDefinitions", "DeregisterRelayTaskDefinitions"], s.sid)
    ])
    error_message = "A relay statement on \"*\" is held to the relay cluster (ecs:cluster), except ListTaskDefinitions and DeregisterTaskDefinition, which have no resource type."
  }
  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.monitor_relays[0].statement : s.resources == toset(["*"]) && length(s.condition) == 0
      if contains(s.actions, "ecs:DeregisterTaskDefinition")
    ])
    error_message = "DeregisterTaskDefinition has no resource type: only \"*\" matches it (a family ARN would deny every call)."
  }
  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.monitor_relays[0].statement :
      s.resources == toset([aws_iam_role.relay_execution[0].arn, aws_iam_role.relay_task[0].arn]) && length(s.condition) == 1 && anytrue([
        for c in s.condition : c.test == "StringEquals" && c.variable == "iam:PassedToService" && c.values == tolist(["ecs-tasks.amazonaws.com"])
      ])
      if contains(s.actions, "iam:PassRole")
    ])
    error_message = "The relay roles are passed to ECS tasks only."
  }
  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.relay_execution[0].statement : s.actions])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParameters", "kms:Decrypt",
    ])
    error_message = "The execution role writes the relay logs and reads (and decrypts) the stream-key parameters, nothing else."
  }
  assert {
    condition     = contains(keys(aws_iam_role_policy.lambda), "monitor/relays") && !contains(keys(aws_iam_role_policy.lambda), "api/relays")
    error_message = "Only the monitor gets the relay permissions."
  }
}
