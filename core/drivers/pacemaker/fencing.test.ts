import { describe, expect, it } from 'vitest';
import {
  avoidSelfXml,
  parseAgentMetadata,
  parseInstalledAgents,
  statusTest,
  stonithPrimitiveXml,
  secretParam,
  takesPlug,
} from './fencing';

// Shortened from `stonith_admin --metadata --agent fence_ipmilan` (fence-agents 4.12).
const IPMI = `<?xml version="1.0" ?>
<resource-agent name="fence_ipmilan" shortdesc="Fence agent for IPMI" >
<parameters>
	<parameter name="action" unique="0" required="1"><shortdesc lang="en">Fencing action</shortdesc></parameter>
	<parameter name="ip" unique="0" required="1" obsoletes="ipaddr"><shortdesc lang="en">IP address or hostname of fencing device</shortdesc></parameter>
	<parameter name="ipaddr" unique="0" required="1" deprecated="1"><shortdesc lang="en">IP address or hostname of fencing device</shortdesc></parameter>
	<parameter name="lanplus" unique="0" required="0"><shortdesc lang="en">Use Lanplus to improve security of connection</shortdesc></parameter>
	<parameter name="password" unique="0" required="0"><shortdesc lang="en">Login password or passphrase</shortdesc></parameter>
	<parameter name="username" unique="0" required="0"><shortdesc lang="en">Login name</shortdesc></parameter>
</parameters>
</resource-agent>`;

describe('fencing', () => {
  it('lists the fence-agents agents stonith_admin knows', () => {
    expect(
      parseInstalledAgents(
        'apcmaster\nexternal/ipmi\nfence_watchdog\nfence_ipmilan\n40 fence devices found\n',
      ),
    ).toEqual(['fence_ipmilan', 'fence_watchdog']);
  });

  it('reads the parameters a person sets from the metadata, secrets marked', () => {
    const info = parseAgentMetadata('fence_ipmilan', IPMI);
    expect(info.description).toBe('Fence agent for IPMI');
    expect(info.parameters.map((p) => [p.name, p.required, p.secret])).toEqual([
      ['ip', true, false],
      ['lanplus', false, false],
      ['password', false, true],
      ['username', false, false],
    ]);
    expect(takesPlug(IPMI)).toBe(false);
    expect(takesPlug('<parameter name="plug" unique="0">')).toBe(true);
  });

  it('tests with status, options on stdin only', () => {
    const t = statusTest('fence_ipmilan', 'n2', { ip: '10.9.0.2', password: 'pw' }, false);
    expect(t.argv).toEqual(['fence_ipmilan']);
    expect(t.stdin).toBe('action=status\nip=10.9.0.2\npassword=pw\n');
    expect(statusTest('fence_x', 'n2', {}, true).stdin).toBe('action=status\nplug=n2\n');
  });

  it('builds the stonith resource, escaped, with secrets hidden on request', () => {
    const xml = stonithPrimitiveXml('n1', 'fence_ipmilan', { password: 'a"<b&' }, secretParam);
    expect(xml).toContain('<primitive id="fence-n1" class="stonith" type="fence_ipmilan">');
    expect(xml).toContain('name="password" value="a&quot;&lt;b&amp;"');
    expect(
      stonithPrimitiveXml('n1', 'fence_ipmilan', { password: 'x' }, secretParam, true),
    ).toContain('value="(hidden)"');
    expect(avoidSelfXml('n1')).toBe(
      '<rsc_location id="fence-n1-avoids-n1" rsc="fence-n1" node="n1" score="-INFINITY"/>',
    );
  });
});
