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
    condition = (
      aws_cognito_resource_server.api[0].identifier == "acme-live-api" &&
      one(aws_cognito_resource_server.api[0].scope).scope_name == "admin" &&
      contains(aws_cognito_user_pool_client.admin[0].allowed_oauth_scopes, "acme-live-api/admin") &&
      output.cognito_scopes == "openid email profile acme-live-api/admin"
    )
    error_message = "The API's resource server has the scope acme-live-api/admin; the admin UI's client may request it and the UI is told to."
  }
  assert {
    condition = (
      module.stream_restreaming[0].api_admin_scope == "acme-live-api/admin" &&
      module.stream_restreaming[0].api_admin_group == "admins"
    )
    error_message = "The API requires the admin scope (authorizer and function) and the admins group (function)."
  }
  assert {
    condition = (
      aws_cognito_user_group.admins[0].name == "admins" &&
      keys(aws_cognito_user_in_group.admin) == ["admin@example.com"] &&
      aws_cognito_user_in_group.admin["admin@example.com"].group_name == "admins"
    )
    error_message = "The admins group is created with every admin_users entry in it."
  }
  assert {
    condition = (
      strcontains(module.admin_site.content_security_policy, "connect-src 'self' https://mockedapi.execute-api.eu-central-1.amazonaws.com https://cognito-idp.eu-central-1.amazonaws.com https://acme-live-123456789012.auth.eu-central-1.amazoncognito.com https://*.live-video.net;")
    )
    error_message = "The admin site's CSP lets the UI reach this API's origin, the login endpoints and IVS playback (the preview), nothing else (no *.execute-api wildcard)."
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
    jwt_issuer         = "https://login.example.com/realms/live"
    jwt_audience       = ["admin-ui"]
    admin_scope        = "restreaming:admin"
  }

  assert {
    condition     = length(aws_ivs_channel.this) == 0 && length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user.admin) == 0
    error_message = "Existing channels and an existing issuer create neither a channel nor a user pool."
  }
  assert {
    condition = (
      tolist(output.ivs_channel_arns) == tolist(["arn:aws:ivs:eu-central-1:123456789012:channel/Existing1"]) &&
      output.cognito_issuer == "https://login.example.com/realms/live" && output.cognito_client_id == "admin-ui" && output.cognito_domain == null &&
      output.ivs_stream_key == null
    )
    error_message = "The outputs follow the given channels and issuer."
  }
  assert {
    condition = (
      module.stream_restreaming[0].api_admin_scope == "restreaming:admin" && module.stream_restreaming[0].api_admin_group == null &&
      output.cognito_scopes == "openid email profile restreaming:admin" &&
      strcontains(module.admin_site.content_security_policy, "connect-src 'self' https://mockedapi.execute-api.eu-central-1.amazonaws.com https://login.example.com https://*.live-video.net;")
    )
    error_message = "An existing issuer is checked by admin_scope (its tokens have no cognito:groups); the CSP names its origin."
  }
}

run "existing_issuer_needs_an_admin_scope" {
  command = plan

  variables {
    jwt_issuer   = "https://login.example.com"
    jwt_audience = ["admin-ui"]
  }

  expect_failures = [var.admin_scope]
}

run "api_auth_none_needs_the_acknowledgement" {
  command = plan

  variables {
    api_auth = "none"
  }

  expect_failures = [var.api_auth]
}

run "api_auth_none_with_the_acknowledgement" {
  command = plan

  variables {
    api_auth                        = "none"
    acknowledge_unauthenticated_api = true
  }

  assert {
    condition     = module.stream_restreaming[0].api_admin_scope == null && output.cognito_scopes == null
    error_message = "With the acknowledgement, api_auth = \"none\" plans an open API."
  }
}

run "no_channel_at_all_is_refused" {
  command = plan

  variables {
    create_ivs_channel = false
  }

  expect_failures = [var.ivs_channel_arns]
}

run "relays_off_by_default_no_vpc" {
  command = plan

  assert {
    condition     = length(aws_vpc.relays) == 0 && length(aws_subnet.relays) == 0
    error_message = "Without enable_relays no VPC is created."
  }
}

run "relays_without_subnets_get_a_public_vpc_without_nat" {
  command = plan
  variables {
    enable_relays = true
  }

  assert {
    condition     = length(aws_vpc.relays) == 1 && length(aws_subnet.relays) == 2 && length(aws_internet_gateway.relays) == 1
    error_message = "enable_relays without relay_subnet_ids creates a VPC with two subnets and an internet gateway."
  }
  assert {
    condition     = toset([for s in aws_subnet.relays : s.availability_zone]) == toset(["eu-central-1a", "eu-central-1b"])
    error_message = "The two subnets are in two zones (Fargate capacity is per zone)."
  }
  assert {
    condition     = aws_route.relays_internet[0].destination_cidr_block == "0.0.0.0/0" && aws_route.relays_internet[0].nat_gateway_id == null
    error_message = "The subnets are public: the default route goes to the internet gateway, no NAT."
  }
}

run "relays_use_the_given_subnets" {
  command = plan
  variables {
    enable_relays    = true
    relay_subnet_ids = ["subnet-0a1b2c3d"]
  }

  assert {
    condition     = length(aws_vpc.relays) == 0
    error_message = "Given subnets, no VPC is created."
  }
}
