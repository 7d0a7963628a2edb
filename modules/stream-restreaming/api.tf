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
    "GET /stream-status",
  ])
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.project_name}-stream-restreaming"
  description   = "IVS restreaming destinations API"
  protocol_type = "HTTP"

  # API Gateway answers the preflight requests itself; only the admin site's origins get through.
  cors_configuration {
    allow_origins = var.cors_allow_origins
    allow_methods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
    allow_headers = ["authorization", "content-type"]
    max_age       = 3600
  }

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
