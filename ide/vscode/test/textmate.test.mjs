// Tokenizes the shipped examples and target specs with the engine VS Code itself uses (vscode-textmate on the
// Oniguruma regex engine compiled to WebAssembly) and checks the scopes of keywords, numbers with units, strings,
// comments and selectors. The keyword and unit lists are read from the ANTLR grammar, not from the generated file,
// so a keyword the generator forgot fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.resolve(here, '..');
const root = path.resolve(extension, '../..');
const grammarPath = path.join(extension, 'syntaxes/tamp.tmLanguage.json');
const lexerPath = path.join(root, 'grammar/src/main/antlr4/dev/tamp/grammar/Recipe.g4');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => scopeName === 'source.tamp'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
  });
  return registry.loadGrammar('source.tamp');
}

const grammar = await loadGrammar();

/** Every token of a text: { line, text, scopes }, tokenized line by line carrying the rule stack as VS Code does. */
function tokenize(text) {
  const out = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      out.push({ line: i + 1, text: line.substring(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    stack = r.ruleStack;
  });
  return out;
}

/** The scopes of the first token whose text is `text` on the first line containing `lineText`. */
function scopesOf(tokens, source, lineText, text) {
  const lineNo = source.split(/\r?\n/).findIndex((l) => l.includes(lineText)) + 1;
  assert.ok(lineNo > 0, `no line contains ${JSON.stringify(lineText)}`);
  const token = tokens.find((t) => t.line === lineNo && t.text.trim() === text);
  assert.ok(token, `no token ${JSON.stringify(text)} on line ${lineNo}: ${JSON.stringify(tokens.filter((t) => t.line === lineNo).map((t) => t.text))}`);
  return token.scopes;
}

function assertScope(tokens, source, lineText, text, scope) {
  const scopes = scopesOf(tokens, source, lineText, text);
  assert.ok(scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `${JSON.stringify(text)} in ${JSON.stringify(lineText)}: expected ${scope}, got ${scopes.join(' ')}`);
}

/** Literal tokens of the lexer rules from `first` to `last` in Recipe.g4, in order. */
function lexerLiterals(first, last) {
  const rules = [...fs.readFileSync(lexerPath, 'utf8').matchAll(/^([A-Z_]+)\s*:\s*'([^']*)'\s*;/gm)];
  const names = rules.map((m) => m[1]);
  const from = names.indexOf(first);
  const to = names.indexOf(last);
  assert.ok(from >= 0 && to >= from, `lexer rules ${first}..${last} not found in Recipe.g4`);
  return rules.slice(from, to + 1).map((m) => m[2]);
}

const files = [
  ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.recipe')).map((f) => `examples/${f}`),
  ...fs.readdirSync(path.join(root, 'specs')).filter((f) => f.endsWith('.target')).map((f) => `specs/${f}`),
].sort();
const units = lexerLiterals('PERCENT', 'GHZ');
const statementKeywords = lexerLiterals('RECIPE', 'DISTILL');

test('examples and specs are there', () => {
  assert.ok(files.filter((f) => f.endsWith('.recipe')).length >= 4, files.join(', '));
  assert.ok(files.filter((f) => f.endsWith('.target')).length >= 2, files.join(', '));
});

for (const file of files) {
  test(`${file}: every token has the scope of its kind`, () => {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const tokens = tokenize(source);
    let checkedNumbers = 0;
    let checkedUnits = 0;
    let checkedComments = 0;
    let checkedKeywords = 0;
    tokens.forEach((t, i) => {
      const where = `${file}:${t.line} ${JSON.stringify(t.text)} (${t.scopes.join(' ')})`;
      assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `invalid token at ${where}`);
      const inComment = t.scopes.some((s) => s.startsWith('comment'));
      const inString = t.scopes.some((s) => s.startsWith('string') || s.startsWith('entity.name.tag.quoted'));
      if (t.text.startsWith('//') && !inString) {
        assert.ok(t.scopes.includes('comment.line.double-slash.tamp') || inComment, `comment at ${where}`);
        checkedComments++;
      }
      if (inComment || inString) {
        return;
      }
      if (/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(t.text)) {
        assert.ok(t.scopes.includes('constant.numeric.tamp'), `number at ${where}`);
        checkedNumbers++;
        const next = tokens.slice(i + 1).find((n) => n.line === t.line && n.text.trim() !== '');
        if (next && units.includes(next.text) && /^\s*$/.test(tokens[i + 1].text.replace(next.text, ''))) {
          assert.ok(next.scopes.includes('keyword.other.unit.tamp'), `unit after number at ${file}:${t.line} ${next.text}`);
          checkedUnits++;
        }
      }
      const first = tokens.find((n) => n.line === t.line && n.text.trim() !== '');
      if (first === t && statementKeywords.includes(t.text.trim())) {
        assert.ok(t.scopes.includes('keyword.control.tamp'), `statement keyword at ${where}`);
        checkedKeywords++;
      }
    });
    assert.ok(checkedNumbers > 3 && checkedUnits > 1 && checkedComments > 0 && checkedKeywords > 0,
      `${file}: too little checked (numbers ${checkedNumbers}, units ${checkedUnits}, comments ${checkedComments}, keywords ${checkedKeywords})`);
  });
}

test('every-pass.recipe: specific tokens', () => {
  const source = fs.readFileSync(path.join(root, 'examples/every-pass.recipe'), 'utf8');
  const t = tokenize(source);
  assertScope(t, source, 'recipe every_pass', 'recipe', 'keyword.control');
  assertScope(t, source, 'recipe every_pass', 'every_pass', 'entity.name.type');
  assertScope(t, source, 'model  "../models/fmnist_lenet5.onnx"', 'model', 'keyword.control');
  assertScope(t, source, 'model  "../models/fmnist_lenet5.onnx"', '"../models/fmnist_lenet5.onnx"', 'string.quoted.double');
  assertScope(t, source, 'validation 10 %', 'validation', 'variable.parameter');
  assertScope(t, source, 'validation 10 %', '10', 'constant.numeric');
  assertScope(t, source, 'validation 10 %', '%', 'keyword.other.unit');
  assertScope(t, source, 'size     <= 40 KB', '<=', 'keyword.operator.comparison');
  assertScope(t, source, 'size     <= 40 KB', 'KB', 'keyword.other.unit');
  assertScope(t, source, 'latency  <= 3 ms', '3', 'constant.numeric');
  assertScope(t, source, 'latency  <= 3 ms', 'ms', 'keyword.other.unit');
  assertScope(t, source, 'accuracy >= baseline - 1 %', 'baseline', 'constant.language');
  assertScope(t, source, 'regularize conv*', 'regularize', 'keyword.control');
  assertScope(t, source, 'regularize conv*', 'conv*', 'entity.name.tag.glob');
  assertScope(t, source, 'regularize conv*', 'method', 'variable.parameter');
  assertScope(t, source, 'regularize conv*', 'group-lasso', 'entity.name.function');
  assertScope(t, source, 'regularize conv*', '1e-4', 'constant.numeric');
  assertScope(t, source, 'regularize conv*', 'filters', 'support.constant');
  assertScope(t, source, 'prune conv2 { method l1-filter', 'conv2', 'entity.name.tag');
  assertScope(t, source, 'prune conv2 { method l1-filter', 'l1-filter', 'entity.name.function');
  assertScope(t, source, 'prune conv2 { method l1-filter', 'whole filters, consumers rewritten', 'comment.line.double-slash');
  assertScope(t, source, 'pattern 2:4', '2', 'constant.numeric');
  assertScope(t, source, 'pattern 2:4', ':', 'keyword.operator.ratio');
  assertScope(t, source, 'quantize * except fc2', '*', 'entity.name.tag.glob');
  assertScope(t, source, 'quantize * except fc2', 'except', 'keyword.other');
  assertScope(t, source, 'quantize * except fc2', 'fc2', 'entity.name.tag');
  assertScope(t, source, 'emit java', 'java', 'entity.name.type');
  assertScope(t, source, 'emit java', '"com.example.tour"', 'string.quoted.double');
});

// The tour plans nothing (`auto` would retrain per round): an `auto` domain is checked in the planned example.
test('lenet5-rpi4.recipe: auto domains', () => {
  const source = fs.readFileSync(path.join(root, 'examples/lenet5-rpi4.recipe'), 'utf8');
  const t = tokenize(source);
  assertScope(t, source, 'bits auto in {', 'auto', 'constant.language');
  assertScope(t, source, 'bits auto in {', 'in', 'keyword.other');
});

test('raspberry-pi4.target: specific tokens', () => {
  const source = fs.readFileSync(path.join(root, 'specs/raspberry-pi4.target'), 'utf8');
  const t = tokenize(source);
  assertScope(t, source, 'target raspberry-pi4', 'target', 'keyword.control');
  assertScope(t, source, 'target raspberry-pi4', 'raspberry-pi4', 'entity.name.type');
  assertScope(t, source, 'frequency 1.5 GHz', 'frequency', 'variable.parameter');
  assertScope(t, source, 'frequency 1.5 GHz', 'GHz', 'keyword.other.unit');
  assertScope(t, source, 'bandwidth 4.4 GB/s', 'GB/s', 'keyword.other.unit');
  assertScope(t, source, 'int8-dot  no', 'int8-dot', 'variable.parameter');
  assertScope(t, source, 'int8-dot  no', 'no', 'constant.language');
  assertScope(t, source, 'runtime   hotspot', 'hotspot', 'support.constant');
  assertScope(t, source, 'fp32 13.5 GFLOPS', 'GFLOPS', 'keyword.other.unit');
});

test('every lexer keyword and unit is highlighted by the real engine', () => {
  for (const keyword of statementKeywords) {
    const t = tokenize(`  ${keyword} "x"`);
    assertScope(t, `  ${keyword} "x"`, keyword, keyword, 'keyword.control');
  }
  for (const keyword of lexerLiterals('EXCEPT', 'BASELINE')) {
    const line = keyword === 'auto' || keyword === 'baseline' ? `  bits ${keyword}`
      : keyword === 'in' ? '  bits auto in {4, 8}' : `  prune a ${keyword} b`;
    const scope = keyword === 'auto' || keyword === 'baseline' ? 'constant.language' : 'keyword.other';
    assertScope(tokenize(line), line, line, keyword, scope);
  }
  assert.equal(units.length, 30);
  for (const unit of units) {
    for (const line of [`  l1 12 ${unit}`, `  l1 1.5e3${unit}`]) {
      assertScope(tokenize(line), line, line, unit, 'keyword.other.unit');
    }
  }
});

test('block comments, regex selectors, positions and unterminated strings', () => {
  const source = [
    'recipe r { /* a block',
    '  comment */ model "m.onnx"',
    '  prune re"fc[0-9]+", #2, type Conv except "odd name" { sparsity 50 % }',
    '  factorize fc1,',
    '    fc2 { method svd }',
    '  emit java { class "Unterminated',
    '}',
  ].join('\n');
  const t = tokenize(source);
  assertScope(t, source, 'a block', '/*', 'comment.block');
  assertScope(t, source, 'comment */', 'comment', 'comment.block');
  assertScope(t, source, 'comment */', 'model', 'keyword.control');
  assertScope(t, source, 'prune re', 're"fc[0-9]+"', 'string.regexp');
  assertScope(t, source, 'prune re', '2', 'constant.numeric');
  assertScope(t, source, 'prune re', 'type', 'keyword.other');
  assertScope(t, source, 'prune re', '"odd name"', 'entity.name.tag.quoted');
  assertScope(t, source, 'prune re', 'sparsity', 'variable.parameter');
  assertScope(t, source, '    fc2', 'fc2', 'entity.name.tag');
  assertScope(t, source, '    fc2', 'svd', 'entity.name.function');
  assertScope(t, source, 'Unterminated', '"Unterminated', 'invalid.illegal');
  assertScope(t, source, '}', '}', 'punctuation.section.block.end');
});

test('package.json contributes both languages with the generated grammar and the language configuration', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(extension, 'package.json'), 'utf8'));
  const grammarJson = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));
  const languages = Object.fromEntries(manifest.contributes.languages.map((l) => [l.id, l]));
  assert.deepEqual(languages['tamp-recipe'].extensions, ['.recipe']);
  assert.deepEqual(languages['tamp-target'].extensions, ['.target']);
  for (const id of ['tamp-recipe', 'tamp-target']) {
    assert.ok(fs.existsSync(path.join(extension, languages[id].configuration)), `${id} configuration`);
    const grammarEntry = manifest.contributes.grammars.find((g) => g.language === id);
    assert.equal(grammarEntry.scopeName, grammarJson.scopeName);
    assert.equal(path.resolve(extension, grammarEntry.path), grammarPath);
  }
  assert.ok(fs.existsSync(path.join(extension, manifest.main)), manifest.main);
  const configuration = JSON.parse(fs.readFileSync(path.join(extension, 'language-configuration.json'), 'utf8'));
  assert.equal(configuration.comments.lineComment, '//');
  assert.deepEqual(configuration.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(configuration.brackets, [['{', '}']]);
});
