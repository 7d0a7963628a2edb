# Plans the module with create_relays so test/modules/least-privilege.test.ts can compare the
# monitor's relay policy (ECS, SSM, iam:PassRole) with the calls of the ECS relay engine, and check
# that every statement is scoped to the relay cluster, the relay task-definition families, the
# stream-key parameter path and the two relay roles.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

# Distinct role ARNs, so the test can tell the relay roles from the Lambda roles.
override_resource {
  target          = aws_iam_role.relay_execution
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/least-privilege-relay-execution" }
}
override_resource {
  target          = aws_iam_role.relay_task
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/least-privilege-relay-task" }
}

variables {
  project_name            = "least-privilege"
  ivs_channel_arns        = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456"]
  api_lambda_zip_path     = "does-not-exist/lambda.zip"
  monitor_lambda_zip_path = "does-not-exist/monitor.zip"
  # As in least_privilege.tftest.hcl, so the two plans differ only by the relays.
  alert_webhook_parameter_name = "/alerts/webhook-url"
  jwt_issuer                   = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example"
  jwt_audience                 = ["example-client-id"]
  admin_group                  = "admins"
  admin_scope                  = "least-privilege-api/admin"
  create_relays                = true
  relay_subnet_ids             = ["subnet-0a1b2c3d"]
}

run "relay_iam_statements" {
  command = plan

  assert {
    condition     = contains(keys(aws_iam_role_policy.lambda), "monitor/relays")
    error_message = "With create_relays the monitor has a relay policy."
  }
}
