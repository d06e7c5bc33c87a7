// Writing a VM's tags (read by tags.ts): one `virsh metadata` command.
import type { Vm } from '../../../shared/model';
import { TAGS_XMLNS, TAGS_XML_KEY, vmTagSchema } from '../../../shared/tags';
import type { DriverStep } from '../capabilities';
import { virshArgv } from './commands';

/**
 * The command that sets a VM's tags (checked with vmTagsSchema before, so
 * each is a plain word: the document is built from data, no markup can get
 * in). No tags removes the element. A running VM gets them in its live and
 * its persistent definition; a shut-off one in its definition.
 */
export function setTagsStep(vm: Vm, tags: readonly string[]): DriverStep {
  for (const t of tags) vmTagSchema.parse(t);
  const where =
    vm.state === 'shutoff' ? ['--config'] : vm.persistent ? ['--live', '--config'] : ['--live'];
  const base = ['metadata', '--domain', vm.uuid, '--uri', TAGS_XMLNS, '--key', TAGS_XML_KEY];
  const doc = `<tags>${tags.map((t) => `<tag>${t}</tag>`).join('')}</tags>`;
  return {
    title: tags.length
      ? `Set the tags of ${vm.name}: ${tags.join(', ')}`
      : `Remove the tags of ${vm.name}`,
    argv: virshArgv(
      tags.length ? [...base, '--set', doc, ...where] : [...base, '--remove', ...where],
    ),
  };
}
