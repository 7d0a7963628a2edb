mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name = "acme-live"
  connect_src  = ["https://abc123.execute-api.eu-central-1.amazonaws.com"]
}

run "private_bucket_behind_cloudfront" {
  command = plan

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "All public access to the bucket must be blocked."
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "The bucket is versioned."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "AES256"
    error_message = "The bucket is encrypted at rest."
  }
  assert {
    condition     = startswith(aws_s3_bucket.this.bucket_prefix, "acme-live-admin-site-")
    error_message = "The bucket name derives from project_name."
  }
  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.bucket.statement :
      s.actions == toset(["s3:GetObject"]) && anytrue([for p in s.principals : p.identifiers == toset(["cloudfront.amazonaws.com"])]) &&
      anytrue([for c in s.condition : c.variable == "AWS:SourceArn" && c.values == tolist([aws_cloudfront_distribution.this.arn])])
    ])
    error_message = "Only this distribution may read the bucket."
  }
  assert {
    condition     = one(aws_cloudfront_distribution.this.origin).origin_access_control_id == aws_cloudfront_origin_access_control.this.id && aws_cloudfront_origin_access_control.this.signing_behavior == "always"
    error_message = "The distribution reads the bucket through origin access control."
  }
  assert {
    condition     = aws_cloudfront_distribution.this.default_root_object == "index.html" && aws_cloudfront_distribution.this.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "The site serves index.html over HTTPS."
  }
  assert {
    condition = toset([
      for r in aws_cloudfront_distribution.this.custom_error_response : r.error_code
      if r.response_page_path == "/index.html" && r.response_code == 200
    ]) == toset([403, 404])
    error_message = "Unknown paths fall back to index.html (single-page app)."
  }
  assert {
    condition     = aws_cloudfront_distribution.this.default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.this.id
    error_message = "Every response carries the security headers policy."
  }
  assert {
    condition = (
      aws_cloudfront_response_headers_policy.this.security_headers_config[0].frame_options[0].frame_option == "DENY" &&
      aws_cloudfront_response_headers_policy.this.security_headers_config[0].strict_transport_security[0].access_control_max_age_sec >= 31536000 &&
      strcontains(aws_cloudfront_response_headers_policy.this.security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src 'self' https://abc123.execute-api.eu-central-1.amazonaws.com https://*.live-video.net; media-src 'self' blob:;")
    )
    error_message = "The headers policy sets HSTS, frame denial and a CSP that lets the UI reach the API."
  }
  assert {
    condition = (
      !aws_cloudfront_response_headers_policy.this.security_headers_config[0].xss_protection[0].protection &&
      !coalesce(aws_cloudfront_response_headers_policy.this.security_headers_config[0].xss_protection[0].mode_block, false) &&
      aws_cloudfront_response_headers_policy.this.security_headers_config[0].xss_protection[0].override
    )
    error_message = "X-XSS-Protection is 0 (the deprecated filter off), not \"1; mode=block\"."
  }
  assert {
    condition     = output.url == "https://dmocked.cloudfront.net" && output.distribution_id == "EMOCKED" && output.bucket_name == "acme-live-admin-site-mocked"
    error_message = "The outputs give the URL, distribution id and bucket."
  }
}

run "connect_src_refuses_wildcards" {
  command = plan
  variables {
    connect_src = ["https://*.execute-api.eu-central-1.amazonaws.com"]
  }
  expect_failures = [var.connect_src]
}
