// The forms kit's markup: what makes a field named and described for
// assistive technology (and for the end-to-end suites' getByLabel).
// Written with createElement: the unit project runs *.test.ts files.
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import {
  Checkbox,
  FileField,
  InlineForm,
  RadioGroup,
  Select,
  TextArea,
  TextField,
  inlineInputClass,
} from '.';

const attr = (html: string, tag: string, name: string) =>
  new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`).exec(html)?.[1];

describe('the forms kit', () => {
  it('ties a text field to its label, and its error only when there is one', () => {
    const ok = renderToStaticMarkup(
      h(TextField, { label: 'Pool name', value: 'images', onChange: () => undefined }),
    );
    expect(attr(ok, 'label', 'for')).toBe(attr(ok, 'input', 'id'));
    expect(ok).not.toContain('aria-invalid');
    expect(ok).not.toContain('aria-describedby');

    const bad = renderToStaticMarkup(
      h(TextField, {
        label: 'Pool name',
        value: 'bad name',
        error: 'Letters only',
        onChange: () => undefined,
      }),
    );
    expect(attr(bad, 'input', 'aria-invalid')).toBe('true');
    const described = attr(bad, 'input', 'aria-describedby');
    expect(described).toBeTruthy();
    expect(bad).toContain(`<p id="${described}"`);
    expect(bad).toContain('Letters only</p>');
  });

  it('shows a select’s empty label only when there are no options', () => {
    const empty = renderToStaticMarkup(
      h(Select, {
        label: 'Node',
        value: '',
        options: [],
        emptyLabel: 'None available',
        onChange: () => undefined,
      }),
    );
    expect(empty).toMatch(/<option value=""[^>]*>None available<\/option>/);
    const some = renderToStaticMarkup(
      h(Select, {
        label: 'Node',
        value: 'a',
        options: [{ value: 'a', label: 'node1' }],
        emptyLabel: 'None available',
        onChange: () => undefined,
      }),
    );
    expect(some).not.toContain('None available');
    expect(attr(some, 'label', 'for')).toBe(attr(some, 'select', 'id'));
  });

  it('groups radios under one legend and one name, the chosen one checked', () => {
    const html = renderToStaticMarkup(
      h(RadioGroup<'new' | 'none'>, {
        legend: 'Disk',
        value: 'none',
        onChange: () => undefined,
        options: [
          { value: 'new', label: 'A new disk' },
          { value: 'none', label: 'No disk' },
        ],
      }),
    );
    expect(html).toMatch(/<fieldset[^>]*><legend[^>]*>Disk<\/legend>/);
    const names = [...html.matchAll(/type="radio" name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(1);
    expect(html).toMatch(/<input type="radio"[^>]*checked=""[^>]*\/>No disk/);
    expect(html).not.toMatch(/checked=""[^>]*\/>A new disk/);
  });

  it('names a checkbox by the text of its label', () => {
    const html = renderToStaticMarkup(
      h(Checkbox, { checked: true, onChange: () => undefined, children: 'Serial console' }),
    );
    expect(html).toMatch(
      /^<label[^>]*><input type="checkbox" checked=""\/>Serial console<\/label>$/,
    );
  });

  it('keeps an inline field inside its label, its error a line of its own after it', () => {
    const ok = renderToStaticMarkup(
      h(TextField, {
        layout: 'inline',
        label: 'Volume name',
        value: '',
        placeholder: 'disk1.qcow2',
        onChange: () => undefined,
      }),
    );
    // The label holds its text, then the control: the name is the text alone.
    expect(ok).toMatch(
      /^<label class="flex flex-col text-sm" for="[^"]+">Volume name<input [^>]*\/><\/label>$/,
    );
    expect(attr(ok, 'label', 'for')).toBe(attr(ok, 'input', 'id'));
    expect(attr(ok, 'input', 'placeholder')).toBe('disk1.qcow2');
    expect(attr(ok, 'input', 'class')).toBe(inlineInputClass);
    expect(ok).not.toContain('aria-invalid');

    const bad = renderToStaticMarkup(
      h(TextField, {
        layout: 'inline',
        label: 'Upload as',
        value: 'a b',
        error: 'Letters only',
        onChange: () => undefined,
      }),
    );
    const described = attr(bad, 'input', 'aria-describedby');
    expect(attr(bad, 'input', 'aria-invalid')).toBe('true');
    // After the label, not in it (it would join the name), at the row's end.
    expect(bad).toMatch(
      new RegExp(`</label><p id="${described}" class="order-last w-full [^"]*">Letters only</p>$`),
    );
  });

  it('marks a field invalid without a message of its own', () => {
    const html = renderToStaticMarkup(
      h(TextField, {
        layout: 'inline',
        label: 'Size',
        value: '',
        invalid: true,
        controlClass: 'w-24',
        onChange: () => undefined,
      }),
    );
    expect(attr(html, 'input', 'aria-invalid')).toBe('true');
    expect(html).not.toContain('aria-describedby');
    expect(html).not.toContain('<p');
    // controlClass replaces the layout's class.
    expect(attr(html, 'input', 'class')).toBe('w-24');
  });

  it('names a control by a label only screen readers see', () => {
    const html = renderToStaticMarkup(
      h(TextArea, {
        layout: 'hidden-label',
        label: 'Text to type into the console',
        value: '',
        rows: 2,
        onChange: () => undefined,
      }),
    );
    expect(html).toMatch(
      /^<label class="sr-only" for="([^"]+)">Text to type into the console<\/label><textarea [^>]*id="\1"[^>]*><\/textarea>$/,
    );
    const select = renderToStaticMarkup(
      h(Select, {
        layout: 'hidden-label',
        label: 'Send Ctrl+Alt+F key',
        value: '',
        disabled: true,
        options: [
          { value: '', label: 'Ctrl+Alt+F…' },
          { value: '1', label: 'Ctrl+Alt+F1' },
        ],
        onChange: () => undefined,
      }),
    );
    expect(attr(select, 'label', 'for')).toBe(attr(select, 'select', 'id'));
    expect(select).toMatch(/<select [^>]*disabled=""/);
    expect(select).toMatch(/<option value="" selected="">Ctrl\+Alt\+F…<\/option>/);
  });

  it('names a file chooser by its label', () => {
    const html = renderToStaticMarkup(
      h(FileField, {
        layout: 'inline',
        label: 'File to upload (ISO or disk image)',
        onFile: () => undefined,
      }),
    );
    expect(html).toMatch(/^<label [^>]*>File to upload \(ISO or disk image\)<input type="file"/);
    expect(attr(html, 'label', 'for')).toBe(attr(html, 'input', 'id'));
  });

  it('submits an inline form without reloading the page', () => {
    const onSubmit = vi.fn();
    const form = InlineForm({ label: 'New volume', onSubmit, children: null });
    expect(form.type).toBe('form');
    const props = form.props as {
      'aria-label': string;
      onSubmit: (e: { preventDefault: () => void }) => void;
    };
    expect(props['aria-label']).toBe('New volume');
    const preventDefault = vi.fn();
    props.onSubmit({ preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
    expect(onSubmit).toHaveBeenCalledOnce();
  });

  it('describes a checkbox by the text it is given', () => {
    const html = renderToStaticMarkup(
      h(Checkbox, {
        checked: false,
        disabled: true,
        describedBy: 'why',
        onChange: () => undefined,
        children: 'Remember password',
      }),
    );
    expect(attr(html, 'input', 'aria-describedby')).toBe('why');
    expect(html).toMatch(/disabled=""[^>]*\/>Remember password<\/label>$/);
  });
});
