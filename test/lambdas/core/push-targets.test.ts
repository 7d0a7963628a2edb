/**
 * Where a destination may push (core/push-targets.ts): every class and reason, for the forms the
 * engine's resolver reads (IPv4 number forms, IPv4 inside IPv6, names with a trailing dot).
 */
import { describe, expect, it } from '@jest/globals';
import { classifyPushHost } from '../../../lambdas/core/push-targets';

/** The host part as `new URL(rtmpUrl).hostname` gives it to the classifier. */
const hostOf = (url: string): string => new URL(url).hostname;

describe('classifyPushHost', () => {
  it.each([
    ['the AWS instance metadata address', '169.254.169.254'],
    ['the ECS task metadata address', '169.254.170.2'],
    ['a link-local address in hex', '0xa9fea9fe'],
    ['a link-local address as one number', '2852039166'],
    ['a link-local address in octal', '0251.0376.0251.0376'],
    ['a link-local address in two parts', '169.254.43518'],
    ['a link-local address with a trailing dot', '169.254.169.254.'],
    ['an IPv6 link-local address', '[fe80::1]'],
    ['IPv4 link-local mapped into IPv6', '[::ffff:169.254.169.254]'],
    ['IPv4 link-local mapped into IPv6, in hex', '[::ffff:a9fe:a9fe]'],
    ['IPv4 link-local behind NAT64 (RFC 6052)', '[64:ff9b::a9fe:a9fe]'],
    ['IPv4 link-local translated (RFC 6145)', '[::ffff:0:a9fe:a9fe]'],
  ])('refuses %s as link-local', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'forbidden', reason: 'link-local' });
  });

  it.each([
    ['the AWS metadata IPv6 address', '[fd00:ec2::254]'],
    ['it in capitals', '[FD00:EC2::254]'],
    ['it written out', '[fd00:ec2:0:0:0:0:0:254]'],
    ['Google metadata', 'metadata.google.internal'],
    ['Google metadata in capitals with a trailing dot', 'Metadata.Google.Internal.'],
    ['metadata.goog', 'metadata.goog'],
    ['the bare metadata name', 'metadata'],
    ['instance-data', 'instance-data'],
    ['instance-data.ec2.internal', 'instance-data.ec2.internal'],
  ])('refuses %s as a metadata service', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'forbidden', reason: 'metadata' });
  });

  it.each([
    ['IPv4 multicast', '224.0.0.1'],
    ['the IPv4 broadcast address', '255.255.255.255'],
    ['IPv6 multicast', '[ff02::1]'],
  ])('refuses %s as no unicast server', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'forbidden', reason: 'not-unicast' });
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback as one number', '2130706433'],
    ['10/8', '10.1.2.3'],
    ['172.16/12', '172.16.0.1'],
    ['192.168/16', '192.168.1.10'],
    ['shared address space', '100.64.0.1'],
    ['the unspecified address', '0.0.0.0'],
    ['IPv6 loopback', '[::1]'],
    ['the IPv6 unspecified address', '[::]'],
    ['IPv6 unique local', '[fc00::1]'],
    ['IPv4 private mapped into IPv6', '[::ffff:10.0.0.1]'],
    ['localhost', 'localhost'],
    ['LOCALHOST with a trailing dot', 'LOCALHOST.'],
    ['a name under localhost', 'studio.localhost'],
  ])('classifies %s as private', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'private' });
  });

  it.each([
    ['a platform ingest name', 'a.rtmp.youtube.com'],
    ['a public IPv4 address', '8.8.8.8'],
    ['a public IPv6 address', '[2606:4700:4700::1111]'],
    ['a public IPv4 address behind NAT64', '[64:ff9b::808:808]'],
    ['a name that only begins like localhost', 'localhost.example.com'],
    ['a name that only ends like localhost', 'mylocalhost'],
    ['a name that only begins like a metadata name', 'metadata.google.internal.example.com'],
    ['a name containing instance-data', 'my-instance-data'],
  ])('classifies %s as public', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'public' });
  });

  it.each([
    ['an empty host', ''],
    ['an IPv6 zone id', '[fe80::1%25eth0]'],
    ['a percent sign in a name', 'a%41.example.com'],
    ['an unclosed bracket', '[::1'],
    ['a bracketed non-address', '[not-an-address]'],
    ['a name the URL parser refuses', 'exa mple.com'],
  ])('refuses %s as invalid', (_what, host) => {
    expect(classifyPushHost(host)).toEqual({ kind: 'invalid' });
  });

  it('judges the host of an rtmp URL as the URL parser hands it over', () => {
    expect(classifyPushHost(hostOf('rtmp://[::ffff:a9fe:a9fe]:1935/live'))).toEqual({ kind: 'forbidden', reason: 'link-local' });
    expect(classifyPushHost(hostOf('rtmps://a.rtmps.youtube.com:443/live2'))).toEqual({ kind: 'public' });
  });
});
