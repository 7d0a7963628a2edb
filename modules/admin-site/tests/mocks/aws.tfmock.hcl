# Mocked AWS values for the admin-site tests (values that exist only after an apply).

mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_s3_bucket" {
  defaults = {
    arn                         = "arn:aws:s3:::acme-live-admin-site-mocked"
    bucket                      = "acme-live-admin-site-mocked"
    id                          = "acme-live-admin-site-mocked"
    bucket_regional_domain_name = "acme-live-admin-site-mocked.s3.eu-central-1.amazonaws.com"
  }
}
mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/EMOCKED"
    id          = "EMOCKED"
    domain_name = "dmocked.cloudfront.net"
  }
}
mock_resource "aws_cloudfront_origin_access_control" {
  defaults = { id = "oac-mocked" }
}
mock_resource "aws_cloudfront_response_headers_policy" {
  defaults = { id = "rhp-mocked" }
}
