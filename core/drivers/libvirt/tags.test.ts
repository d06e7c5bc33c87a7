import { describe, expect, it } from 'vitest';
import type { Vm } from '../../../shared/model';
import { vmTagsSchema } from '../../../shared/tags';
import { parseDomainXml } from './parse-domain';
import { setTagsStep } from './tag-steps';

const domain = (metadata: string) =>
  `<domain type='qemu'><name>db</name><uuid>0b5a8c1e-0000-4000-8000-000000000001</uuid>
  <metadata>${metadata}</metadata><memory unit='KiB'>65536</memory><vcpu>1</vcpu><devices/></domain>`;

const vm = (state: Vm['state'], persistent = true) =>
  ({ name: 'db', uuid: '0b5a8c1e-0000-4000-8000-000000000001', state, persistent }) as Vm;

describe('VM tags in domain metadata', () => {
  it('reads the tags of Clusterdeck’s namespace, whatever the prefix', () => {
    const xml = domain(
      `<clusterdeck:tags xmlns:clusterdeck="https://clusterdeck.app/xmlns/tags/1">
         <clusterdeck:tag>web</clusterdeck:tag><clusterdeck:tag>prod-1</clusterdeck:tag>
       </clusterdeck:tags>`,
    );
    expect(parseDomainXml(xml).tags).toEqual(['web', 'prod-1']);
    const other = domain(
      `<cd:tags xmlns:cd="https://clusterdeck.app/xmlns/tags/1"><cd:tag>one</cd:tag></cd:tags>`,
    );
    expect(parseDomainXml(other).tags).toEqual(['one']);
  });

  it('ignores other namespaces, no metadata, and values that are not tags', () => {
    expect(parseDomainXml(domain('')).tags).toBeUndefined();
    expect(
      parseDomainXml(domain(`<x:tags xmlns:x="https://example.com/tags"><x:tag>a</x:tag></x:tags>`))
        .tags,
    ).toBeUndefined();
    const odd = domain(
      `<c:tags xmlns:c="https://clusterdeck.app/xmlns/tags/1"><c:tag>has space</c:tag><c:tag>ok</c:tag><c:tag>ok</c:tag></c:tags>`,
    );
    expect(parseDomainXml(odd).tags).toEqual(['ok']);
  });

  it('sets them with virsh metadata, live too when the VM runs', () => {
    const off = setTagsStep(vm('shutoff'), ['web', 'db']);
    expect(off.argv.slice(3)).toEqual([
      'metadata',
      '--domain',
      '0b5a8c1e-0000-4000-8000-000000000001',
      '--uri',
      'https://clusterdeck.app/xmlns/tags/1',
      '--key',
      'clusterdeck',
      '--set',
      '<tags><tag>web</tag><tag>db</tag></tags>',
      '--config',
    ]);
    expect(setTagsStep(vm('running'), ['a']).argv.slice(-2)).toEqual(['--live', '--config']);
    expect(setTagsStep(vm('running', false), ['a']).argv.slice(-1)).toEqual(['--live']);
    expect(setTagsStep(vm('shutoff'), []).argv.slice(-2)).toEqual(['--remove', '--config']);
  });

  it('refuses markup and spaces, before any command is made', () => {
    for (const bad of ['<b>', 'a b', '-x', 'a&b', '', 'x'.repeat(33)])
      expect(vmTagsSchema.safeParse([bad]).success, bad).toBe(false);
    expect(() => setTagsStep(vm('shutoff'), ['</tag><x>'])).toThrow();
    expect(vmTagsSchema.safeParse(['web', 'web']).success).toBe(false);
  });
});
