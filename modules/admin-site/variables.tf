variable "project_name" {
  description = "Prefix of the bucket, distribution comment and policies."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.project_name))
    error_message = "project_name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit."
  }
}

variable "connect_src" {
  description = "Origins the admin UI may call (Content-Security-Policy connect-src besides 'self'): the API's exact origin and the identity provider's endpoints, e.g. https://abc123.execute-api.eu-central-1.amazonaws.com. No wildcard: a pattern such as https://*.execute-api.<region>.amazonaws.com would let a script send data to any API Gateway in the region."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.connect_src : can(regex("^https://[^/*\\s]+$", o))])
    error_message = "Each connect_src entry must be an exact https:// origin (scheme://host[:port]) without a path or wildcard."
  }
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
