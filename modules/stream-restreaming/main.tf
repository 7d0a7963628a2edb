data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  destinations_table_name = "${var.project_name}-streaming-destinations"
  stream_state_table_name = "${var.project_name}-stream-state"
  # Destination history; lambdas/adapters/dynamodb/tables.ts DESTINATION_EVENTS_TABLE_SUFFIX.
  destination_events_table_name = "${var.project_name}-destination-events"
  by_channel_index_name         = "byChannel"

  # The key and value the Lambdas put on every MediaLive input and channel (next to
  # `ivs-restreaming:destination-id`); the MediaLive permissions in iam.tf are scoped to it.
  project_tag_key = "ivs-restreaming:project"

  # Every tag key the Lambdas put on a MediaLive input or channel (lambdas/core/ports.ts TAG_*,
  # compared by test/modules/contract.test.ts). Creating with any other tag key is refused.
  medialive_tag_keys = [local.project_tag_key, "ivs-restreaming:destination-id", "ivs-restreaming:config-revision"]

  # Namespace and metric of Powertools Metrics (EMF): the `service` dimension is the function name.
  metrics_namespace = "IvsRestreaming"

  # Both functions, keyed by role. timeout: API Gateway gives up after 30 s; a full reconcile may
  # create several MediaLive channels.
  functions = {
    api = {
      name        = "${var.project_name}-stream-restreaming"
      description = "Stream destinations REST API"
      zip_path    = var.api_lambda_zip_path
      source_hash = var.api_lambda_source_code_hash != null ? var.api_lambda_source_code_hash : try(filebase64sha256(var.api_lambda_zip_path), null)
      timeout     = 29
    }
    monitor = {
      name        = "${var.project_name}-stream-monitor"
      description = "Reconciles MediaLive channels with the IVS stream state"
      zip_path    = var.monitor_lambda_zip_path
      source_hash = var.monitor_lambda_source_code_hash != null ? var.monitor_lambda_source_code_hash : try(filebase64sha256(var.monitor_lambda_zip_path), null)
      timeout     = 120
    }
  }

  # Who may call the API, checked again by the API function: the group when one is configured,
  # else the scope. Never both: the function accepts a token holding either, and with Cognito every
  # user who signs in through the app client gets the scope, so the scope would open the door the
  # group closes. The authorizer requires the scope regardless (api.tf). Only with JWT auth.
  # The cost report's prices (GET /costs), only when the deployment sets any: lambdas/adapters/environment.ts PRICES.
  api_prices_environment = length(var.prices) > 0 ? { PRICES = jsonencode(var.prices) } : {}

  api_admin_environment = var.api_auth != "jwt" ? {} : var.admin_group != null ? { ADMIN_GROUP = var.admin_group } : var.admin_scope != null ? { ADMIN_SCOPE = var.admin_scope } : {}

  tags = merge(var.tags, { (local.project_tag_key) = var.project_name })
}
