terraform {
  # 1.9: input validations may refer to other variables (api_auth / jwt_issuer).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
