module "admin_site" {
  source = "../modules/admin-site"

  project_name = var.project_name
  # Wildcards, not the exact API and login hosts: those depend on the site's URL (CORS, callback
  # URLs), which would make a cycle.
  connect_src = [
    "https://*.execute-api.${var.region}.amazonaws.com",
    "https://cognito-idp.${var.region}.amazonaws.com",
    "https://*.auth.${var.region}.amazoncognito.com",
  ]
}

module "stream_restreaming" {
  source = "../modules/stream-restreaming"
  count  = var.enable_stream_restreaming ? 1 : 0

  project_name                  = var.project_name
  ivs_channel_arns              = local.ivs_channel_arns
  api_lambda_zip_path           = var.api_lambda_zip_path
  monitor_lambda_zip_path       = var.monitor_lambda_zip_path
  reconcile_schedule_expression = var.reconcile_schedule_expression
  stop_grace_seconds            = var.stop_grace_seconds
  log_retention_days            = var.log_retention_days
  deletion_protection           = var.deletion_protection
  api_auth                      = var.api_auth
  jwt_issuer                    = var.api_auth == "jwt" ? local.jwt_issuer : null
  jwt_audience                  = var.api_auth == "jwt" ? local.jwt_audience : []
  cors_allow_origins            = [local.admin_url]
  alarm_emails                  = var.alarm_email == null ? [] : [var.alarm_email]
}
