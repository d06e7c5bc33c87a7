// The forms kit's markup: what makes a field named and described for
// assistive technology (and for the end-to-end suites' getByLabel).
// Written with createElement: the unit project runs *.test.ts files.
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Checkbox, RadioGroup, Select, TextField } from '.';

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
});
