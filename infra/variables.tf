variable "project_name" {
  description = "Prefix of every resource name; also tags every resource (ivs-restreaming:project)."
  type        = string
  default     = "ivs-restreaming"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.project_name))
    error_message = "project_name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit."
  }
}

variable "region" {
  description = "AWS region of the deployment (IVS, MediaLive and Cognito must be available there)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "enable_stream_restreaming" {
  description = "Deploy the restreaming control plane (tables, Lambdas, API, MediaLive role). Off: only the IVS channel, login and admin site remain, and nothing can start MediaLive."
  type        = bool
  default     = true
}

variable "create_ivs_channel" {
  description = "Create an IVS channel for the creator. Off: ivs_channel_arns must name existing channels."
  type        = bool
  default     = true
}

variable "ivs_channel_arns" {
  description = "Existing IVS channels to restream (public playback only), in addition to the created one."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ivs_channel_arns : can(regex("^arn:aws(-cn|-us-gov)?:ivs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:channel/[A-Za-z0-9]+$", arn))])
    error_message = "Each entry of ivs_channel_arns must be an IVS channel ARN."
  }

  validation {
    condition     = var.create_ivs_channel || length(var.ivs_channel_arns) > 0
    error_message = "With create_ivs_channel = false, ivs_channel_arns must name at least one existing channel."
  }
}

variable "ivs_channel_type" {
  description = "Type of the created IVS channel: STANDARD (transcodes renditions) or BASIC (passes the input through)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "BASIC", "ADVANCED_SD", "ADVANCED_HD"], var.ivs_channel_type)
    error_message = "ivs_channel_type must be STANDARD, BASIC, ADVANCED_SD or ADVANCED_HD."
  }
}

variable "reconcile_schedule_expression" {
  description = "Schedule of the full reconcile (see the module's variable)."
  type        = string
  default     = "rate(1 minute)"
}

variable "stop_grace_seconds" {
  description = "Seconds destinations keep running after their stream went offline."
  type        = number
  default     = 120
}

variable "idle_channel_ttl_seconds" {
  description = "Seconds a stopped MediaLive channel is kept before it is deleted (its input stays; see the module's variable)."
  type        = number
  default     = 600
}

variable "prices" {
  description = "Prices of the cost report in USD over the defaults of lambdas/core/costs.ts; see the module's prices variable."
  type        = map(number)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group."
  type        = number
  default     = 30
}

variable "api_auth" {
  description = "`jwt` (default) protects the API with the Cognito (or existing) issuer, the admin scope and the admin group; `none` leaves it open to anyone with the URL (they can receive the live stream and start paid MediaLive channels) and needs acknowledge_unauthenticated_api = true."
  type        = string
  default     = "jwt"

  validation {
    condition     = contains(["jwt", "none"], var.api_auth)
    error_message = "api_auth must be \"jwt\" or \"none\"."
  }

  validation {
    condition     = var.api_auth != "none" || var.acknowledge_unauthenticated_api
    error_message = "api_auth = \"none\" opens every route to anyone with the URL (they can receive the live stream and start paid MediaLive channels). Set acknowledge_unauthenticated_api = true as well if that is really meant, e.g. for a throw-away test account; otherwise use api_auth = \"jwt\"."
  }
}

variable "acknowledge_unauthenticated_api" {
  description = "Must be true for api_auth = \"none\": the explicit acknowledgement that the API is open to anyone who finds its URL."
  type        = bool
  default     = false
  nullable    = false
}

variable "admin_group" {
  description = "Cognito group created in the user pool, holding the admin_users; only its members may use the API (403 otherwise). Not used with an existing jwt_issuer (its tokens carry no cognito:groups): admin_scope decides there."
  type        = string
  default     = "admins"
  nullable    = false

  validation {
    condition     = can(regex("^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]{1,128}$", var.admin_group))
    error_message = "admin_group must be a Cognito group name: 1-128 characters without spaces."
  }
}

variable "admin_scope" {
  description = "With an existing jwt_issuer: the OAuth scope an access token must carry to use the API (required there). With the created Cognito pool it is <project_name>-api/admin and this is ignored."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_issuer == null || var.api_auth == "none" || var.admin_scope != null
    error_message = "With an existing jwt_issuer, set admin_scope: the scope your provider puts into the admin UI's access tokens for the API. Without it every user holding the audience would be an admin."
  }
}

variable "jwt_issuer" {
  description = "An existing OIDC issuer for the admin login and the API. Null: a Cognito user pool is created."
  type        = string
  default     = null
}

variable "jwt_audience" {
  description = "Audiences (client ids) accepted from jwt_issuer. Only used with jwt_issuer."
  type        = list(string)
  default     = []
}

variable "cognito_domain_prefix" {
  description = "Prefix of the Cognito hosted-UI domain (<prefix>.auth.<region>.amazoncognito.com). Null: <project_name>-<account id>."
  type        = string
  default     = null
}

variable "admin_users" {
  description = "E-mail addresses of the admin users created in the Cognito user pool; each gets a temporary password by e-mail."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.admin_users : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "admin_users must be e-mail addresses."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the restreaming alarms. Null: no subscription."
  type        = string
  default     = null
}

variable "alert_webhook_parameter_name" {
  description = "Name of an SSM SecureString (created by you) holding a Slack/Discord webhook URL for destination alerts. Null: alerts go to the alarm topic only."
  type        = string
  default     = null

  validation {
    condition     = var.alert_webhook_parameter_name == null || can(regex("^/[A-Za-z0-9_./-]{1,1000}$", var.alert_webhook_parameter_name))
    error_message = "alert_webhook_parameter_name must be an SSM parameter name starting with /."
  }
}

variable "api_lambda_zip_path" {
  description = "The API function's package, relative to infra/ (built by `npm run build:lambdas`)."
  type        = string
  default     = "../dist/lambda.zip"
}

variable "monitor_lambda_zip_path" {
  description = "The monitor function's package, relative to infra/."
  type        = string
  default     = "../dist/monitor.zip"
}

variable "create_medialive_log_group" {
  description = "Create MediaLive's channel log group ElementalMediaLive (one per account and region) with log_retention_days. Set false when it already exists in the region: the apply would fail."
  type        = bool
  default     = true
  nullable    = false
}

variable "iam_role_permissions_boundary" {
  description = "ARN of a managed policy set as the permissions boundary of the restreaming roles (see docs/security.md). Null: none."
  type        = string
  default     = null
}

variable "allow_private_rtmp_targets" {
  description = "Accept rtmpUrls on loopback or private networks (your own RTMP server in the VPC). Link-local and metadata addresses are refused regardless."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_relays" {
  description = "Offer pass-through relays (ECS Fargate, no transcoding) besides MediaLive: the module's create_relays. Without relay_subnet_ids a VPC with two public subnets (no NAT) is created for them."
  type        = bool
  default     = false
  nullable    = false
}

variable "default_relay_mode" {
  description = "Mode of a new destination that names none: \"passthrough\" or \"transcode\"; null: passthrough with enable_relays, else transcode (the module's default_relay_mode)."
  type        = string
  default     = null
}

variable "relay_subnet_ids" {
  description = "Subnets for the relay tasks (public, or private behind a NAT with relay_assign_public_ip = false). Empty: infra/ creates a VPC with public subnets."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "relay_assign_public_ip" {
  description = "Give relay tasks a public IP (needed in public subnets without NAT, as in the VPC infra/ creates)."
  type        = bool
  default     = true
  nullable    = false
}

variable "relay_image" {
  description = "Relay container image (ffmpeg and a POSIX shell, linux/arm64); null: the module's default."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Deletion protection of the tables and the user pool. Turn off only to destroy the deployment."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}
}
