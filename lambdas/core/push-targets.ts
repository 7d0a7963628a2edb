/**
 * Where a destination may push: the host of `rtmpUrl`, classified. Pure (URL and ipaddr.js only).
 *
 * The engine that pushes (MediaLive, a relay task, ffmpeg locally) connects wherever `rtmpUrl`
 * points, from inside AWS. A URL aimed at an internal address would make it a request forger:
 *
 * - `forbidden`, always refused: link-local addresses (169.254.0.0/16, fe80::/10) and the cloud
 *   metadata services — AWS's instance metadata at 169.254.169.254 and fd00:ec2::254
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html), the ECS
 *   task metadata at 169.254.170.2, Google's metadata.google.internal — and multicast/broadcast
 *   addresses, which are no server.
 * - `private`, refused in AWS unless the deployment allows it (`allow_private_rtmp_targets`, for a
 *   server of the user's own in the VPC); the local stack allows it: loopback (127.0.0.0/8, ::1,
 *   localhost), private networks (10/8, 172.16/12, 192.168/16, fc00::/7), shared address space
 *   (100.64.0.0/10) and the unspecified address (0.0.0.0, ::).
 * - `public`: everything else.
 *
 * Numbers are read the way the resolver the engine uses reads them: `0xa9fea9fe`, `2852039166`,
 * `0251.0376.0251.0376` and `169.254.43518` are all 169.254.169.254 (inet_aton's forms, which the
 * WHATWG URL parser applies to http hosts), and IPv4 inside IPv6 (`::ffff:a9fe:a9fe`,
 * `64:ff9b::a9fe:a9fe`) is judged as the IPv4 address.
 *
 * What this cannot see: a DNS name is judged by its name, not by the address it resolves to at
 * push time (a name of the user's own may point at 10.0.0.5 or change after validation). The
 * engine's network is the wall for that case (README, "Push targets").
 */
import ipaddr from 'ipaddr.js';

export type PushTargetClass =
  { kind: 'public' } | { kind: 'private' } | { kind: 'forbidden'; reason: 'link-local' | 'metadata' | 'not-unicast' } | { kind: 'invalid' };

/** Names of metadata services (lower case, no trailing dot). */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
const AWS_METADATA_IPV6 = ipaddr.IPv6.parse('fd00:ec2::254');
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat', 'unspecified']);

/** The IPv4 address an IPv6 address carries (mapped, translated, NAT64), if any. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  if (range === 'ipv4Mapped') return address.toIPv4Address();
  if (range === 'rfc6052' || range === 'rfc6145') {
    const bytes = address.toByteArray().slice(12);
    return new ipaddr.IPv4(bytes);
  }
  return undefined;
}

function classifyAddress(address: ipaddr.IPv4 | ipaddr.IPv6): PushTargetClass {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    const inner = embeddedIpv4(v6);
    if (inner !== undefined) return classifyAddress(inner);
    if (v6.toNormalizedString() === AWS_METADATA_IPV6.toNormalizedString()) return { kind: 'forbidden', reason: 'metadata' };
  }
  const range = address.range();
  if (range === 'linkLocal') return { kind: 'forbidden', reason: 'link-local' };
  if (range === 'multicast' || range === 'broadcast') return { kind: 'forbidden', reason: 'not-unicast' };
  if (PRIVATE_RANGES.has(range)) return { kind: 'private' };
  return { kind: 'public' };
}

/**
 * Classifies the host part of a URL as `new URL(...)` gives it (`hostname`: brackets around IPv6,
 * no port).
 */
export function classifyPushHost(hostname: string): PushTargetClass {
  const host = hostname.toLowerCase();
  if (host === '' || host.includes('%')) return { kind: 'invalid' };
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || !ipaddr.IPv6.isValid(host.slice(1, -1))) return { kind: 'invalid' };
    return classifyAddress(ipaddr.IPv6.parse(host.slice(1, -1)));
  }
  // rtmp:// hosts are opaque to the URL parser; an http:// URL applies the IPv4 number forms.
  let canonical: string;
  try {
    canonical = new URL(`http://${host}/`).hostname;
  } catch {
    return { kind: 'invalid' };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(canonical)) return classifyAddress(ipaddr.IPv4.parse(canonical));
  const name = canonical.replace(/\.$/, '');
  if (METADATA_NAMES.has(name)) return { kind: 'forbidden', reason: 'metadata' };
  if (name === 'localhost' || name.endsWith('.localhost')) return { kind: 'private' };
  return { kind: 'public' };
}
