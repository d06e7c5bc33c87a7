// What a guest needs from the node it runs on, read from its definition for
// Migrate VM's preflight: its CPU (mode and model) and the files it boots
// from (a kernel and initrd for direct boot, firmware), which a move does not
// carry and the target must have at the same paths.
import { obj, text, xmlParser } from './xml';

const xml = xmlParser();

export interface GuestNeeds {
  cpu: { mode: string; model: string };
  /** Absolute paths on the node: kernel, initrd, device tree, firmware code. */
  bootFiles: string[];
}

export function guestNeeds(domainXml: string): GuestNeeds {
  const domain = obj(obj(xml.parse(domainXml)).domain);
  const cpu = obj(domain.cpu);
  const os = obj(domain.os);
  // The NVRAM file is the guest's own; libvirt makes it on the target.
  const bootFiles = [os.kernel, os.initrd, os.dtb, os.loader]
    .map((v) => text(v).trim())
    .filter((p) => p.startsWith('/'));
  return {
    cpu: { mode: String(cpu['@mode'] ?? 'custom'), model: text(cpu.model).trim() },
    bootFiles,
  };
}
