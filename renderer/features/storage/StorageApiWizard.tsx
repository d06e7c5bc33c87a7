// New Storage Pool where the cluster's API defines storage ('storage-api',
// Proxmox VE): the stack's types as its driver lists them for the node's
// release, each type's fields (required or optional, secrets as password
// fields) with its Scan, what the storage may hold, which nodes, shared;
// then the exact call (secrets <hidden>) and what stands in the way. Create
// runs it as one task.
import { useEffect, useState } from 'react';
import {
  STORAGE_CONTENT_LABELS,
  type StorageOptions,
  type StorageTypeInfo,
} from '../../../shared/storage-api';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { withToggled } from '../../ui/checked';
import { Checkbox, RadioGroup, Select, TextField } from '../../ui/forms';
import {
  PlanSummary,
  WizardFrame,
  planRunnable,
  useFinish,
  usePlan,
} from '../../ui/wizard/WizardFrame';
import { ApiScan } from './ApiScan';
import {
  apiFormErrors,
  initialApiForm,
  toStorageSpec,
  type ApiStorageForm,
} from './apiStorageForm';
import { landingStep } from '../../ui/wizard/steps';

const STEPS = ['Type', 'Settings', 'Content and nodes', 'Summary'];

export function StorageApiWizard({ hostId }: { hostId: string }) {
  const close = () => useUi.getState().setWizard(undefined);
  const [options, setOptions] = useState<StorageOptions | { error: string }>();
  const o = options && 'types' in options ? options : undefined;
  const [f, setF] = useState<ApiStorageForm>(initialApiForm(undefined));
  const [index, setIndex] = useState(0);
  const [tried, setTried] = useState(false);
  const [touched, setTouched] = useState<Set<string>>(new Set());

  useEffect(() => {
    let live = true;
    api.getStorageOptions({ hostId }).then(
      (read) => {
        if (!live) return;
        setOptions(read);
        setF(initialApiForm(read.types[0]));
      },
      (e: unknown) => live && setOptions({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [hostId]);

  const type: StorageTypeInfo | undefined = o?.types.find((t) => t.type === f.type);
  const errors = apiFormErrors(f, type);
  const shown = (k: string) => (tried || touched.has(k) ? errors[k] : undefined);
  const spec = toStorageSpec(f, type);
  const plan = usePlan(index === 3, () => api.planStorage({ hostId, spec }));
  const setValue = (k: string, v: string | boolean) =>
    setF((old) => ({ ...old, values: { ...old.values, [k]: v } }));
  const chooseType = (t: string) => {
    const next = o?.types.find((x) => x.type === t);
    setF((old) => ({ ...old, type: t, content: [...(next?.defaultContent ?? [])] }));
  };

  const blocked = (at: number): boolean => {
    if (at === 0 && !type) return true;
    if (at === 1 && Object.keys(errors).length > 0) return true;
    if (at === 2 && f.content.length === 0) return true;
    return false;
  };
  const goTo = (target: number) => {
    const at = landingStep(index, target, blocked);
    setTried(at !== target);
    setIndex(at);
  };
  const { busy, finish } = useFinish(() => api.createStorage({ hostId, spec }), close);

  return (
    <WizardFrame
      title="New Storage Pool"
      steps={STEPS}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={finish}
    >
      {!options && <p>Reading the cluster’s storage…</p>}
      {options && 'error' in options && (
        <p role="alert" className="text-red-600 dark:text-red-400">
          {options.error}
        </p>
      )}
      {o && index === 0 && (
        <RadioGroup
          legend="Storage type"
          className=""
          legendClassName="mb-2 font-medium"
          optionsClassName="grid grid-cols-2 gap-1"
          optionClassName="flex items-center gap-2 rounded px-1 py-0.5"
          value={f.type}
          onChange={chooseType}
          options={o.types.map((t) => ({ value: t.type, label: t.label }))}
        />
      )}
      {o && type && index === 1 && (
        <div className="space-y-3">
          <TextField
            label="Storage ID"
            autoComplete="off"
            spellCheck={false}
            placeholder="nas-iso"
            value={f.storage}
            onChange={(v) => setF((old) => ({ ...old, storage: v }))}
            onBlur={() => setTouched((t) => new Set(t).add('storage'))}
            error={shown('storage')}
          />
          {type.fields.map((field) =>
            field.kind === 'boolean' ? (
              <Checkbox
                key={field.name}
                checked={f.values[field.name] === true}
                onChange={(on) => setValue(field.name, on)}
              >
                {field.label}
              </Checkbox>
            ) : field.kind === 'select' ? (
              <Select
                key={field.name}
                label={field.label}
                value={String(f.values[field.name] ?? '')}
                onChange={(v) => setValue(field.name, v)}
                options={[
                  { value: '', label: 'Proxmox VE’s default' },
                  ...(field.choices ?? []).map((c) => ({ value: c, label: c })),
                ]}
              />
            ) : (
              <TextField
                key={field.name}
                label={field.label}
                type={field.kind === 'password' ? 'password' : 'text'}
                autoComplete="off"
                spellCheck={false}
                placeholder={field.hint}
                value={String(f.values[field.name] ?? '')}
                onChange={(v) => setValue(field.name, v)}
                onBlur={() => setTouched((t) => new Set(t).add(field.name))}
                error={shown(field.name)}
              />
            ),
          )}
          {type.scan && (
            <ApiScan
              key={type.type}
              hostId={hostId}
              type={type}
              nodes={o.nodes}
              values={f.values}
              onUse={(found) => setF((old) => ({ ...old, values: { ...old.values, ...found } }))}
            />
          )}
        </div>
      )}
      {o && type && index === 2 && (
        <div className="space-y-4">
          <fieldset>
            <legend className="mb-1 font-medium">It may hold</legend>
            {type.contents.map((c) => (
              <Checkbox
                key={c}
                checked={f.content.includes(c)}
                onChange={(on) =>
                  setF((old) => ({
                    ...old,
                    content: [...withToggled(new Set(old.content), c, on)],
                  }))
                }
              >
                {STORAGE_CONTENT_LABELS[c]}
              </Checkbox>
            ))}
            {tried && f.content.length === 0 && (
              <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
                Choose at least one.
              </p>
            )}
          </fieldset>
          <fieldset>
            <legend className="mb-1 font-medium">For these nodes (none checked: every node)</legend>
            {o.nodes.map((n) => (
              <Checkbox
                key={n.name}
                checked={f.nodes.includes(n.name)}
                onChange={(on) =>
                  setF((old) => ({
                    ...old,
                    nodes: [...withToggled(new Set(old.nodes), n.name, on)],
                  }))
                }
              >
                {n.name}
                {!n.online && <span className="text-slate-500">(offline)</span>}
              </Checkbox>
            ))}
          </fieldset>
          {type.shared === 'choice' ? (
            <Checkbox checked={f.shared} onChange={(on) => setF((old) => ({ ...old, shared: on }))}>
              Shared: every node reaches the same storage there
            </Checkbox>
          ) : (
            <p className="text-sm text-slate-500">
              {type.shared === 'always'
                ? `${type.label} storage is one storage for every node it is on.`
                : `${type.label} storage is each node’s own.`}
            </p>
          )}
        </div>
      )}
      {index === 3 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
