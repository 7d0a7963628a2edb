terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # No backend block: state is local (infra/terraform.tfstate) unless the deploy script writes
  # backend_override.tf.json next to this file (S3, from deployment.config.ts). See README.md.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "ivs-restreaming:project" = var.project_name })
  }
}
