output "bucket_name" {
  description = "Name of the bucket the admin UI is uploaded to."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the site bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "Id of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "domain_name" {
  description = "Domain name of the distribution, e.g. d1234abcd.cloudfront.net."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "url" {
  description = "URL of the admin site, e.g. https://d1234abcd.cloudfront.net (no trailing slash)."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}"
}

output "content_security_policy" {
  description = "The Content-Security-Policy header every response of the site carries."
  value       = local.content_security_policy
}
