resource "aws_dynamodb_table" "destinations" {
  name                        = local.destinations_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  attribute {
    name = "channelArn"
    type = "S"
  }

  # An IVS event reads only its channel's destinations.
  global_secondary_index {
    name            = local.by_channel_index_name
    hash_key        = "channelArn"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}

# One item per IVS channel (id = channel ARN): LIVE/OFFLINE, stream id, offlineSince.
resource "aws_dynamodb_table" "stream_state" {
  name                        = local.stream_state_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}

# Destination history: one item per event (key destinationId + time-ordered eventId), deleted by
# DynamoDB's TTL 30 days after the event (expiresAt, epoch seconds, set by the writer). TTL deletes
# "typically within two days" of expiry; readers filter expired items themselves
# (https://docs.aws.amazon.com/cli/v1/reference/dynamodb/update-time-to-live.html).
resource "aws_dynamodb_table" "destination_events" {
  name                        = local.destination_events_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "destinationId"
  range_key                   = "eventId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "destinationId"
    type = "S"
  }

  attribute {
    name = "eventId"
    type = "S"
  }

  ttl {
    enabled        = true
    attribute_name = "expiresAt"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}
