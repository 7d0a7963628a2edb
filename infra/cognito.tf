# Admin login: a Cognito user pool with a public app client (authorization code + PKCE, no secret)
# and the hosted UI, unless jwt_issuer names an existing OIDC provider.

locals {
  create_cognito        = var.jwt_issuer == null
  cognito_domain_prefix = coalesce(var.cognito_domain_prefix, "${var.project_name}-${data.aws_caller_identity.current.account_id}")
  admin_url             = module.admin_site.url

  jwt_issuer   = local.create_cognito ? "https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.this[0].id}" : var.jwt_issuer
  jwt_audience = local.create_cognito ? [aws_cognito_user_pool_client.admin[0].id] : var.jwt_audience
}

data "aws_caller_identity" "current" {}

resource "aws_cognito_user_pool" "this" {
  count = local.create_cognito ? 1 : 0

  name                     = "${var.project_name}-admins"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = "OPTIONAL"

  # Only an administrator creates users: there is no self sign-up to a control plane that
  # starts paid MediaLive channels.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 7
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }
}

resource "aws_cognito_user_pool_client" "admin" {
  count = local.create_cognito ? 1 : 0

  name         = "${var.project_name}-admin-ui"
  user_pool_id = aws_cognito_user_pool.this[0].id

  # A browser app cannot keep a secret: public client, code flow (PKCE is enforced by the UI).
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = [local.admin_url, "${local.admin_url}/"]
  logout_urls                          = [local.admin_url, "${local.admin_url}/"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true

  access_token_validity  = 60
  id_token_validity      = 60
  refresh_token_validity = 12
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "hours"
  }
}

resource "aws_cognito_user_pool_domain" "this" {
  count = local.create_cognito ? 1 : 0

  domain       = local.cognito_domain_prefix
  user_pool_id = aws_cognito_user_pool.this[0].id
}

resource "aws_cognito_user" "admin" {
  for_each = local.create_cognito ? toset(var.admin_users) : toset([])

  user_pool_id             = aws_cognito_user_pool.this[0].id
  username                 = each.value
  desired_delivery_mediums = ["EMAIL"]
  attributes = {
    email          = each.value
    email_verified = "true"
  }
}
