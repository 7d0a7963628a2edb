# Mocked AWS values for the root configuration's tests (values that exist only after an apply).

mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_region" {
  defaults = { name = "eu-central-1" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_ivs_stream_key" {
  defaults = { value = "sk_eu-central-1_mocked" }
}
mock_resource "aws_ivs_channel" {
  defaults = {
    arn             = "arn:aws:ivs:eu-central-1:123456789012:channel/MockedChannel1"
    ingest_endpoint = "mocked.global-contribute.live-video.net"
    playback_url    = "https://mocked.eu-central-1.playback.live-video.net/api/video/v1/mocked.m3u8"
  }
}
mock_resource "aws_cognito_user_pool" {
  defaults = { id = "eu-central-1_Mocked" }
}
mock_resource "aws_cognito_user_pool_client" {
  defaults = { id = "mockedclientid" }
}
mock_resource "aws_s3_bucket" {
  defaults = {
    arn                         = "arn:aws:s3:::ivs-restreaming-admin-site-mocked"
    bucket                      = "ivs-restreaming-admin-site-mocked"
    id                          = "ivs-restreaming-admin-site-mocked"
    bucket_regional_domain_name = "ivs-restreaming-admin-site-mocked.s3.eu-central-1.amazonaws.com"
  }
}
mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/EMOCKED"
    id          = "EMOCKED"
    domain_name = "dmocked.cloudfront.net"
  }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
}
mock_resource "aws_apigatewayv2_api" {
  defaults = {
    api_endpoint  = "https://mockedapi.execute-api.eu-central-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:eu-central-1:123456789012:mockedapi"
  }
}
mock_data "aws_availability_zones" {
  defaults = { names = ["eu-central-1a", "eu-central-1b", "eu-central-1c"] }
}
mock_data "aws_subnet" {
  defaults = { vpc_id = "vpc-0123456789abcdef0" }
}
mock_resource "aws_vpc" {
  defaults = { id = "vpc-0123456789abcdef0" }
}
mock_resource "aws_subnet" {
  defaults = { id = "subnet-0123456789abcdef0" }
}
mock_resource "aws_ecs_cluster" {
  defaults = { arn = "arn:aws:ecs:eu-central-1:123456789012:cluster/mocked-relays" }
}
mock_resource "aws_security_group" {
  defaults = { id = "sg-0123456789abcdef0" }
}
