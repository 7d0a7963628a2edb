# Plans the module so test/modules/least-privilege.test.ts can read output.lambda_iam_statements
# (terraform test -json -verbose) and compare it with the actions the Lambda code calls.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name            = "least-privilege"
  ivs_channel_arns        = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456"]
  api_lambda_zip_path     = "does-not-exist/lambda.zip"
  monitor_lambda_zip_path = "does-not-exist/monitor.zip"
  # Named, so the plan holds every statement the monitor's alert code may need.
  alert_webhook_parameter_name = "/alerts/webhook-url"
  jwt_issuer                   = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example"
  jwt_audience                 = ["example-client-id"]
  admin_group                  = "admins"
  admin_scope                  = "least-privilege-api/admin"
}

run "lambda_iam_statements" {
  command = plan

  assert {
    condition     = toset(keys(output.lambda_iam_statements)) == toset(["api", "monitor"])
    error_message = "output.lambda_iam_statements lists the statements of both functions."
  }
}
