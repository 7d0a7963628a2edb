# Where the pass-through relay tasks run (enable_relays). With relay_subnet_ids, those subnets;
# without, a minimal VPC made for them: two public subnets in two zones, an internet gateway, no
# NAT gateway (a NAT costs more per hour than a relay task; the tasks get public IPs instead and
# the security group lets nothing in).

locals {
  create_relay_vpc = var.enable_stream_restreaming && var.enable_relays && length(var.relay_subnet_ids) == 0
  relay_subnet_ids = local.create_relay_vpc ? [for s in aws_subnet.relays : s.id] : var.relay_subnet_ids
}

data "aws_availability_zones" "available" {
  count = local.create_relay_vpc ? 1 : 0

  state = "available"
}

resource "aws_vpc" "relays" {
  count = local.create_relay_vpc ? 1 : 0

  cidr_block           = "10.64.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.project_name}-relays" }
}

resource "aws_internet_gateway" "relays" {
  count = local.create_relay_vpc ? 1 : 0

  vpc_id = aws_vpc.relays[0].id
  tags   = { Name = "${var.project_name}-relays" }
}

resource "aws_subnet" "relays" {
  for_each = local.create_relay_vpc ? { a = 0, b = 1 } : {}

  vpc_id            = aws_vpc.relays[0].id
  availability_zone = data.aws_availability_zones.available[0].names[each.value]
  # A /20 each (4,091 usable addresses): every relay task takes one address for its network
  # interface, so two /24s would stop at about 500 live destinations.
  cidr_block = cidrsubnet(aws_vpc.relays[0].cidr_block, 4, each.value)
  # Tasks get a public IP from RunTask (assignPublicIp); nothing else is launched here.
  map_public_ip_on_launch = false
  tags                    = { Name = "${var.project_name}-relays-${each.key}" }
}

resource "aws_route_table" "relays" {
  count = local.create_relay_vpc ? 1 : 0

  vpc_id = aws_vpc.relays[0].id
  tags   = { Name = "${var.project_name}-relays" }
}

resource "aws_route" "relays_internet" {
  count = local.create_relay_vpc ? 1 : 0

  route_table_id         = aws_route_table.relays[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.relays[0].id
}

resource "aws_route_table_association" "relays" {
  for_each = aws_subnet.relays

  subnet_id      = each.value.id
  route_table_id = aws_route_table.relays[0].id
}
