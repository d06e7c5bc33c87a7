import type { Network } from '../../../shared/model';
import { Facts } from '../../ui/Facts';

export function NetworkGeneral({ net }: { net: Network }) {
  return (
    <Facts
      rows={[
        ['Name', net.name],
        ['State', net.active ? 'Active' : 'Inactive'],
        ['Bridge', net.bridge || '—'],
        ['Forward', net.forward || '—'],
        ['Autostart', net.autostart ? 'Yes' : 'No'],
      ]}
    />
  );
}
