# Read by deploy.ts (`terraform output -json`) and written into the admin UI's config.json.

output "enable_stream_restreaming" {
  description = "Whether the restreaming control plane is deployed."
  value       = var.enable_stream_restreaming
}

output "region" {
  description = "AWS region of the deployment."
  value       = var.region
}

output "admin_url" {
  description = "URL of the admin UI."
  value       = module.admin_site.url
}

output "api_url" {
  description = "Base URL of the destinations API; null while restreaming is off."
  value       = try(module.stream_restreaming[0].api_endpoint, null)
}

output "site_bucket_name" {
  description = "Bucket the deploy uploads the admin UI to."
  value       = module.admin_site.bucket_name
}

output "cloudfront_distribution_id" {
  description = "Distribution the deploy invalidates after an upload."
  value       = module.admin_site.distribution_id
}

output "cognito_issuer" {
  description = "OIDC issuer of the admin login (Cognito user pool or the given jwt_issuer)."
  value       = local.jwt_issuer
}

output "cognito_client_id" {
  description = "Client id of the admin UI; null with an existing issuer and no audience."
  value       = try(local.jwt_audience[0], null)
}

output "cognito_scopes" {
  description = "Space-separated scopes the admin UI requests at sign-in (config.json auth.scopes), including the API's admin scope; null while api_auth = \"none\"."
  value       = var.api_auth == "jwt" ? local.ui_scopes : null
}

output "cognito_domain" {
  description = "Hosted-UI domain of the user pool (no scheme); null with an existing issuer."
  value       = local.create_cognito ? "${aws_cognito_user_pool_domain.this[0].domain}.auth.${var.region}.amazoncognito.com" : null
}

output "relay_modes" {
  description = "Relay modes offered and the default for new destinations (config.json relayModes); null while restreaming is off."
  value       = try(module.stream_restreaming[0].relay_modes, null)
}

output "ivs_channel_arns" {
  description = "IVS channels whose streams are restreamed."
  value       = local.ivs_channel_arns
}

output "ivs_playback_url" {
  description = "HLS playback URL of the created channel; null when none was created."
  value       = try(aws_ivs_channel.this[0].playback_url, null)
}

output "ivs_ingest_endpoint" {
  description = "RTMPS ingest server of the created channel (rtmps://<endpoint>:443/app/); null when none was created."
  value       = try("rtmps://${aws_ivs_channel.this[0].ingest_endpoint}:443/app/", null)
  sensitive   = true
}

output "ivs_stream_key" {
  description = "Stream key of the created channel: a credential, shown only with `terraform output -raw ivs_stream_key`."
  value       = try(data.aws_ivs_stream_key.this[0].value, null)
  sensitive   = true
}

output "destinations_table_name" {
  description = "Destinations table; null while restreaming is off."
  value       = try(module.stream_restreaming[0].destinations_table_name, null)
}

output "alarm_topic_arn" {
  description = "SNS topic of the restreaming alarms; null while restreaming is off."
  value       = try(module.stream_restreaming[0].alarm_topic_arn, null)
}
