# Plans the module so test/modules/contract.test.ts can compare what Terraform creates (read from
# `terraform test -json -verbose`) with the values the TypeScript code relies on.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name            = "contract-check"
  ivs_channel_arns        = ["arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456", "arn:aws-us-gov:ivs:us-gov-west-1:123456789012:channel/ZyXwVu987654"]
  api_lambda_zip_path     = "does-not-exist/lambda.zip"
  monitor_lambda_zip_path = "does-not-exist/monitor.zip"
  jwt_issuer              = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example"
  jwt_audience            = ["example-client-id"]
  admin_group             = "admins"
  admin_scope             = "contract-check-api/admin"
  cors_allow_origins      = ["https://admin.example.com"]
  prices                  = { mediaLiveInputPerHour = 0.25, passthroughKbps = 4500 }
  # Named, so the plan holds every statement the monitor's alert code may need.
  alert_webhook_parameter_name = "/alerts/webhook-url"
}

run "contract" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.this) == 2
    error_message = "Both functions are planned."
  }
}
