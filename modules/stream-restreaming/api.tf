locals {
  # Every route of the API contract; all go to the API function.
  api_routes = toset([
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
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.project_name}-stream-restreaming"
  description   = "IVS restreaming destinations API"
  protocol_type = "HTTP"

  # No cors_configuration: the API function answers CORS (CORS_ALLOW_ORIGINS) and the preflight
  # route below. With API Gateway's CORS the API would depend on the admin site's URL, and the
  # site's Content-Security-Policy (which names this API's origin) on the API: a cycle.
  # "If you configure CORS for an API, API Gateway ignores CORS headers returned from your backend
  # integration": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html

  tags = local.tags
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  for_each = var.api_auth == "jwt" ? toset(["jwt"]) : toset([])

  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.project_name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.this["api"].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.api_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = var.api_auth == "jwt" ? "JWT" : "NONE"
  authorizer_id      = var.api_auth == "jwt" ? aws_apigatewayv2_authorizer.jwt["jwt"].id : null
  # The authorizer accepts a token only when its `scope` claim holds admin_scope. Cognito ID tokens
  # carry no scope claim, so only access tokens get through.
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
  authorization_scopes = var.api_auth == "jwt" && var.admin_scope != null ? [var.admin_scope] : null
}

# CORS preflight: browsers send OPTIONS without the Authorization header, so this route has no
# authorizer. The function answers 204 with the CORS headers for the allowed origins only and
# touches no data.
resource "aws_apigatewayv2_route" "preflight" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "OPTIONS /{proxy+}"
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = "NONE"
}

# The OpenAPI document of the API (lambdas/api/openapi.ts): public, like the API's own docs page
# would be. It holds no data, only the contract, and the function answers it without the admin
# check; every other route keeps the authorizer.
resource "aws_apigatewayv2_route" "openapi" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "GET /openapi.json"
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.project_name}-stream-restreaming"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.api_throttling_burst_limit
    throttling_rate_limit  = var.api_throttling_rate_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      integrationError   = "$context.integrationErrorMessage"
      authorizerError    = "$context.authorizer.error"
      sourceIp           = "$context.identity.sourceIp"
    })
  }

  tags = local.tags
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["api"].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
