// New Storage Pool's form where the cluster's API defines storage
// ('storage-api'): the fields as the driver described them for the chosen
// type, checked as they are typed (required, the API's own pattern), and the
// spec the contract takes.
import type { StorageSpec, StorageTypeInfo } from '../../../shared/storage-api';
import { storageIdSchema } from '../../../shared/storage-api';

export interface ApiStorageForm {
  storage: string;
  type: string;
  /** Every field typed so far, by API name (kept across type changes, sent only for the type's own). */
  values: Record<string, string | boolean>;
  content: string[];
  /** Empty: every node. */
  nodes: string[];
  shared: boolean;
}

export function initialApiForm(type: StorageTypeInfo | undefined): ApiStorageForm {
  return {
    storage: '',
    type: type?.type ?? '',
    values: {},
    content: [...(type?.defaultContent ?? [])],
    nodes: [],
    shared: false,
  };
}

/** Each field's error (and the id's) for the chosen type; empty when the settings are fine. */
export function apiFormErrors(f: ApiStorageForm, type: StorageTypeInfo | undefined) {
  const out: Record<string, string> = {};
  const id = storageIdSchema.safeParse(f.storage);
  if (!id.success) out.storage = id.error.issues[0]?.message ?? 'Not a storage id.';
  for (const field of type?.fields ?? []) {
    const v = f.values[field.name];
    const text = typeof v === 'string' ? v.trim() : '';
    if (field.required && !text && v !== true) out[field.name] = 'Enter a value.';
    else if (text && field.pattern && !new RegExp(field.pattern).test(text))
      out[field.name] = field.patternMessage ?? 'Not a valid value.';
  }
  return out;
}

/** The spec for the contract: only the type's own fields, empty ones left out. */
export function toStorageSpec(f: ApiStorageForm, type: StorageTypeInfo | undefined): StorageSpec {
  const values: Record<string, string | boolean> = {};
  for (const field of type?.fields ?? []) {
    const v = f.values[field.name];
    if (typeof v === 'string' && v.trim() !== '') values[field.name] = v.trim();
    else if (v === true) values[field.name] = true;
  }
  return {
    storage: f.storage.trim(),
    type: f.type,
    values,
    content: f.content as StorageSpec['content'],
    nodes: f.nodes,
    ...(type?.shared === 'choice' && f.shared ? { shared: true } : {}),
  };
}
