# Offline plan tests: the AWS provider is mocked; values that only exist after an apply (ARNs,
# ids) come from the mock_resource defaults below, during the plan (override_during).

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name            = "acme-live"
  ivs_channel_arns        = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456", "arn:aws:ivs:eu-central-1:123456789012:channel/ZyXwVu987654"]
  api_lambda_zip_path     = "does-not-exist/lambda.zip"
  monitor_lambda_zip_path = "does-not-exist/monitor.zip"
  jwt_issuer              = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example"
  jwt_audience            = ["example-client-id"]
  admin_group             = "admins"
  admin_scope             = "acme-live-api/admin"
  cors_allow_origins      = ["https://admin.example.com"]
}

run "names_tables_and_key" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.destinations.name == "acme-live-streaming-destinations" && aws_dynamodb_table.stream_state.name == "acme-live-stream-state"
    error_message = "Table names must be {project_name}-streaming-destinations and {project_name}-stream-state."
  }
  assert {
    condition     = aws_lambda_function.this["api"].function_name == "acme-live-stream-restreaming" && aws_lambda_function.this["monitor"].function_name == "acme-live-stream-monitor"
    error_message = "Function names must be {project_name}-stream-restreaming and {project_name}-stream-monitor."
  }
  assert {
    condition     = aws_iam_role.lambda["api"].name == "acme-live-stream-restreaming" && aws_iam_role.lambda["monitor"].name == "acme-live-stream-monitor" && aws_iam_role.medialive.name == "acme-live-medialive"
    error_message = "Role names must derive from project_name."
  }
  assert {
    condition     = aws_apigatewayv2_api.this.name == "acme-live-stream-restreaming" && aws_sns_topic.alarms.name == "acme-live-restreaming-alarms" && aws_sqs_queue.monitor_dlq.name == "acme-live-stream-monitor-dlq"
    error_message = "API, topic and queue names must derive from project_name."
  }
  assert {
    condition     = aws_dynamodb_table.destinations.hash_key == "id" && aws_dynamodb_table.stream_state.hash_key == "id" && one([for a in aws_dynamodb_table.destinations.attribute : a.type if a.name == "id"]) == "S"
    error_message = "Both tables are keyed by the string attribute id."
  }
  assert {
    condition = anytrue([
      for g in aws_dynamodb_table.destinations.global_secondary_index :
      g.name == "byChannel" && g.hash_key == "channelArn" && g.projection_type == "ALL"
    ]) && one([for a in aws_dynamodb_table.destinations.attribute : a.type if a.name == "channelArn"]) == "S"
    error_message = "The destinations table needs the GSI byChannel on the string attribute channelArn, projecting ALL."
  }
  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.destinations, aws_dynamodb_table.stream_state, aws_dynamodb_table.destination_events] : t.point_in_time_recovery[0].enabled])
    error_message = "Point-in-time recovery must be on for every table."
  }
  assert {
    condition = alltrue([
      for t in [aws_dynamodb_table.destinations, aws_dynamodb_table.stream_state, aws_dynamodb_table.destination_events] :
      t.server_side_encryption[0].enabled && t.server_side_encryption[0].kms_key_arn == aws_kms_key.this.arn
    ])
    error_message = "Every table must be encrypted with the module's customer-managed key."
  }
  assert {
    condition     = aws_dynamodb_table.destinations.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.stream_state.billing_mode == "PAY_PER_REQUEST"
    error_message = "Both tables are on-demand."
  }
  assert {
    condition     = aws_dynamodb_table.destinations.deletion_protection_enabled && aws_dynamodb_table.stream_state.deletion_protection_enabled
    error_message = "Deletion protection defaults to on."
  }
  assert {
    condition = (
      aws_dynamodb_table.destination_events.name == "acme-live-destination-events" &&
      aws_dynamodb_table.destination_events.billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.destination_events.deletion_protection_enabled &&
      aws_dynamodb_table.destination_events.ttl[0].enabled &&
      aws_dynamodb_table.destination_events.ttl[0].attribute_name == "expiresAt"
    )
    error_message = "The history table is {project_name}-destination-events, on-demand, protected, and expires items by TTL on expiresAt."
  }
  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The customer-managed key must rotate."
  }
}

run "private_rtmp_targets_are_refused_unless_allowed" {
  command = plan

  variables {
    allow_private_rtmp_targets = true
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.environment[0].variables.ALLOW_PRIVATE_RTMP_TARGETS == "true"])
    error_message = "allow_private_rtmp_targets = true reaches the functions as ALLOW_PRIVATE_RTMP_TARGETS=true (the default, false, is asserted with the contract)."
  }
}

run "prices_reach_the_api_function_only" {
  command = plan

  variables {
    prices = { mediaLiveInputPerHour = 0.25, dataTransferOutPerGb = 0.085 }
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["api"].environment[0].variables.PRICES) == { mediaLiveInputPerHour = 0.25, dataTransferOutPerGb = 0.085 }
    error_message = "prices reach the API function as PRICES, JSON."
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this["monitor"].environment[0].variables), "PRICES")
    error_message = "The monitor reports no cost and gets no PRICES."
  }
}

run "prices_refuse_unknown_names" {
  command = plan

  variables {
    prices = { medialiveInputPerHour = 0.25 }
  }

  expect_failures = [var.prices]
}

run "lambdas_match_the_environment_contract" {
  command = plan

  assert {
    condition = alltrue([
      for f in aws_lambda_function.this :
      f.runtime == "nodejs22.x" && f.architectures == tolist(["arm64"]) && f.handler == "handler.handler"
    ])
    error_message = "Both functions run handler.handler on nodejs22.x, arm64."
  }
  assert {
    condition     = aws_lambda_function.this["api"].filename == "does-not-exist/lambda.zip" && aws_lambda_function.this["monitor"].filename == "does-not-exist/monitor.zip"
    error_message = "The zip paths come from the variables."
  }
  assert {
    condition = alltrue([
      for f in aws_lambda_function.this :
      length(setsubtract(
        ["DESTINATIONS_TABLE", "STREAM_STATE_TABLE", "DESTINATION_EVENTS_TABLE", "MEDIALIVE_ROLE_ARN", "PROJECT_NAME", "IVS_CHANNEL_ARNS", "STOP_GRACE_SECONDS", "STREAM_KEY_KMS_KEY_ID", "CORS_ALLOW_ORIGINS", "ALLOW_PRIVATE_RTMP_TARGETS", "DEFAULT_RELAY_MODE"],
        keys(f.environment[0].variables)
      )) == 0
    ])
    error_message = "Every variable of the environment contract (lambdas/adapters/environment.ts) must be set."
  }
  assert {
    condition = alltrue([
      for f in aws_lambda_function.this :
      length(setsubtract(
        keys(f.environment[0].variables),
        ["DESTINATIONS_TABLE", "STREAM_STATE_TABLE", "DESTINATION_EVENTS_TABLE", "MEDIALIVE_ROLE_ARN", "PROJECT_NAME", "IVS_CHANNEL_ARNS", "STOP_GRACE_SECONDS", "STREAM_KEY_KMS_KEY_ID", "CORS_ALLOW_ORIGINS", "ADMIN_GROUP", "ADMIN_SCOPE", "ALLOW_PRIVATE_RTMP_TARGETS", "DEFAULT_RELAY_MODE", "WORK_QUEUE_URL", "ALERT_TOPIC_ARN", "ALERT_WEBHOOK_PARAMETER", "IDLE_CHANNEL_TTL_SECONDS", "PRICES", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "NODE_OPTIONS"]
      )) == 0
    ])
    error_message = "The functions get no variable outside the contract (plus Powertools and NODE_OPTIONS)."
  }
  assert {
    condition = (
      aws_lambda_function.this["api"].environment[0].variables.ADMIN_GROUP == "admins" &&
      !contains(keys(aws_lambda_function.this["api"].environment[0].variables), "ADMIN_SCOPE") &&
      length(setintersection(keys(aws_lambda_function.this["monitor"].environment[0].variables), ["ADMIN_GROUP", "ADMIN_SCOPE"])) == 0
    )
    error_message = "With a group configured the API function checks the group (ADMIN_GROUP) and not the scope, which every Cognito user of the client gets; the monitor serves no caller and gets neither."
  }
  assert {
    condition = alltrue([
      for f in aws_lambda_function.this : (
        f.environment[0].variables.DESTINATIONS_TABLE == "acme-live-streaming-destinations" &&
        f.environment[0].variables.STREAM_STATE_TABLE == "acme-live-stream-state" &&
        f.environment[0].variables.DESTINATION_EVENTS_TABLE == "acme-live-destination-events" &&
        f.environment[0].variables.MEDIALIVE_ROLE_ARN == aws_iam_role.medialive.arn &&
        f.environment[0].variables.PROJECT_NAME == "acme-live" &&
        f.environment[0].variables.IVS_CHANNEL_ARNS == "arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456,arn:aws:ivs:eu-central-1:123456789012:channel/ZyXwVu987654" &&
        f.environment[0].variables.STOP_GRACE_SECONDS == "120" &&
        f.environment[0].variables.STREAM_KEY_KMS_KEY_ID == aws_kms_key.this.arn &&
        f.environment[0].variables.CORS_ALLOW_ORIGINS == "https://admin.example.com" &&
        f.environment[0].variables.ALLOW_PRIVATE_RTMP_TARGETS == "false" &&
        f.environment[0].variables.POWERTOOLS_SERVICE_NAME == f.function_name &&
        f.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "IvsRestreaming"
      )
    ])
    error_message = "The environment values must match the contract: table names, role and key ARNs, comma-separated channels and origins, grace 120."
  }
  assert {
    condition = alltrue([
      for k, f in aws_lambda_function.this :
      aws_cloudwatch_log_group.lambda[k].name == "/aws/lambda/${f.function_name}" && aws_cloudwatch_log_group.lambda[k].retention_in_days == 30
    ]) && aws_cloudwatch_log_group.api_access.retention_in_days == 30 && aws_cloudwatch_log_group.medialive["ElementalMediaLive"].retention_in_days == 30
    error_message = "Each function logs to /aws/lambda/<name>; every log group, MediaLive's ElementalMediaLive included, keeps logs for log_retention_days (30)."
  }
  assert {
    condition = (
      aws_lambda_function.this["monitor"].environment[0].variables.IDLE_CHANNEL_TTL_SECONDS == "600" &&
      !contains(keys(aws_lambda_function.this["api"].environment[0].variables), "IDLE_CHANNEL_TTL_SECONDS")
    )
    error_message = "The monitor gets IDLE_CHANNEL_TTL_SECONDS (default 600); the API, which deletes no channel, does not."
  }
  assert {
    condition     = aws_lambda_function.this["monitor"].dead_letter_config[0].target_arn == aws_sqs_queue.monitor_dlq.arn && length(aws_lambda_function.this["api"].dead_letter_config) == 0
    error_message = "Failed asynchronous monitor invocations go to the dead-letter queue."
  }
  assert {
    condition     = aws_sqs_queue.monitor_dlq.sqs_managed_sse_enabled
    error_message = "The dead-letter queue must be encrypted."
  }
}

run "log_retention_follows_the_variable" {
  command = plan

  variables {
    log_retention_days = 90
  }

  assert {
    condition     = alltrue([for g in concat(values(aws_cloudwatch_log_group.lambda), [aws_cloudwatch_log_group.api_access]) : g.retention_in_days == 90])
    error_message = "All log groups take log_retention_days."
  }
}

run "events_trigger_the_monitor" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.this["schedule"].schedule_expression == "rate(1 minute)"
    error_message = "The reconcile schedule defaults to rate(1 minute)."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ivs_stream_state"].event_pattern) == {
      source        = ["aws.ivs"]
      "detail-type" = ["IVS Stream State Change"]
      resources     = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456", "arn:aws:ivs:eu-central-1:123456789012:channel/ZyXwVu987654"]
    }
    error_message = "The IVS rule matches aws.ivs / IVS Stream State Change of the tracked channels only."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["schedule"].arn == aws_lambda_function.this["monitor"].arn && aws_cloudwatch_event_target.this["ivs_stream_state"].arn == aws_lambda_function.this["monitor"].arn
    error_message = "Both rules target the monitor function."
  }
  assert {
    condition = (
      aws_lambda_permission.events["schedule"].principal == "events.amazonaws.com" && aws_lambda_permission.events["schedule"].source_arn == aws_cloudwatch_event_rule.this["schedule"].arn &&
      aws_lambda_permission.events["ivs_stream_state"].principal == "events.amazonaws.com" && aws_lambda_permission.events["ivs_stream_state"].source_arn == aws_cloudwatch_event_rule.this["ivs_stream_state"].arn
    )
    error_message = "EventBridge may invoke the monitor only from the two rules."
  }
}

# events.tf writes the rules as one map (for_each) with moved blocks from the addresses they had
# when each was its own resource. Everything EventBridge and Lambda see stays as it was: the rule
# names, descriptions, patterns, retry policies and permission statement ids below are those of
# the resources before the map.
run "event_rules_keep_their_names_patterns_retries_and_permissions" {
  command = plan

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ivs_stream_state", "medialive_channel_alert", "medialive_channel_state", "schedule"]
    error_message = "Without relays there are exactly the four rules of before."
  }
  assert {
    condition = { for k, r in aws_cloudwatch_event_rule.this : k => [r.name, r.description] } == {
      schedule                = ["acme-live-reconcile-schedule", "Full reconcile of every tracked IVS channel"]
      ivs_stream_state        = ["acme-live-ivs-stream-state", "IVS stream start/end of the tracked channels"]
      medialive_channel_state = ["acme-live-medialive-channel-state", "MediaLive channel state changes (the monitor reconciles this project's)"]
      medialive_channel_alert = ["acme-live-medialive-channel-alert", "MediaLive channel alerts set and cleared (the monitor records this project's)"]
    }
    error_message = "Rule names and descriptions are those of before (a new name would replace the rule)."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["schedule"].event_pattern == null && alltrue([for k, r in aws_cloudwatch_event_rule.this : r.schedule_expression == null if k != "schedule"])
    error_message = "Only the schedule has a schedule expression, and it has no event pattern."
  }
  assert {
    condition = { for k, t in aws_cloudwatch_event_target.this : k => [t.rule, t.arn, t.retry_policy[0].maximum_event_age_in_seconds, t.retry_policy[0].maximum_retry_attempts] } == {
      schedule                = ["acme-live-reconcile-schedule", aws_lambda_function.this["monitor"].arn, 300, 3]
      ivs_stream_state        = ["acme-live-ivs-stream-state", aws_lambda_function.this["monitor"].arn, 600, 5]
      medialive_channel_state = ["acme-live-medialive-channel-state", aws_lambda_function.this["monitor"].arn, 300, 3]
      medialive_channel_alert = ["acme-live-medialive-channel-alert", aws_lambda_function.this["monitor"].arn, 300, 3]
    }
    error_message = "Every rule targets the monitor with the retry policy of before."
  }
  assert {
    condition = { for k, p in aws_lambda_permission.events : k => [p.statement_id, p.action, p.principal, p.function_name] } == {
      schedule                = ["AllowReconcileSchedule", "lambda:InvokeFunction", "events.amazonaws.com", "acme-live-stream-monitor"]
      ivs_stream_state        = ["AllowIvsStreamStateEvents", "lambda:InvokeFunction", "events.amazonaws.com", "acme-live-stream-monitor"]
      medialive_channel_state = ["AllowMediaLiveChannelStateEvents", "lambda:InvokeFunction", "events.amazonaws.com", "acme-live-stream-monitor"]
      medialive_channel_alert = ["AllowMediaLiveChannelAlertEvents", "lambda:InvokeFunction", "events.amazonaws.com", "acme-live-stream-monitor"]
    }
    error_message = "The invoke permissions keep their statement ids (a new id would replace the permission)."
  }
}

run "schedule_accepts_valid_expressions" {
  command = plan

  variables {
    reconcile_schedule_expression = "rate(5 minutes)"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this["schedule"].schedule_expression == "rate(5 minutes)"
    error_message = "rate(5 minutes) is a valid schedule."
  }
}

run "schedule_accepts_cron" {
  command = plan

  variables {
    reconcile_schedule_expression = "cron(0/2 * * * ? *)"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this["schedule"].schedule_expression == "cron(0/2 * * * ? *)"
    error_message = "A six-field cron expression is a valid schedule."
  }
}

run "schedule_rejects_seconds" {
  command = plan
  variables {
    reconcile_schedule_expression = "rate(30 seconds)"
  }
  expect_failures = [var.reconcile_schedule_expression]
}

run "schedule_rejects_plural_unit_for_one" {
  command = plan
  variables {
    reconcile_schedule_expression = "rate(1 minutes)"
  }
  expect_failures = [var.reconcile_schedule_expression]
}

run "schedule_rejects_singular_unit_for_many" {
  command = plan
  variables {
    reconcile_schedule_expression = "rate(5 minute)"
  }
  expect_failures = [var.reconcile_schedule_expression]
}

run "idle_channel_ttl_rejects_more_than_a_day" {
  command = plan
  variables {
    idle_channel_ttl_seconds = 86401
  }
  expect_failures = [var.idle_channel_ttl_seconds]
}

run "idle_channel_ttl_rejects_negative_values" {
  command = plan
  variables {
    idle_channel_ttl_seconds = -1
  }
  expect_failures = [var.idle_channel_ttl_seconds]
}

run "every_route_has_the_jwt_authorizer" {
  command = plan

  assert {
    condition = toset(keys(aws_apigatewayv2_route.this)) == toset([
      "GET /stream-destinations",
      "POST /stream-destinations",
      "GET /stream-destinations/{id}",
      "PUT /stream-destinations/{id}",
      "DELETE /stream-destinations/{id}",
      "POST /stream-destinations/{id}/start",
      "POST /stream-destinations/{id}/stop",
      "GET /stream-destinations/{id}/events",
      "GET /stream-status",
      "GET /channels/{channelId}",
      "GET /channels/{channelId}/stream-key",
      "POST /channels/{channelId}/end-grace",
      "GET /costs",
    ])
    error_message = "The API has exactly the routes of the API contract."
  }
  assert {
    condition = alltrue([
      for r in aws_apigatewayv2_route.this :
      r.authorization_type == "JWT" && r.authorizer_id == aws_apigatewayv2_authorizer.jwt["jwt"].id && r.target == "integrations/${aws_apigatewayv2_integration.this.id}"
    ])
    error_message = "Every route must use the JWT authorizer and the Lambda integration."
  }
  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_scopes == toset(["acme-live-api/admin"])])
    error_message = "Every route requires the admin scope, so only access tokens carrying it get through (ID tokens have no scope)."
  }
  assert {
    condition = (
      aws_apigatewayv2_route.preflight.route_key == "OPTIONS /{proxy+}" && aws_apigatewayv2_route.preflight.authorization_type == "NONE" &&
      aws_apigatewayv2_route.preflight.target == "integrations/${aws_apigatewayv2_integration.this.id}"
    )
    error_message = "CORS preflight requests (sent without a token) reach the function, which answers them."
  }
  assert {
    condition = (
      aws_apigatewayv2_route.openapi.route_key == "GET /openapi.json" && aws_apigatewayv2_route.openapi.authorization_type == "NONE" &&
      aws_apigatewayv2_route.openapi.target == "integrations/${aws_apigatewayv2_integration.this.id}"
    )
    error_message = "The OpenAPI document is public and served by the function."
  }
  assert {
    condition = (
      aws_apigatewayv2_authorizer.jwt["jwt"].jwt_configuration[0].issuer == "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example" &&
      aws_apigatewayv2_authorizer.jwt["jwt"].jwt_configuration[0].audience == toset(["example-client-id"])
    )
    error_message = "The authorizer takes its issuer and audience from the variables."
  }
  assert {
    condition     = aws_apigatewayv2_integration.this.payload_format_version == "2.0" && aws_apigatewayv2_integration.this.integration_type == "AWS_PROXY"
    error_message = "The API uses a Lambda proxy integration with payload format 2.0."
  }
  assert {
    condition     = length(aws_apigatewayv2_api.this.cors_configuration) == 0 && aws_lambda_function.this["api"].environment[0].variables.CORS_ALLOW_ORIGINS == "https://admin.example.com"
    error_message = "CORS is answered by the API function for the admin site's origin only; API Gateway's own CORS would ignore the function's headers and make the API depend on the site's URL."
  }
  assert {
    condition = (
      aws_apigatewayv2_stage.this.name == "$default" && aws_apigatewayv2_stage.this.auto_deploy &&
      aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.api_access.arn &&
      aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 50 &&
      aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 20
    )
    error_message = "The $default stage deploys automatically, logs access and throttles."
  }
}

run "api_auth_none_is_explicit" {
  command = plan

  variables {
    api_auth                        = "none"
    acknowledge_unauthenticated_api = true
    jwt_issuer                      = null
    jwt_audience                    = []
  }

  assert {
    condition     = length(aws_apigatewayv2_authorizer.jwt) == 0 && alltrue([for r in aws_apigatewayv2_route.this : r.authorization_type == "NONE"])
    error_message = "api_auth = \"none\" plans no authorizer."
  }
  assert {
    condition     = length(setintersection(keys(aws_lambda_function.this["api"].environment[0].variables), ["ADMIN_GROUP", "ADMIN_SCOPE"])) == 0
    error_message = "Without JWT auth there are no claims to check: the API function gets no ADMIN_GROUP / ADMIN_SCOPE."
  }
}

run "api_auth_none_needs_the_acknowledgement" {
  command = plan
  variables {
    api_auth     = "none"
    jwt_issuer   = null
    jwt_audience = []
  }
  expect_failures = [var.api_auth]
}

run "api_auth_rejects_unknown_values" {
  command = plan
  variables {
    api_auth = "iam"
  }
  expect_failures = [var.api_auth]
}

run "jwt_auth_requires_an_admin_scope_or_group" {
  command = plan
  variables {
    admin_group = null
    admin_scope = null
  }
  expect_failures = [var.admin_scope]
}

run "jwt_auth_with_a_scope_only_checks_the_scope_twice" {
  command = plan
  variables {
    admin_group = null
  }
  assert {
    condition     = aws_lambda_function.this["api"].environment[0].variables.ADMIN_SCOPE == "acme-live-api/admin" && !contains(keys(aws_lambda_function.this["api"].environment[0].variables), "ADMIN_GROUP")
    error_message = "Without a group (an external issuer) the API function checks the scope (ADMIN_SCOPE)."
  }
  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_scopes == toset(["acme-live-api/admin"])])
    error_message = "The authorizer requires the scope."
  }
}

run "jwt_auth_with_a_group_only_checks_no_scope_at_the_gateway" {
  command = plan
  variables {
    admin_scope = null
  }
  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_scopes == null || length(coalesce(r.authorization_scopes, [])) == 0])
    error_message = "Without admin_scope the routes require no scope."
  }
  assert {
    condition     = aws_lambda_function.this["api"].environment[0].variables.ADMIN_GROUP == "admins" && !contains(keys(aws_lambda_function.this["api"].environment[0].variables), "ADMIN_SCOPE")
    error_message = "Only the configured check reaches the API function."
  }
}

run "jwt_auth_requires_an_issuer" {
  command = plan
  variables {
    jwt_issuer = null
  }
  expect_failures = [var.jwt_issuer]
}

run "iam_is_scoped" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for d in concat(
        values(local.lambda_policy_documents),
        [data.aws_iam_policy_document.medialive_logs, data.aws_iam_policy_document.lambda_assume, data.aws_iam_policy_document.medialive_assume],
      ) : [for s in d.statement : [for a in s.actions : a != "*" && !endswith(a, ":*")]]
    ]))
    error_message = "No IAM statement may allow Action \"*\" or a whole service."
  }
  assert {
    condition     = alltrue(flatten([for d in values(local.lambda_policy_documents) : [for s in d.statement : length(s.actions) > 0]]))
    error_message = "No function policy statement may be empty."
  }
  assert {
    condition = alltrue([
      for fn in ["monitor"] : anytrue([
        for s in data.aws_iam_policy_document.lambda_medialive[fn].statement :
        s.actions == toset(["iam:PassRole"]) && s.resources == toset([aws_iam_role.medialive.arn]) && anytrue([
          for c in s.condition : c.test == "StringEquals" && c.variable == "iam:PassedToService" && c.values == tolist(["medialive.amazonaws.com"])
        ])
      ])
    ])
    error_message = "iam:PassRole is allowed on the MediaLive role only, with iam:PassedToService = medialive.amazonaws.com."
  }
  assert {
    condition = alltrue(flatten([
      for d in values(local.lambda_policy_documents) : [
        for s in d.statement : s.resources != toset(["*"]) || contains(["ListLiveStreams", "ListChannelsAndInputs", "ReadRelayMetrics"], s.sid)
      ]
    ]))
    error_message = "Resource \"*\" only for the List actions and GetMetricData, which support no resource type."
  }
  assert {
    condition = alltrue(flatten([
      for fn in ["monitor"] : [
        for s in data.aws_iam_policy_document.lambda_medialive[fn].statement : anytrue([
          for c in s.condition : c.values == tolist(["acme-live"]) && contains(["aws:RequestTag/ivs-restreaming:project", "aws:ResourceTag/ivs-restreaming:project"], c.variable)
        ]) if anytrue([for a in s.actions : startswith(a, "medialive:") && !startswith(a, "medialive:List") && a != "medialive:DescribeChannel"])
      ]
    ]))
    error_message = "Every MediaLive action except List* and DescribeChannel must be conditioned on the ivs-restreaming:project tag."
  }
  assert {
    condition = alltrue([
      for fn in ["monitor"] : alltrue([
        for s in data.aws_iam_policy_document.lambda_medialive[fn].statement : (
          s.sid == "DescribeChannels" && s.actions == toset(["medialive:DescribeChannel"]) && length(s.condition) == 0 &&
          s.resources == toset(["arn:aws:medialive:eu-central-1:123456789012:channel:*"])
        ) if contains(s.actions, "medialive:DescribeChannel")
      ])
    ])
    error_message = "DescribeChannel does not depend on tags (a deleted channel has none; ListChannels already shows the same), on this account's channels only."
  }
  assert {
    condition = alltrue([
      for fn in ["monitor"] : alltrue([
        for s in data.aws_iam_policy_document.lambda_medialive[fn].statement : (
          s.actions == toset(["medialive:CreateTags"]) &&
          anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "aws:RequestTag/ivs-restreaming:project" && c.values == tolist(["acme-live"])]) &&
          anytrue([for c in s.condition : c.test == "ForAllValues:StringEquals" && c.variable == "aws:TagKeys" && toset(c.values) == toset(["ivs-restreaming:project", "ivs-restreaming:destination-id", "ivs-restreaming:config-revision"])]) &&
          anytrue([for c in s.condition : c.test == "StringEqualsIfExists" && c.variable == "aws:ResourceTag/ivs-restreaming:project" && c.values == tolist(["acme-live"])])
        ) if contains(s.actions, "medialive:CreateTags")
      ])
    ])
    error_message = "medialive:CreateTags stands alone, needs this project's tag in the request, only the code's tag keys, and never touches a resource tagged for another project."
  }
  assert {
    condition = alltrue([
      for fn in ["monitor"] : alltrue([
        for s in data.aws_iam_policy_document.lambda_medialive[fn].statement :
        anytrue([for c in s.condition : c.test == "ForAllValues:StringEquals" && c.variable == "aws:TagKeys"])
        if length(setintersection(s.actions, ["medialive:CreateChannel", "medialive:CreateInput"])) > 0
      ])
    ])
    error_message = "CreateChannel and CreateInput accept only the code's tag keys."
  }
  assert {
    condition = alltrue([
      for fn in ["api", "monitor"] : alltrue([
        for s in data.aws_iam_policy_document.lambda_stream_keys[fn].statement :
        s.resources == toset([aws_kms_key.this.arn]) && anytrue([for c in s.condition : c.variable == "kms:EncryptionContextKeys" && c.values == tolist(["destinationId"])])
      ])
    ])
    error_message = "Stream keys are encrypted and decrypted with the module key and the destinationId encryption context only."
  }
  assert {
    condition = (
      [for s in data.aws_iam_policy_document.lambda_ivs["api"].statement : s.resources if s.sid == "ReadTrackedChannelStreamKeys"] ==
      [toset(["arn:aws:ivs:eu-central-1:123456789012:stream-key/*"])] &&
      length([for s in data.aws_iam_policy_document.lambda_ivs["monitor"].statement : s if s.sid == "ReadTrackedChannelStreamKeys"]) == 0 &&
      alltrue([for s in data.aws_iam_policy_document.lambda_ivs["monitor"].statement : !contains(tolist(s.actions), "ivs:GetStreamKey") && !contains(tolist(s.actions), "ivs:ListStreamKeys")])
    )
    error_message = "Only the API reads IVS stream keys, and only those of the tracked channels' account and region."
  }
  assert {
    condition = (
      data.aws_iam_policy_document.medialive_assume.statement[0].principals == toset([{ type = "Service", identifiers = toset(["medialive.amazonaws.com"]) }]) &&
      length(data.aws_iam_policy_document.medialive_assume.statement[0].condition) == 0
    )
    error_message = "The MediaLive service role is assumed by medialive.amazonaws.com, with no condition on keys MediaLive is not documented to send."
  }
  assert {
    condition = alltrue(flatten([
      for key, d in local.lambda_policy_documents : [
        for s in d.statement : [
          for a in s.actions : !startswith(a, "medialive:") && !startswith(a, "iam:") && a != "kms:Decrypt" || s.sid == "UseTableKeyThroughDynamoDB" || s.sid == "UseQueueKeyThroughSqs"
        ]
      ] if split("/", key)[0] == "api"
    ]))
    error_message = "The API role has no MediaLive or iam action, and kms:Decrypt only through DynamoDB and SQS (never of a stream key)."
  }
  assert {
    condition     = toset(keys(aws_iam_role_policy.lambda)) == toset(keys(local.lambda_policy_documents))
    error_message = "The function roles get exactly the policy documents of local.lambda_policy_documents."
  }
}

run "roles_take_the_permissions_boundary" {
  command = plan
  variables {
    iam_role_permissions_boundary = "arn:aws:iam::123456789012:policy/restreaming-boundary"
  }
  assert {
    condition = alltrue([
      for r in concat(values(aws_iam_role.lambda), [aws_iam_role.medialive]) : r.permissions_boundary == "arn:aws:iam::123456789012:policy/restreaming-boundary"
    ])
    error_message = "Every role the module creates carries the permissions boundary."
  }
}

run "alarms_watch_errors_throttles_dlq_and_destinations" {
  command = plan

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.lambda)) == toset(["api-errors", "api-throttles", "monitor-errors", "monitor-throttles"])
    error_message = "Each function has an errors and a throttles alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.monitor_dlq.metric_name == "ApproximateNumberOfMessagesVisible"
    error_message = "The dead-letter queue depth is alarmed."
  }
  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.destination_failures.metric_query : q.metric[0].dimensions.service
      if length(q.metric) > 0 && try(q.metric[0].namespace == "IvsRestreaming" && q.metric[0].metric_name == "DestinationFailures", false)
    ]) == toset(["acme-live-stream-restreaming", "acme-live-stream-monitor"])
    error_message = "The destination failure alarm sums DestinationFailures of both functions."
  }
  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.lambda), [aws_cloudwatch_metric_alarm.monitor_dlq, aws_cloudwatch_metric_alarm.destination_failures]) : a.alarm_actions == toset([aws_sns_topic.alarms.arn])])
    error_message = "Every alarm notifies the SNS topic."
  }
  assert {
    condition     = length(aws_sns_topic_subscription.alarm_email) == 0 && aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.this.id
    error_message = "No e-mail subscription by default; the topic is encrypted with the module key."
  }
}

run "work_queue_and_medialive_events" {
  command = plan

  assert {
    condition     = aws_sqs_queue.work.name == "acme-live-reconcile-work" && aws_sqs_queue.work.kms_master_key_id == aws_kms_key.this.arn && aws_sqs_queue.work_dlq.kms_master_key_id == aws_kms_key.this.arn
    error_message = "The work queue and its dead-letter queue are encrypted with the module's key."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.work.redrive_policy).maxReceiveCount == 5 && aws_sqs_queue.work.visibility_timeout_seconds >= 6 * aws_lambda_function.this["monitor"].timeout
    error_message = "The work queue redrives to its DLQ after 5 receives, with a visibility timeout of at least six monitor timeouts."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.work.function_response_types == toset(["ReportBatchItemFailures"]) && aws_lambda_event_source_mapping.work.batch_size == 10
    error_message = "The monitor consumes the work queue with partial-batch failure reporting."
  }
  assert {
    condition     = alltrue([for fn in ["api", "monitor"] : aws_lambda_function.this[fn].environment[0].variables.WORK_QUEUE_URL == aws_sqs_queue.work.url])
    error_message = "Both functions get the work queue URL as WORK_QUEUE_URL."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["medialive_channel_state"].event_pattern) == {
      source        = ["aws.medialive"]
      "detail-type" = ["MediaLive Channel State Change"]
    } && aws_cloudwatch_event_target.this["medialive_channel_state"].arn == aws_lambda_function.this["monitor"].arn
    error_message = "MediaLive Channel State Change events reach the monitor."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["medialive_channel_alert"].event_pattern) == {
      source        = ["aws.medialive"]
      "detail-type" = ["MediaLive Channel Alert"]
    } && aws_cloudwatch_event_target.this["medialive_channel_alert"].arn == aws_lambda_function.this["monitor"].arn && aws_lambda_permission.events["medialive_channel_alert"].source_arn == aws_cloudwatch_event_rule.this["medialive_channel_alert"].arn
    error_message = "MediaLive Channel Alert events reach the monitor, which may be invoked by that rule."
  }
}

run "alerts_go_to_the_alarm_topic_and_the_named_webhook_parameter" {
  command = plan

  variables {
    alert_webhook_parameter_name = "/acme-live/alert-webhook-url"
  }

  assert {
    condition = (
      aws_lambda_function.this["monitor"].environment[0].variables.ALERT_TOPIC_ARN == aws_sns_topic.alarms.arn &&
      aws_lambda_function.this["monitor"].environment[0].variables.ALERT_WEBHOOK_PARAMETER == "/acme-live/alert-webhook-url" &&
      length(setintersection(keys(aws_lambda_function.this["api"].environment[0].variables), ["ALERT_TOPIC_ARN", "ALERT_WEBHOOK_PARAMETER"])) == 0
    )
    error_message = "The monitor gets the topic ARN and the parameter's name (never the URL); the API gets neither."
  }
  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.monitor_alerts.statement :
      s.sid != "ReadAlertWebhookParameter" || (
        toset(s.actions) == toset(["ssm:GetParameter"]) &&
        toset(s.resources) == toset(["arn:aws:ssm:eu-central-1:123456789012:parameter/acme-live/alert-webhook-url"])
      )
    ]) && contains([for s in data.aws_iam_policy_document.monitor_alerts.statement : s.sid], "ReadAlertWebhookParameter")
    error_message = "The monitor may read exactly the named webhook parameter."
  }
}

run "without_a_webhook_parameter_the_monitor_reads_no_parameter" {
  command = plan

  assert {
    condition     = !contains(keys(aws_lambda_function.this["monitor"].environment[0].variables), "ALERT_WEBHOOK_PARAMETER")
    error_message = "No webhook parameter is configured by default."
  }
  assert {
    condition     = !contains([for s in data.aws_iam_policy_document.monitor_alerts.statement : s.sid], "ReadAlertWebhookParameter")
    error_message = "Without a webhook parameter the monitor may read no SSM parameter."
  }
}

run "rejects_a_webhook_parameter_name_that_is_not_one" {
  command = plan
  variables {
    alert_webhook_parameter_name = "https://hooks.slack.com/services/T/B/X"
  }
  expect_failures = [var.alert_webhook_parameter_name]
}
