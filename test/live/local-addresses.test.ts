import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { CidrSet } from '../../src/config/cidr.js';
import { defaultGateways, localAllowlist } from '../../src/live/local-addresses.js';

describe('live: the machine protects itself', () => {
  it('allowlists every address of every interface, and the default gateways', () => {
    const allow = new CidrSet(localAllowlist());
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) assert.ok(allow.hasAddr(a.address.split('%')[0]), a.address);
    }
    for (const gw of defaultGateways()) assert.ok(allow.hasAddr(gw), gw);
    assert.ok(allow.hasAddr('127.0.0.1'));
    assert.ok(!allow.hasAddr('192.0.2.66'));
  });
});
