# The creator's channel. Public playback (authorized = false): MediaLive pulls the HLS playback
# URL without a token; private channels are not supported yet.
resource "aws_ivs_channel" "this" {
  count = var.create_ivs_channel ? 1 : 0

  name         = "${var.project_name}-channel"
  latency_mode = "LOW"
  type         = var.ivs_channel_type
  authorized   = false
}

# IVS creates one stream key with the channel; this reads it for the sensitive output.
data "aws_ivs_stream_key" "this" {
  count = var.create_ivs_channel ? 1 : 0

  channel_arn = aws_ivs_channel.this[0].arn
}

locals {
  ivs_channel_arns = concat(aws_ivs_channel.this[*].arn, var.ivs_channel_arns)
}
