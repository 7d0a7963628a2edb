variable "project_name" {
  description = "Prefix of every resource name (tables, functions, roles, API). Lower-case letters, digits and dashes, at most 40 characters; it is also the value of the `ivs-restreaming:project` tag that scopes the MediaLive permissions."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.project_name))
    error_message = "project_name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit."
  }
}

variable "ivs_channel_arns" {
  description = "ARNs of the IVS channels whose streams are restreamed. The channels must allow public playback: MediaLive pulls their HLS playback URL without a token."
  type        = list(string)

  validation {
    condition     = length(var.ivs_channel_arns) > 0
    error_message = "ivs_channel_arns needs at least one IVS channel ARN."
  }

  validation {
    condition     = alltrue([for arn in var.ivs_channel_arns : can(regex("^arn:aws(-cn|-us-gov)?:ivs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:channel/[A-Za-z0-9]+$", arn))])
    error_message = "Each entry of ivs_channel_arns must be an IVS channel ARN (arn:aws:ivs:<region>:<account>:channel/<id>)."
  }
}

variable "api_lambda_zip_path" {
  description = "Path of the API function's deployment package (`dist/lambda.zip`, built by `npm run build:lambdas`)."
  type        = string
}

variable "monitor_lambda_zip_path" {
  description = "Path of the monitor function's deployment package (`dist/monitor.zip`)."
  type        = string
}

variable "api_lambda_source_code_hash" {
  description = "Base64 SHA-256 of the API package. Null: computed from the file when it exists."
  type        = string
  default     = null
}

variable "monitor_lambda_source_code_hash" {
  description = "Base64 SHA-256 of the monitor package. Null: computed from the file when it exists."
  type        = string
  default     = null
}

variable "lambda_memory_size" {
  description = "Memory (MB) of both functions."
  type        = number
  default     = 512

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240
    error_message = "lambda_memory_size must be between 128 and 10240 MB."
  }
}

variable "stop_grace_seconds" {
  description = "How long destinations keep running after their IVS stream went offline, so a short encoder drop does not end the broadcast on YouTube/Twitch. Every second is billed MediaLive time."
  type        = number
  default     = 120

  validation {
    condition     = var.stop_grace_seconds >= 0 && var.stop_grace_seconds <= 3600 && floor(var.stop_grace_seconds) == var.stop_grace_seconds
    error_message = "stop_grace_seconds must be a whole number between 0 and 3600."
  }
}

variable "idle_channel_ttl_seconds" {
  description = "How long a destination's MediaLive channel may stay idle (stopped, not wanted) before it is deleted; its input is kept and the next go-live creates a channel on it. MediaLive charges idle channels and counts them against a per-region quota; idle pull inputs are free. 0 deletes a channel as soon as it is idle."
  type        = number
  default     = 600

  validation {
    condition     = var.idle_channel_ttl_seconds >= 0 && var.idle_channel_ttl_seconds <= 86400 && floor(var.idle_channel_ttl_seconds) == var.idle_channel_ttl_seconds
    error_message = "idle_channel_ttl_seconds must be a whole number between 0 and 86400."
  }
}

variable "reconcile_schedule_expression" {
  description = "EventBridge schedule of the full reconcile (the safety net behind the IVS events). `rate(<n> minute|minutes|hour|hours|day|days)` (singular exactly when n = 1; one minute is the floor) or a six-field `cron(...)`."
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition = can(regex("^cron\\(\\S+( \\S+){5}\\)$", var.reconcile_schedule_expression)) || try(
      # EventBridge wants the singular unit for 1 and the plural for anything else, and has no
      # unit below a minute: rate(30 seconds), rate(1 minutes) and rate(5 minute) are rejected.
      (regex("^rate\\(([1-9][0-9]*) (minute|hour|day)(s?)\\)$", var.reconcile_schedule_expression)[0] == "1") ==
      (regex("^rate\\(([1-9][0-9]*) (minute|hour|day)(s?)\\)$", var.reconcile_schedule_expression)[2] == ""),
      false
    )
    error_message = "reconcile_schedule_expression must be rate(1 minute), rate(<n> minutes) with n > 1 (likewise hour/hours, day/days) or cron(<6 fields>). Seconds are not supported by EventBridge."
  }
}

variable "api_auth" {
  description = "`jwt` puts every route behind a JWT authorizer (jwt_issuer, jwt_audience, admin_scope) and the API checks admin_group / admin_scope again. `none` leaves the API open to anyone who finds its URL: they can add a destination pointing at their own server, receive the live stream and start paid MediaLive channels. `none` also needs acknowledge_unauthenticated_api = true."
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
  description = "Must be true for api_auth = \"none\": the explicit acknowledgement that the API is open to anyone who finds its URL. Ignored with jwt."
  type        = bool
  default     = false
  nullable    = false
}

variable "admin_group" {
  description = "Group whose members may use the API: the API function (env ADMIN_GROUP) answers 403 to a token whose `cognito:groups` claim lacks it. Null: no group check (then admin_scope must be set). Only Cognito issues `cognito:groups`; with another issuer use admin_scope."
  type        = string
  default     = null

  validation {
    condition     = var.admin_group == null || can(regex("^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]{1,128}$", var.admin_group))
    error_message = "admin_group must be a Cognito group name: 1-128 characters without spaces."
  }
}

variable "admin_scope" {
  description = "OAuth scope every API call must carry, e.g. `ivs-restreaming-api/admin` (a Cognito resource server scope). The JWT authorizer requires it on every route (authorization_scopes), which also turns away ID tokens (they carry no scope), and, when no admin_group is set, the API function checks it again (env ADMIN_SCOPE). Null: no scope check (then admin_group must be set)."
  type        = string
  default     = null

  validation {
    condition     = var.admin_scope == null || can(regex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$", var.admin_scope))
    error_message = "admin_scope must be one OAuth scope token: printable ASCII without spaces, quotes or backslashes."
  }

  validation {
    condition     = var.api_auth == "none" || var.admin_scope != null || var.admin_group != null
    error_message = "With api_auth = \"jwt\", set admin_scope and/or admin_group: otherwise every user holding the audience is an admin."
  }
}

variable "jwt_issuer" {
  description = "Issuer URL of the JWT authorizer, e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>. Required when api_auth = \"jwt\"."
  type        = string
  default     = null

  validation {
    condition     = var.api_auth == "none" || can(regex("^https://[^\\s/]+", var.jwt_issuer))
    error_message = "jwt_issuer must be an https:// issuer URL when api_auth = \"jwt\"."
  }
}

variable "jwt_audience" {
  description = "Accepted audiences of the JWT authorizer (for Cognito: the app client id). Required when api_auth = \"jwt\"."
  type        = list(string)
  default     = []

  validation {
    condition     = var.api_auth == "none" || length(var.jwt_audience) > 0
    error_message = "jwt_audience needs at least one audience when api_auth = \"jwt\"."
  }
}

variable "cors_allow_origins" {
  description = "Origins allowed to call the API from a browser: the admin site's URL(s), e.g. [\"https://d1234.cloudfront.net\"]. No wildcard."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_allow_origins : can(regex("^https?://[^/*\\s]+$", o))])
    error_message = "Each CORS origin must be scheme://host[:port] without a path or wildcard."
  }
}

variable "allow_private_rtmp_targets" {
  description = "Accept destinations whose rtmpUrl points at loopback or a private network (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), e.g. your own RTMP server in the VPC. Link-local and metadata addresses are refused regardless."
  type        = bool
  default     = false
  nullable    = false
}

variable "api_throttling_burst_limit" {
  description = "Burst limit of the API's default route settings."
  type        = number
  default     = 50
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second of the API's default route settings."
  type        = number
  default     = 20
}

variable "log_retention_days" {
  description = "Retention of the functions', the API's and MediaLive's CloudWatch log groups."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "create_medialive_log_group" {
  description = "Create MediaLive's channel log group (ElementalMediaLive, one per account and region) with log_retention_days; otherwise MediaLive creates it on first use and keeps logs forever. Set false when the group already exists in the region (the apply would fail) or another deployment manages it."
  type        = bool
  default     = true
  nullable    = false
}

variable "iam_role_permissions_boundary" {
  description = "ARN of a managed policy set as the permissions boundary of every role the module creates (the functions' and MediaLive's), e.g. one that keeps the functions off MediaLive resources owned by others (docs/security.md). Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.iam_role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.iam_role_permissions_boundary))
    error_message = "iam_role_permissions_boundary must be an IAM managed policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "deletion_protection" {
  description = "Deletion protection of both tables. Turn off only to destroy the deployment."
  type        = bool
  default     = true
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the customer-managed key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "prices" {
  description = "Prices of the cost report (GET /costs) in USD, over the us-east-1 list prices of lambdas/core/costs.ts (sources in docs/costs.md). Any of: mediaLiveInputPerHour, mediaLiveOutputSdPerHour, mediaLiveOutputHdPerHour, mediaLiveMinimumMinutes, fargateVcpuPerHour, fargateGbPerHour, relayTaskVcpu, relayTaskMemoryGb, fargateMinimumMinutes, publicIpv4PerHour, dataTransferOutPerGb, passthroughKbps."
  type        = map(number)
  default     = {}

  validation {
    # The names of lambdas/core/costs.ts PRICE_KEYS (test/modules/contract.test.ts compares them).
    condition     = alltrue([for name, value in var.prices : contains(["mediaLiveInputPerHour", "mediaLiveOutputSdPerHour", "mediaLiveOutputHdPerHour", "mediaLiveMinimumMinutes", "fargateVcpuPerHour", "fargateGbPerHour", "relayTaskVcpu", "relayTaskMemoryGb", "fargateMinimumMinutes", "publicIpv4PerHour", "dataTransferOutPerGb", "passthroughKbps"], name) && value >= 0])
    error_message = "prices: each name must be one of the keys in the description, each value a number of 0 or more."
  }
}

variable "alert_webhook_parameter_name" {
  description = "Name of an SSM SecureString parameter holding a Slack/Discord webhook URL for destination alerts (failing while live, recovered), e.g. /acme-live/alert-webhook-url. Create it yourself, encrypted with the module's key (alias/<project_name>-restreaming): the URL is a secret and never passes through Terraform. Null: alerts go to the alarm topic only."
  type        = string
  default     = null

  validation {
    condition     = var.alert_webhook_parameter_name == null || can(regex("^/[A-Za-z0-9_./-]{1,1000}$", var.alert_webhook_parameter_name))
    error_message = "alert_webhook_parameter_name must be an SSM parameter name starting with /, of letters, digits and _ . / -."
  }
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
}

# --- Pass-through relays (relay.tf) ----------------------------------------------------------------

variable "create_relays" {
  description = "Offer mode \"passthrough\": relays that copy the IVS stream without transcoding, one ECS Fargate task (arm64) per live destination. Needs relay_subnet_ids. Off: every destination uses MediaLive (transcode) and the API refuses passthrough with a 409."
  type        = bool
  default     = false
  nullable    = false
}

variable "default_relay_mode" {
  description = "Mode of a new destination that names none: \"passthrough\" (copy the IVS stream, about $0.01 per destination-hour on Fargate) or \"transcode\" (MediaLive, about $1 per destination-hour). null (default): passthrough with create_relays, else transcode. passthrough needs create_relays."
  type        = string
  default     = null

  validation {
    condition     = var.default_relay_mode == null || contains(["passthrough", "transcode"], coalesce(var.default_relay_mode, "transcode"))
    error_message = "default_relay_mode must be \"passthrough\", \"transcode\" or null."
  }
  validation {
    condition     = var.default_relay_mode != "passthrough" || var.create_relays
    error_message = "default_relay_mode = \"passthrough\" needs create_relays = true (pass-through relays run on ECS Fargate)."
  }
}

variable "relay_subnet_ids" {
  description = "Subnets the relay tasks run in (one VPC; several zones give Fargate more capacity). They need a route to the internet: public subnets with relay_assign_public_ip, or private ones behind a NAT gateway."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.relay_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "relay_subnet_ids must be subnet ids (subnet-0123abcd)."
  }
  validation {
    condition     = !var.create_relays || length(var.relay_subnet_ids) > 0
    error_message = "create_relays needs relay_subnet_ids (infra/ creates a VPC with public subnets when none are given)."
  }
}

variable "relay_assign_public_ip" {
  description = "Give each relay task a public IP: required in public subnets without NAT (the task must reach IVS and the platforms), not needed behind a NAT gateway."
  type        = bool
  default     = true
  nullable    = false
}

variable "relay_image" {
  description = "Container image of the relay tasks: ffmpeg and a POSIX shell (sh, awk, date, sleep), for linux/arm64. The task definition replaces the image's entrypoint with /bin/sh -c. The default is LinuxServer.io's multi-arch ffmpeg image at an immutable build tag (<ffmpeg version>-cli-ls<build>; ffmpeg 8.1.2 on Ubuntu 24.04; docs/aws-notes.md says why and what to check); point it at a copy in your own registry (ECR) to pin by digest and avoid pulls from the internet."
  type        = string
  default     = "lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76"
  nullable    = false

  validation {
    condition     = length(var.relay_image) > 0 && length(var.relay_image) <= 255
    error_message = "relay_image must be an image reference of at most 255 characters (ECS's limit)."
  }
}

variable "relay_task_cpu" {
  description = "CPU of a relay task in ECS units (256 = 0.25 vCPU). A copy relay uses a few percent of it."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.relay_task_cpu)
    error_message = "relay_task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "relay_task_memory" {
  description = "Memory of a relay task in MiB; must fit relay_task_cpu (256 CPU: 512, 1024 or 2048)."
  type        = number
  default     = 512
  nullable    = false

  validation {
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
    condition = (
      var.relay_task_cpu == 256 ? contains([512, 1024, 2048], var.relay_task_memory) :
      var.relay_task_cpu == 512 ? var.relay_task_memory >= 1024 && var.relay_task_memory <= 4096 && var.relay_task_memory % 1024 == 0 :
      var.relay_task_cpu == 1024 ? var.relay_task_memory >= 2048 && var.relay_task_memory <= 8192 && var.relay_task_memory % 1024 == 0 :
      var.relay_task_cpu == 2048 ? var.relay_task_memory >= 4096 && var.relay_task_memory <= 16384 && var.relay_task_memory % 1024 == 0 :
      var.relay_task_memory >= 8192 && var.relay_task_memory <= 30720 && var.relay_task_memory % 1024 == 0
    )
    error_message = "relay_task_memory must be a Fargate memory size for relay_task_cpu (256: 512, 1024, 2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in steps of 1024)."
  }
}
