// Edits a VM's persistent definition through a DOM (xmldom), so everything
// the editor does not touch stays exactly as libvirt wrote it, and shows the
// change as a unified diff (jsdiff) before it is applied. Secrets in the XML
// (VNC passwords) are kept in the document and masked in the diff.
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom';
import { createTwoFilesPatch } from 'diff';
import type { VmSettings } from '../../../../shared/vm';
import { ClusterdeckError } from '../../../../shared/errors';

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

export function editDomainXml(xml: string, s: VmSettings): string {
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
    }
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

/** Hides secrets (VNC/SPICE passwords) from anything shown to the user. */
export function maskSecrets(xml: string): string {
  return xml.replace(/\bpasswd=(['"])[^'"]*\1/g, "passwd='••••••'");
}

/** The same document as the serializer writes it, so a diff shows only real changes. */
export function normalizedXml(xml: string): string {
  return new XMLSerializer().serializeToString(new DOMParser().parseFromString(xml, 'text/xml'));
}

export function definitionDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(
    `${name}.xml (now)`,
    `${name}.xml (after)`,
    maskSecrets(normalizedXml(before)),
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
