// The layering rule (ARCHITECTURE.md, "Layers"): every module a file loads is
// resolved to where it lives (a folder of this repository, an npm package or a
// Node builtin) and checked against what the file's layer may use.
//
// Why a local rule: ESLint's `no-restricted-imports` matches the text of
// static imports (it let `electron/common` and `await import('electron')`
// through), and eslint-plugin-import-x (MIT; `no-restricted-paths`,
// `no-nodejs-modules`) finds modules with its module visitor, which knows
// `require` only by that name and skips `createRequire(…)('x')`, a variable
// holding createRequire's result, template specifiers and computed names
// (silently). This rule sees every way a module gets loaded here:
//   import … from 'x' / import 'x' / export … from 'x' / import type … from 'x'
//   import('x') (dynamic; a specifier it cannot read is reported too)
//   import x = require('x') / type T = import('x').T
//   require('x')
//   createRequire(import.meta.url)('x'), and `const r = createRequire(…); r('x')`
//
// A specifier is resolved the way Node and Vite would place it:
//   'node:fs', 'fs', 'fs/promises'          → the Node builtin `fs`
//   './a', '../core/x', '/abs/path'         → a file: its layer is the folder it
//                                            sits in (a path through node_modules
//                                            is that package)
//   'electron', 'electron/common', '@a/b/c' → the package `electron`, `@a/b`
//                                            (bare names resolve into
//                                            node_modules/<package>; this repo
//                                            has no path aliases)
//
// Options (one object, set per layer in eslint.config.js):
//   root        absolute path of the repository
//   layer       the layer of the files this block applies to (for messages)
//   layers      the repository folders that are layers ('core', 'shells/common'…);
//               a file belongs to the longest one that contains it
//   mayImport   the layers (folder names from `layers`) this layer may load
//   nodeBuiltins  whether Node's builtin modules are available
//   packages    { allow: [...] } (only these) or { deny: [...] } (all but these)
//   why         one sentence appended to every report: the reason of the layer
import { builtinModules } from 'node:module';
import path from 'node:path';

const builtins = new Set(builtinModules);

/** The package a bare specifier or a node_modules path names. */
function packageName(bare) {
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The repository folder (from `layers`) a path is in, or what else it is. */
function layerOfPath(absolute, root, layers) {
  const relative = path.relative(root, absolute).split(path.sep).join('/');
  if (relative.startsWith('../') || path.isAbsolute(relative)) return { kind: 'outside' };
  if (relative.startsWith('node_modules/') || relative.includes('/node_modules/')) {
    const afterModules = relative.slice(relative.lastIndexOf('node_modules/') + 13);
    return { kind: 'package', name: packageName(afterModules) };
  }
  const folder = layers
    .filter((layer) => relative === layer || relative.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
  return folder ? { kind: 'layer', name: folder } : { kind: 'unlayered', name: relative };
}

/** What a specifier written in `fromFile` loads. */
export function resolveSpecifier(specifier, fromFile, root, layers) {
  // Vite's `?raw`, `?url`, `?inline` suffixes do not change which file it is.
  const bare = specifier.replace(/[?#].*$/, '');
  if (bare.startsWith('node:')) return { kind: 'builtin', name: bare.slice(5).split('/')[0] };
  if (builtins.has(bare) || builtins.has(bare.split('/')[0])) {
    return { kind: 'builtin', name: bare.split('/')[0] };
  }
  if (bare.startsWith('.') || bare.startsWith('/')) {
    const absolute = path.resolve(path.dirname(fromFile), bare);
    return layerOfPath(absolute, root, layers);
  }
  return { kind: 'package', name: packageName(bare) };
}

/** The string a literal or an expression-free template spells, else null. */
function staticString(node) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
    return node.quasis[0].value.cooked;
  }
  return null;
}

/** True for `createRequire(…)` and `module.createRequire(…)` calls. */
function isCreateRequireCall(node, createRequireNames) {
  if (node?.type !== 'CallExpression') return false;
  const callee = node.callee;
  if (callee.type === 'Identifier') return createRequireNames.has(callee.name);
  return (
    callee.type === 'MemberExpression' &&
    !callee.computed &&
    callee.property.type === 'Identifier' &&
    callee.property.name === 'createRequire'
  );
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer loads only the layers, packages and builtins it may.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layer: { type: 'string' },
          layers: { type: 'array', items: { type: 'string' } },
          mayImport: { type: 'array', items: { type: 'string' } },
          nodeBuiltins: { type: 'boolean' },
          packages: {
            type: 'object',
            properties: {
              allow: { type: 'array', items: { type: 'string' } },
              deny: { type: 'array', items: { type: 'string' } },
            },
            additionalProperties: false,
          },
          why: { type: 'string' },
        },
        required: ['root', 'layer', 'layers', 'mayImport', 'nodeBuiltins', 'packages'],
        additionalProperties: false,
      },
    ],
    messages: {
      builtin: "{{layer}} may not load the Node builtin '{{name}}'. {{why}}",
      package: "{{layer}} may not load the package '{{name}}'. {{why}}",
      layer: '{{layer}} may not load {{name}}/ code. {{why}}',
      unlayered: "{{layer}} may not load '{{name}}', which is in no layer. {{why}}",
      outside: "{{layer}} may not load '{{specifier}}' from outside the repository. {{why}}",
      unreadable: '{{layer}}: a module loaded by a computed name cannot be checked; spell it out.',
    },
  },

  create(context) {
    const options = context.options[0];
    const file = context.filename;
    const why = options.why ?? '';
    const layer = `${options.layer}/`;
    // Names that load a module when called: `require`, and every variable
    // holding a createRequire(…) result. Collected while walking, checked at
    // the end, because a function may call `r` above the line that sets it.
    const requireNames = new Set(['require']);
    const createRequireNames = new Set(['createRequire']);
    const pendingCalls = [];

    function check(specifier, node) {
      const target = resolveSpecifier(specifier, file, options.root, options.layers);
      const data = { layer, why, specifier, name: target.name };
      if (target.kind === 'builtin' && !options.nodeBuiltins) {
        context.report({ node, messageId: 'builtin', data });
      } else if (target.kind === 'package') {
        const { allow, deny } = options.packages;
        const allowed = allow ? allow.includes(target.name) : !deny?.includes(target.name);
        if (!allowed) context.report({ node, messageId: 'package', data });
      } else if (target.kind === 'layer' && !options.mayImport.includes(target.name)) {
        context.report({ node, messageId: 'layer', data });
      } else if (target.kind === 'unlayered' || target.kind === 'outside') {
        context.report({ node, messageId: target.kind, data });
      }
    }

    function checkArgument(argument, node) {
      const specifier = staticString(argument);
      if (specifier === null) context.report({ node, messageId: 'unreadable', data: { layer } });
      else check(specifier, argument);
    }

    function checkSource(node) {
      if (node.source) check(node.source.value, node.source);
    }

    return {
      ImportDeclaration(node) {
        checkSource(node);
        // `import { createRequire as load } from 'node:module'` makes `load` one.
        if (/^(node:)?module$/.test(node.source.value)) {
          for (const specifier of node.specifiers) {
            if (
              specifier.type === 'ImportSpecifier' &&
              specifier.imported.name === 'createRequire'
            ) {
              createRequireNames.add(specifier.local.name);
            }
          }
        }
      },
      ExportNamedDeclaration: checkSource,
      ExportAllDeclaration: checkSource,
      ImportExpression(node) {
        checkArgument(node.source, node);
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          checkArgument(node.moduleReference.expression, node);
        }
      },
      TSImportType(node) {
        const literal = node.argument?.type === 'TSLiteralType' ? node.argument.literal : null;
        checkArgument(literal, node);
      },
      VariableDeclarator(node) {
        if (node.id.type === 'Identifier' && isCreateRequireCall(node.init, createRequireNames)) {
          requireNames.add(node.id.name);
        }
      },
      AssignmentExpression(node) {
        if (
          node.left.type === 'Identifier' &&
          isCreateRequireCall(node.right, createRequireNames)
        ) {
          requireNames.add(node.left.name);
        }
      },
      CallExpression(node) {
        // createRequire(import.meta.url)('electron'): the callee is the call.
        if (isCreateRequireCall(node.callee, createRequireNames)) {
          checkArgument(node.arguments[0], node);
        } else if (node.callee.type === 'Identifier') {
          pendingCalls.push(node);
        }
      },
      'Program:exit'() {
        for (const call of pendingCalls) {
          if (requireNames.has(call.callee.name)) checkArgument(call.arguments[0], call);
        }
      },
    };
  },
};
