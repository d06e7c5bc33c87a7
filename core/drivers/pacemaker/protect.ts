// Protect with HA: the commands that make a libvirt VM a Pacemaker
// VirtualDomain resource, run on the node the VM is on. Its definition is
// written beside its first disk (on storage every member sees, checked by
// the caller), libvirt's own autostart is turned off (Pacemaker alone starts
// it now: a node that boots must not start a VM Pacemaker runs elsewhere),
// and the resource allows live migration over SSH. Preferred nodes are
// location constraints with their scores. Every value is one argv element.
import { posix } from 'node:path';
import type { DriverStep } from '../capabilities';
import { isConfigPath, isResourceId } from './commands';

const URI = 'qemu:///system';

export interface ProtectSpec {
  /** The resource id (the VM's name, checked by isResourceId). */
  id: string;
  uuid: string;
  /** Where the definition goes: a file on shared storage. */
  config: string;
  /** The VM's libvirt autostart flag now, to take back on Undo. */
  autostart: boolean;
  /** HA node name and score (1..1000000) of each preferred node. */
  preferred: { node: string; score: number }[];
}

/** The definition file's path beside a disk: `<disk's folder>/<id>.xml`. */
export const configBeside = (diskPath: string, id: string): string =>
  posix.join(posix.dirname(diskPath), `${id}.xml`);

export function protectProblems(spec: ProtectSpec): string[] {
  const problems: string[] = [];
  if (!isResourceId(spec.id))
    problems.push(
      `"${spec.id}" cannot be a Pacemaker resource id (letters, digits, _ . - only, not starting with a digit).`,
    );
  if (!isConfigPath(spec.config))
    problems.push(`${spec.config} is not a plain absolute path for the VM's definition.`);
  for (const p of spec.preferred)
    if (!isResourceId(p.node) || !Number.isInteger(p.score) || p.score < 1 || p.score > 1000000)
      problems.push(`A preferred node needs a node name and a score from 1 to 1000000.`);
  return problems;
}

/** The steps, the first printing the definition the second writes. */
export function protectSteps(spec: ProtectSpec): DriverStep[] {
  const { id, uuid, config } = spec;
  const steps: DriverStep[] = [
    {
      title: `Write ${id}'s definition to ${config}`,
      // --security-info keeps a VNC password; the file stays root's (umask 077).
      argv: [
        'sh',
        '-c',
        'umask 077 && virsh -c "$1" dumpxml --inactive --security-info --domain "$2" > "$3"',
        'sh',
        URI,
        uuid,
        config,
      ],
      undoStep: { title: `Remove ${config}`, argv: ['rm', '-f', '--', config] },
    },
    {
      title: `Turn off libvirt's autostart of ${id} (Pacemaker starts it now)`,
      argv: ['virsh', '-c', URI, 'autostart', '--disable', '--domain', uuid],
      ...(spec.autostart
        ? {
            undoStep: {
              title: `Turn libvirt's autostart of ${id} back on`,
              argv: ['virsh', '-c', URI, 'autostart', '--domain', uuid],
            },
          }
        : {}),
    },
    {
      title: `Make ${id} a VirtualDomain resource (live migration over SSH)`,
      argv: [
        'crm',
        'configure',
        'primitive',
        id,
        'ocf:heartbeat:VirtualDomain',
        'params',
        `config=${config}`,
        `hypervisor=${URI}`,
        'migration_transport=ssh',
        'meta',
        'allow-migrate=true',
        'op',
        'monitor',
        'interval=10s',
        'timeout=30s',
        'op',
        'start',
        'timeout=90s',
        'op',
        'stop',
        'timeout=90s',
        'op',
        'migrate_to',
        'timeout=120s',
        'op',
        'migrate_from',
        'timeout=90s',
      ],
      // Stopped before it is deleted: a deleted resource that still runs is an orphan
      // Pacemaker stops without its parameters, which fails and fences the node.
      undoStep: {
        title: `Stop ${id} through Pacemaker and delete the resource (libvirt keeps its definition)`,
        argv: [
          'sh',
          '-c',
          'crm resource stop "$1" && crm_resource --wait --timeout=150 && crm configure delete "$1"',
          'sh',
          id,
        ],
      },
    },
  ];
  for (const p of spec.preferred) {
    const cid = `${id}-prefers-${p.node}`;
    steps.push({
      title: `Prefer ${p.node} for ${id} (score ${p.score})`,
      argv: ['crm', 'configure', 'location', cid, id, `${p.score}:`, p.node],
      undoStep: {
        title: `Drop the preference for ${p.node}`,
        argv: ['crm', 'configure', 'delete', cid],
      },
    });
  }
  return steps;
}

/**
 * Remove HA: the VM goes back to plain libvirt on the node it runs on. Its
 * definition is made persistent there from the shared file first; Pacemaker
 * then stops it and the resource is deleted (crmsh drops the constraints
 * that name it), and libvirt starts it again where it ran. A running
 * resource cannot be deleted in place: it would become an orphan whose stop
 * fails without its parameters, and its node would be fenced.
 */
export function unprotectSteps(r: {
  id: string;
  config: string;
  domain: string;
  running: boolean;
}): DriverStep[] {
  return [
    {
      title: `Keep ${r.domain}'s definition in libvirt on this node`,
      argv: ['virsh', '-c', URI, 'define', '--file', r.config],
    },
    {
      title: `Stop ${r.id} through Pacemaker and delete the resource and its constraints`,
      argv: [
        'sh',
        '-c',
        'crm resource stop "$1" && crm_resource --wait --timeout=150 && crm configure delete "$1"',
        'sh',
        r.id,
      ],
    },
    ...(r.running
      ? [
          {
            title: `Start ${r.domain} again with libvirt`,
            argv: ['virsh', '-c', URI, 'start', '--domain', r.domain],
          },
        ]
      : []),
  ];
}
