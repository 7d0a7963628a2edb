variable "project_name" {
  description = "Prefix of the bucket, distribution comment and policies."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.project_name))
    error_message = "project_name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit."
  }
}

variable "connect_src" {
  description = "Origins the admin UI may call (Content-Security-Policy connect-src), e.g. the API and Cognito endpoints. Wildcard hosts such as https://*.execute-api.eu-central-1.amazonaws.com are allowed."
  type        = list(string)
  default     = []
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "force_destroy" {
  description = "Let a destroy delete the bucket with its objects (the site is rebuilt by every deploy)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
}
