# Admin login: a Cognito user pool with a public app client (authorization code + PKCE, no secret)
# and the hosted UI, unless jwt_issuer names an existing OIDC provider.

locals {
  create_cognito        = var.jwt_issuer == null
  cognito_domain_prefix = coalesce(var.cognito_domain_prefix, "${var.project_name}-${data.aws_caller_identity.current.account_id}")
  admin_url             = module.admin_site.url

  jwt_issuer   = local.create_cognito ? "https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.this[0].id}" : var.jwt_issuer
  jwt_audience = local.create_cognito ? [aws_cognito_user_pool_client.admin[0].id] : var.jwt_audience

  # The scope the API's JWT authorizer requires (only access tokens carry it) and the UI requests.
  admin_scope = local.create_cognito ? "${aws_cognito_resource_server.api[0].identifier}/admin" : var.admin_scope
  ui_scopes   = join(" ", concat(["openid", "email", "profile"], local.admin_scope == null ? [] : [local.admin_scope]))

  # What the admin UI's browser code talks to for the login (Content-Security-Policy connect-src).
  login_origins = local.create_cognito ? [
    "https://cognito-idp.${var.region}.amazonaws.com",
    "https://${local.cognito_domain_prefix}.auth.${var.region}.amazoncognito.com",
  ] : [regex("^https://[^/]+", var.jwt_issuer)]
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
  allowed_oauth_scopes                 = ["openid", "email", "profile", local.admin_scope]
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

# The API's resource server: its one scope, <project_name>-api/admin, is what the API's JWT
# authorizer requires on every route. Cognito puts custom scopes into access tokens only, so an ID
# token is refused at the gateway.
# https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
resource "aws_cognito_resource_server" "api" {
  count = local.create_cognito ? 1 : 0

  identifier   = "${var.project_name}-api"
  name         = "${var.project_name} restreaming API"
  user_pool_id = aws_cognito_user_pool.this[0].id

  scope {
    scope_name        = "admin"
    scope_description = "Manage the restreaming destinations"
  }
}

# Any user of the pool who signs in through the admin UI gets the scope; only members of this group
# may use the API (the API function checks cognito:groups, env ADMIN_GROUP).
resource "aws_cognito_user_group" "admins" {
  count = local.create_cognito ? 1 : 0

  name         = var.admin_group
  description  = "May manage the ${var.project_name} restreaming destinations"
  user_pool_id = aws_cognito_user_pool.this[0].id
}

resource "aws_cognito_user_in_group" "admin" {
  for_each = local.create_cognito ? toset(var.admin_users) : toset([])

  user_pool_id = aws_cognito_user_pool.this[0].id
  group_name   = aws_cognito_user_group.admins[0].name
  username     = aws_cognito_user.admin[each.key].username
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
