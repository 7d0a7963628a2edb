# A complete use of the module: an IVS channel, a Cognito user pool for the JWT authorizer, and
# the restreaming control plane tracking the channel. `infra/` is the full deployment (admin site
# included); this example shows the module on its own.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-central-1"
}

variable "admin_origin" {
  description = "Origin of the admin UI that calls the API."
  type        = string
  default     = "https://admin.example.com"
}

resource "aws_ivs_channel" "this" {
  name         = "example-channel"
  latency_mode = "LOW"
  authorized   = false # MediaLive pulls the public playback URL
}

resource "aws_cognito_user_pool" "this" {
  name = "example-admins"
  admin_create_user_config {
    allow_admin_create_user_only = true
  }
}

# The scope the API's JWT authorizer requires: only access tokens carry it.
resource "aws_cognito_resource_server" "api" {
  identifier   = "example-api"
  name         = "example restreaming API"
  user_pool_id = aws_cognito_user_pool.this.id

  scope {
    scope_name        = "admin"
    scope_description = "Manage the restreaming destinations"
  }
}

# Only members of this group may use the API (checked by the API function).
resource "aws_cognito_user_group" "admins" {
  name         = "admins"
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_user_pool_client" "this" {
  name                                 = "example-admin-ui"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "${aws_cognito_resource_server.api.identifier}/admin"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = [var.admin_origin]
}

module "stream_restreaming" {
  source = "../.."

  project_name            = "example"
  ivs_channel_arns        = [aws_ivs_channel.this.arn]
  api_lambda_zip_path     = "${path.root}/../../../../dist/lambda.zip"
  monitor_lambda_zip_path = "${path.root}/../../../../dist/monitor.zip"

  api_auth     = "jwt"
  jwt_issuer   = "https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
  jwt_audience = [aws_cognito_user_pool_client.this.id]
  admin_scope  = "${aws_cognito_resource_server.api.identifier}/admin"
  admin_group  = aws_cognito_user_group.admins.name

  cors_allow_origins            = [var.admin_origin]
  reconcile_schedule_expression = "rate(1 minute)"
  stop_grace_seconds            = 120
  log_retention_days            = 30
  alarm_emails                  = ["ops@example.com"]

  tags = { environment = "example" }
}

output "api_endpoint" {
  description = "Base URL of the destinations API."
  value       = module.stream_restreaming.api_endpoint
}

output "ivs_ingest_endpoint" {
  description = "Where the encoder sends the stream."
  value       = aws_ivs_channel.this.ingest_endpoint
}
