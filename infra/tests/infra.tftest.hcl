mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name = "acme-live"
  region       = "eu-central-1"
  admin_users  = ["admin@example.com"]
}

run "default_deploys_everything" {
  command = plan

  assert {
    condition     = length(module.stream_restreaming) == 1 && length(aws_ivs_channel.this) == 1 && length(aws_cognito_user_pool.this) == 1
    error_message = "By default the channel, the login and the restreaming module are planned."
  }
  assert {
    condition     = aws_ivs_channel.this[0].authorized == false && aws_ivs_channel.this[0].name == "acme-live-channel"
    error_message = "The created channel allows public playback (MediaLive pulls it without a token)."
  }
  assert {
    condition = (
      aws_cognito_user_pool_client.admin[0].generate_secret == false &&
      aws_cognito_user_pool_client.admin[0].allowed_oauth_flows == toset(["code"]) &&
      contains(aws_cognito_user_pool_client.admin[0].callback_urls, "https://dmocked.cloudfront.net")
    )
    error_message = "The admin UI client is public (no secret), uses the code flow and returns to the admin site."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only
    error_message = "Nobody can sign up on their own."
  }
  assert {
    condition     = keys(aws_cognito_user.admin) == ["admin@example.com"]
    error_message = "Each admin_users entry becomes a user."
  }
  assert {
    condition = (
      output.admin_url == "https://dmocked.cloudfront.net" &&
      output.api_url == "https://mockedapi.execute-api.eu-central-1.amazonaws.com" &&
      output.site_bucket_name == "ivs-restreaming-admin-site-mocked" &&
      output.cloudfront_distribution_id == "EMOCKED" &&
      output.cognito_issuer == "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Mocked" &&
      output.cognito_client_id == "mockedclientid" &&
      output.cognito_domain == "acme-live-123456789012.auth.eu-central-1.amazoncognito.com" &&
      tolist(output.ivs_channel_arns) == tolist(["arn:aws:ivs:eu-central-1:123456789012:channel/MockedChannel1"]) &&
      output.enable_stream_restreaming
    )
    error_message = "The outputs give the deploy script and the admin UI what they need."
  }
  assert {
    # The stream key is read after the channel exists (at apply); the plan shows where from.
    condition     = data.aws_ivs_stream_key.this[0].channel_arn == aws_ivs_channel.this[0].arn && output.ivs_ingest_endpoint == "rtmps://mocked.global-contribute.live-video.net:443/app/"
    error_message = "The created channel's stream key and ingest endpoint are outputs (sensitive)."
  }
}

run "restreaming_off_plans_no_restreaming_resources" {
  command = plan

  variables {
    enable_stream_restreaming = false
  }

  assert {
    condition     = length(module.stream_restreaming) == 0
    error_message = "enable_stream_restreaming = false must plan no restreaming resources."
  }
  assert {
    condition     = output.api_url == null && output.destinations_table_name == null && output.alarm_topic_arn == null && output.enable_stream_restreaming == false
    error_message = "The restreaming outputs are null (and still plan) while it is off."
  }
  assert {
    condition     = output.site_bucket_name == "ivs-restreaming-admin-site-mocked" && length(aws_ivs_channel.this) == 1
    error_message = "The admin site and the IVS channel stay."
  }
}

run "existing_channels_and_issuer" {
  command = plan

  variables {
    create_ivs_channel = false
    ivs_channel_arns   = ["arn:aws:ivs:eu-central-1:123456789012:channel/Existing1"]
    jwt_issuer         = "https://login.example.com"
    jwt_audience       = ["admin-ui"]
  }

  assert {
    condition     = length(aws_ivs_channel.this) == 0 && length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user.admin) == 0
    error_message = "Existing channels and an existing issuer create neither a channel nor a user pool."
  }
  assert {
    condition = (
      tolist(output.ivs_channel_arns) == tolist(["arn:aws:ivs:eu-central-1:123456789012:channel/Existing1"]) &&
      output.cognito_issuer == "https://login.example.com" && output.cognito_client_id == "admin-ui" && output.cognito_domain == null &&
      output.ivs_stream_key == null
    )
    error_message = "The outputs follow the given channels and issuer."
  }
}

run "no_channel_at_all_is_refused" {
  command = plan

  variables {
    create_ivs_channel = false
  }

  expect_failures = [var.ivs_channel_arns]
}
