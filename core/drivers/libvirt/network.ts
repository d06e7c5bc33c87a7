// One function per libvirt network operation, each returning the exact virsh
// commands it takes. A new network's document is built with a real XML
// builder from the checked spec and goes on stdin (`net-define --file
// /dev/stdin`); existing networks are addressed by UUID, so a name starting
// with `-` can never read as an option. Element names follow
// https://libvirt.org/formatnetwork.html.
import { XMLBuilder } from 'fast-xml-parser';
import type { Network } from '../../../shared/model';
import type { NetworkAction, NetworkSpec } from '../../../shared/network';
import type { DriverStep } from '../driver';
import { virshArgv } from './commands';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

/** The network's libvirt document: forward mode, bridge, address and DHCP range. */
export function buildNetworkXml(spec: NetworkSpec): string {
  const forward =
    spec.mode === 'isolated'
      ? {}
      : {
          forward: { '@mode': spec.mode, ...(spec.forwardDev ? { '@dev': spec.forwardDev } : {}) },
        };
  const ip = spec.address
    ? {
        ip: {
          '@address': spec.address,
          '@prefix': String(spec.prefix),
          ...(spec.dhcpStart && spec.dhcpEnd
            ? { dhcp: { range: { '@start': spec.dhcpStart, '@end': spec.dhcpEnd } } }
            : {}),
        },
      }
    : {};
  return builder.build({
    network: {
      name: spec.name,
      ...forward,
      ...(spec.bridge ? { bridge: { '@name': spec.bridge, '@stp': 'on', '@delay': '0' } } : {}),
      ...ip,
    },
  }) as string;
}

/** Define, then (as asked) start and mark autostart; each taken back if a later step fails. */
export function createNetworkSteps(spec: NetworkSpec): DriverStep[] {
  // A name the spec checked: a letter or digit first, so it stands bare.
  const steps: DriverStep[] = [
    {
      title: 'Define the network',
      argv: virshArgv(['net-define', '--file', '/dev/stdin']),
      stdin: buildNetworkXml(spec),
      undoStep: {
        title: 'Remove the network’s definition',
        argv: virshArgv(['net-undefine', spec.name]),
      },
    },
  ];
  if (spec.start)
    steps.push({
      title: 'Start the network',
      argv: virshArgv(['net-start', spec.name]),
      undoStep: { title: 'Stop the network', argv: virshArgv(['net-destroy', spec.name]) },
    });
  if (spec.autostart)
    steps.push({
      title: 'Start it with the node',
      argv: virshArgv(['net-autostart', spec.name]),
      undoStep: {
        title: 'No autostart',
        argv: virshArgv(['net-autostart', '--disable', spec.name]),
      },
    });
  return steps;
}

const start = (uuid: string): DriverStep => ({
  title: 'Start the network',
  argv: virshArgv(['net-start', uuid]),
  undoStep: { title: 'Stop the network', argv: virshArgv(['net-destroy', uuid]) },
});

const stop = (uuid: string): DriverStep => ({
  title: 'Stop the network',
  argv: virshArgv(['net-destroy', uuid]),
  undoStep: { title: 'Start the network', argv: virshArgv(['net-start', uuid]) },
});

const autostart = (uuid: string, on: boolean): DriverStep => ({
  title: on ? 'Start it with the node' : 'Do not start it with the node',
  argv: virshArgv(['net-autostart', ...(on ? [] : ['--disable']), uuid]),
  undoStep: {
    title: on ? 'No autostart' : 'Autostart again',
    argv: virshArgv(['net-autostart', ...(on ? ['--disable'] : []), uuid]),
  },
});

export function networkActionSteps(net: Network, action: NetworkAction): DriverStep[] {
  switch (action) {
    case 'start':
      return [start(net.uuid)];
    case 'stop':
      return [stop(net.uuid)];
    case 'autostart':
      return [autostart(net.uuid, true)];
    case 'no-autostart':
      return [autostart(net.uuid, false)];
    case 'delete':
      return [
        ...(net.active ? [stop(net.uuid)] : []),
        { title: 'Remove the network’s definition', argv: virshArgv(['net-undefine', net.uuid]) },
      ];
  }
}
