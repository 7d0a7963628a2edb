output "api_endpoint" {
  description = "Base URL of the HTTP API (no trailing slash), e.g. https://abc123.execute-api.eu-central-1.amazonaws.com."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "api_id" {
  description = "Id of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "destinations_table_name" {
  description = "Name of the destinations table."
  value       = aws_dynamodb_table.destinations.name
}

output "destinations_table_arn" {
  description = "ARN of the destinations table."
  value       = aws_dynamodb_table.destinations.arn
}

output "stream_state_table_name" {
  description = "Name of the stream state table."
  value       = aws_dynamodb_table.stream_state.name
}

output "stream_state_table_arn" {
  description = "ARN of the stream state table."
  value       = aws_dynamodb_table.stream_state.arn
}

output "destination_events_table_name" {
  description = "Name of the DynamoDB table of destination history (items expire after 30 days)."
  value       = aws_dynamodb_table.destination_events.name
}

output "destination_events_table_arn" {
  description = "ARN of the DynamoDB table of destination history."
  value       = aws_dynamodb_table.destination_events.arn
}

output "api_function_name" {
  description = "Name of the API function."
  value       = aws_lambda_function.this["api"].function_name
}

output "monitor_function_name" {
  description = "Name of the monitor function."
  value       = aws_lambda_function.this["monitor"].function_name
}

output "medialive_role_arn" {
  description = "ARN of the role MediaLive assumes to run the channels."
  value       = aws_iam_role.medialive.arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed key of the tables and stream keys."
  value       = aws_kms_key.this.arn
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms publish to."
  value       = aws_sns_topic.alarms.arn
}

output "monitor_dead_letter_queue_url" {
  description = "URL of the monitor's dead-letter queue."
  value       = aws_sqs_queue.monitor_dlq.url
}

output "lambda_iam_statements" {
  description = "The Allow statements (sid, actions, resources, conditions) of every policy on each function's role, keyed by `api` / `monitor`: an audit aid, and what the least-privilege test compares with the Lambda code."
  value = {
    for fn in keys(local.functions) : fn => flatten([
      for key, doc in local.lambda_policy_documents : [
        for s in doc.statement : {
          sid        = s.sid
          policy     = key
          actions    = sort(tolist(s.actions))
          resources  = try(sort(tolist(s.resources)), [])
          conditions = [for c in try(s.condition, []) : { test = c.test, variable = c.variable, values = sort(tolist(c.values)) }]
        }
      ] if split("/", key)[0] == fn
    ])
  }
}

output "api_admin_scope" {
  description = "OAuth scope every API route requires (JWT authorizer and API function); null when none is required."
  value       = var.api_auth == "jwt" ? var.admin_scope : null
}

output "api_admin_group" {
  description = "Group (cognito:groups) the API function requires; null when none is required."
  value       = var.api_auth == "jwt" ? var.admin_group : null
}

output "relay_cluster_arn" {
  description = "ARN of the ECS cluster of the pass-through relays; null without create_relays."
  value       = try(aws_ecs_cluster.relays[0].arn, null)
}

output "relay_security_group_id" {
  description = "Egress-only security group of the relay tasks; null without create_relays."
  value       = try(aws_security_group.relays[0].id, null)
}

output "relay_log_group_name" {
  description = "CloudWatch log group of the relay tasks (ffmpeg's output, stream key masked); null without create_relays."
  value       = try(aws_cloudwatch_log_group.relays[0].name, null)
}

output "relay_modes" {
  description = "The relay modes the deployment runs (offered) and the one a new destination gets when it names none (default), for the admin UI's config.json."
  value = {
    offered = var.create_relays ? ["passthrough", "transcode"] : ["transcode"]
    default = local.default_relay_mode
  }
}
