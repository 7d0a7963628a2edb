terraform {
  # 1.9: input validations may refer to other variables (api_auth / jwt_issuer).
  required_version = ">= 1.9"

  # The tested provider range: 5.100 and later 5.x. Provider 6 deprecates
  # data.aws_region.current.name (used in main.tf); moving to it is a deliberate change.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
