// Edits a VM's persistent definition through a DOM (xmldom), so everything
// the editor does not touch stays exactly as libvirt wrote it, and shows the
// change as a unified diff (jsdiff) before it is applied. Secrets in the XML
// (VNC passwords) are kept in the document and masked in the diff.
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom';
import { createTwoFilesPatch } from 'diff';
import type { VmSettings } from '../../../shared/vm';
import { ClusterdeckError } from '../../../shared/errors';
import {
  buildElement,
  cdromElement,
  diskElement,
  nicElement,
  type DiskVolume,
  type NicSource,
} from './domain-xml';

function children(el: Element, name: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).tagName === name) out.push(n as Element);
  }
  return out;
}

function child(el: Element, name: string): Element | undefined {
  return children(el, name)[0];
}

function setText(el: Element, value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(value));
}

/** Removes an element and the whitespace before it, so the layout stays tidy. */
function remove(el: Element): void {
  const prev = el.previousSibling;
  if (prev && prev.nodeType === 3 && !prev.nodeValue?.trim()) el.parentNode?.removeChild(prev);
  el.parentNode?.removeChild(el);
}

/** Sets an interface's <model type>, adding the element after <source> when it has none. */
function setNicModel(nic: Element, model: string | undefined): void {
  if (!model) return;
  const el = child(nic, 'model');
  if (el) {
    if (el.getAttribute('type') !== model) el.setAttribute('type', model);
    return;
  }
  const doc = nic.ownerDocument!;
  const m = doc.createElement('model');
  m.setAttribute('type', model);
  const after = child(nic, 'source') ?? child(nic, 'mac');
  const anchor = after?.nextSibling ?? null;
  nic.insertBefore(doc.createTextNode('\n      '), anchor);
  nic.insertBefore(m, anchor);
}

/** Devices the editor adds, resolved by the driver from the settings' pool ids. */
export interface DeviceAdds {
  disks: DiskVolume[];
  nics: NicSource[];
}

const BUS_PREFIX: Record<string, string> = {
  virtio: 'vd',
  sata: 'sd',
  scsi: 'sd',
  usb: 'sd',
  ide: 'hd',
};

/** The next free target name on a bus (vdb after vda), as libvirt and the guest expect. */
function freeTarget(used: Set<string>, bus: string): string {
  const prefix = BUS_PREFIX[bus] ?? 'vd';
  for (let i = 0; i < 26; i++) {
    const dev = prefix + String.fromCharCode(97 + i);
    if (!used.has(dev)) return dev;
  }
  throw new ClusterdeckError('invalid-input', `No free disk name left on the ${bus} bus.`);
}

/** Appends an element (given as XML text) to the devices, indented like its siblings. */
function appendDevice(devices: Element, xmlText: string): void {
  const doc = devices.ownerDocument!;
  const el = new DOMParser().parseFromString(xmlText, 'text/xml').documentElement!;
  const last = devices.lastChild;
  const anchor = last && last.nodeType === 3 ? last : null;
  devices.insertBefore(doc.createTextNode('\n    '), anchor);
  devices.insertBefore(doc.importNode(el, true), anchor);
}

export function editDomainXml(
  xml: string,
  s: VmSettings,
  adds: DeviceAdds = { disks: [], nics: [] },
): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const dom = doc.documentElement;
  if (!dom || dom.tagName !== 'domain') {
    throw new ClusterdeckError('command-failed', 'The VM’s definition is not a libvirt domain.');
  }
  const vcpu = child(dom, 'vcpu');
  if (vcpu) {
    setText(vcpu, String(s.vcpus));
    vcpu.removeAttribute('current');
  }
  for (const name of ['memory', 'currentMemory']) {
    const el = child(dom, name);
    if (!el) continue;
    el.setAttribute('unit', 'KiB');
    setText(el, String(s.memoryMiB * 1024));
  }
  const devices = child(dom, 'devices');
  if (devices) {
    for (const disk of children(devices, 'disk')) {
      const target = child(disk, 'target')?.getAttribute('dev');
      if (target && s.removeDisks.includes(target)) remove(disk);
    }
    for (const nic of children(devices, 'interface')) {
      const mac = child(nic, 'mac')?.getAttribute('address');
      if (mac && s.removeNics.includes(mac)) remove(nic);
      else if (mac) setNicModel(nic, s.nicModels.find((m) => m.mac === mac)?.model);
    }
    // New disks go on the bus the VM's disks already use, under the next free name.
    const disks = children(devices, 'disk');
    const used = new Set(disks.map((d) => child(d, 'target')?.getAttribute('dev') ?? ''));
    const bus =
      disks
        .filter((d) => d.getAttribute('device') !== 'cdrom')
        .map((d) => child(d, 'target')?.getAttribute('bus'))
        .find(Boolean) ?? 'virtio';
    for (const v of adds.disks) {
      const dev = freeTarget(used, bus);
      used.add(dev);
      appendDevice(devices, buildElement('disk', diskElement(v, { dev, bus })));
    }
    if (s.addCdrom) {
      // q35 has no IDE controller; i440fx ('pc') guests of any age read an IDE CD drive.
      const machine = child(child(dom, 'os') ?? dom, 'type')?.getAttribute('machine') ?? '';
      const cdBus = machine.includes('q35') ? 'sata' : 'ide';
      const dev = freeTarget(used, cdBus);
      used.add(dev);
      appendDevice(devices, buildElement('disk', cdromElement({ dev, bus: cdBus })));
    }
    // New interfaces take the model the VM's first one has (its guest has the driver).
    const model =
      children(devices, 'interface')
        .map((n) => child(n, 'model')?.getAttribute('type'))
        .find(Boolean) ?? 'virtio';
    for (const nic of adds.nics)
      appendDevice(devices, buildElement('interface', nicElement(nic, model)));
  }
  const os = child(dom, 'os');
  // A kernel boot has no boot order; otherwise <os><boot dev> sets it, and
  // per-device <boot order> (which libvirt forbids mixing with it) goes.
  if (os && s.bootOrder && !child(os, 'kernel')) {
    for (const b of children(os, 'boot')) remove(b);
    if (devices) {
      for (const kind of ['disk', 'interface', 'hostdev', 'redirdev']) {
        for (const dev of children(devices, kind)) for (const b of children(dev, 'boot')) remove(b);
      }
    }
    const indent = doc.createTextNode('\n    ');
    const after = child(os, 'type');
    let anchor = after?.nextSibling ?? null;
    for (const dev of s.bootOrder) {
      const b = doc.createElement('boot');
      b.setAttribute('dev', dev);
      os.insertBefore(indent.cloneNode(false), anchor);
      os.insertBefore(b, anchor);
      anchor = b.nextSibling;
    }
  }
  return new XMLSerializer().serializeToString(doc);
}

/** Attributes that hold a password in libvirt's XML (graphics: VNC, SPICE, RDP). */
const SECRET_ATTRIBUTES = ['passwd'];
const MASK = '••••••';

/**
 * Hides secrets (VNC/SPICE passwords) from anything shown to the user. The
 * document is masked as a DOM, not as text, so no quoting or escaping of the
 * password (', ", &, <) can slip past; the result is the document as the
 * serializer writes it. A document that cannot be read is not shown at all.
 */
export function maskSecrets(xml: string): string {
  let doc;
  try {
    doc = new DOMParser({ onError: fail }).parseFromString(xml, 'text/xml');
  } catch {
    return '(not shown: the definition could not be read to hide its passwords)';
  }
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i)!;
    for (const name of SECRET_ATTRIBUTES) if (el.hasAttribute(name)) el.setAttribute(name, MASK);
  }
  return new XMLSerializer().serializeToString(doc);
}

function fail(level: string, message: string): void {
  if (level !== 'warning') throw new Error(message);
}

/** The same document as the serializer writes it, so a diff shows only real changes. */
export function normalizedXml(xml: string): string {
  return new XMLSerializer().serializeToString(new DOMParser().parseFromString(xml, 'text/xml'));
}

export function definitionDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(
    `${name}.xml (now)`,
    `${name}.xml (after)`,
    maskSecrets(before),
    maskSecrets(after),
    '',
    '',
    { context: 2 },
  );
}

/** Where a disk's copy goes, by the disk's target (vda). */
export type DiskCopies = Map<string, { pool: string; volume: string }>;

/** The disks of a definition that hold data (not CD-ROMs), with their source. */
export function dataDisks(
  xml: string,
): { target: string; file?: string; pool?: string; volume?: string }[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const devices = doc.documentElement ? child(doc.documentElement, 'devices') : undefined;
  if (!devices) return [];
  return children(devices, 'disk')
    .filter((d) => (d.getAttribute('device') || 'disk') === 'disk')
    .map((d) => {
      const src = child(d, 'source');
      return {
        target: child(d, 'target')?.getAttribute('dev') ?? '',
        ...(src?.getAttribute('file') ? { file: src.getAttribute('file')! } : {}),
        ...(src?.getAttribute('pool')
          ? { pool: src.getAttribute('pool')!, volume: src.getAttribute('volume') ?? '' }
          : {}),
      };
    });
}

/**
 * A clone's definition: a new name, no UUID or MAC addresses (libvirt makes
 * new ones), no firmware variables file, and each data disk pointing at its
 * copy as a pool volume.
 */
export function cloneDomainXml(xml: string, name: string, copies: DiskCopies): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const dom = doc.documentElement!;
  setText(child(dom, 'name')!, name);
  const uuid = child(dom, 'uuid');
  if (uuid) remove(uuid);
  const os = child(dom, 'os');
  const nvram = os && child(os, 'nvram');
  if (nvram) remove(nvram);
  const devices = child(dom, 'devices');
  if (devices) {
    for (const nic of children(devices, 'interface')) {
      const mac = child(nic, 'mac');
      if (mac) remove(mac);
    }
    for (const disk of children(devices, 'disk')) {
      const target = child(disk, 'target')?.getAttribute('dev') ?? '';
      const copy = copies.get(target);
      if (!copy) continue;
      disk.setAttribute('type', 'volume');
      const old = child(disk, 'source');
      const src = doc.createElement('source');
      src.setAttribute('pool', copy.pool);
      src.setAttribute('volume', copy.volume);
      if (old) disk.replaceChild(src, old);
      else disk.appendChild(src);
    }
  }
  return new XMLSerializer().serializeToString(doc);
}
