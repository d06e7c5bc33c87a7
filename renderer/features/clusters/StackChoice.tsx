// New Cluster's stack: libvirt (Clusterdeck's SSH trust between the nodes)
// or Ganeti (gnt-cluster init), offered when an added node has Ganeti and no
// cluster yet.
import { RadioGroup } from '../../ui/forms';

export type ClusterStack = 'libvirt' | 'ganeti';

export function StackChoice({
  value,
  onChange,
}: {
  value: ClusterStack;
  onChange: (s: ClusterStack) => void;
}) {
  return (
    <RadioGroup
      legend="Stack"
      value={value}
      onChange={onChange}
      className="space-y-1"
      options={[
        { value: 'libvirt', label: 'libvirt (SSH trust between the nodes)' },
        { value: 'ganeti', label: 'Ganeti (gnt-cluster init, gnt-node add)' },
      ]}
    />
  );
}
