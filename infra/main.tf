module "admin_site" {
  source = "../modules/admin-site"

  project_name = var.project_name
  # Exact origins only: this deployment's API and its login endpoints. No cycle: the API does not
  # depend on the site's URL (the API function answers CORS, see the module's api.tf), and the
  # hosted-UI domain is known before the user pool exists.
  connect_src = concat(
    var.enable_stream_restreaming ? [module.stream_restreaming[0].api_endpoint] : [],
    local.login_origins,
  )
}

module "stream_restreaming" {
  source = "../modules/stream-restreaming"
  count  = var.enable_stream_restreaming ? 1 : 0

  project_name                    = var.project_name
  ivs_channel_arns                = local.ivs_channel_arns
  api_lambda_zip_path             = var.api_lambda_zip_path
  monitor_lambda_zip_path         = var.monitor_lambda_zip_path
  reconcile_schedule_expression   = var.reconcile_schedule_expression
  stop_grace_seconds              = var.stop_grace_seconds
  idle_channel_ttl_seconds        = var.idle_channel_ttl_seconds
  log_retention_days              = var.log_retention_days
  deletion_protection             = var.deletion_protection
  api_auth                        = var.api_auth
  acknowledge_unauthenticated_api = var.acknowledge_unauthenticated_api
  jwt_issuer                      = var.api_auth == "jwt" ? local.jwt_issuer : null
  jwt_audience                    = var.api_auth == "jwt" ? local.jwt_audience : []
  # cognito:groups exists only in Cognito's tokens; an external issuer is checked by scope alone.
  admin_group                   = var.api_auth == "jwt" && local.create_cognito ? var.admin_group : null
  admin_scope                   = var.api_auth == "jwt" ? local.admin_scope : null
  cors_allow_origins            = [local.admin_url]
  alarm_emails                  = var.alarm_email == null ? [] : [var.alarm_email]
  alert_webhook_parameter_name  = var.alert_webhook_parameter_name
  iam_role_permissions_boundary = var.iam_role_permissions_boundary
  allow_private_rtmp_targets    = var.allow_private_rtmp_targets
  prices                        = var.prices
  create_medialive_log_group    = var.create_medialive_log_group
  create_relays                 = var.enable_relays
  default_relay_mode            = var.default_relay_mode
  relay_subnet_ids              = local.relay_subnet_ids
  relay_assign_public_ip        = var.relay_assign_public_ip
  relay_image                   = coalesce(var.relay_image, "lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76")
}
