/**
 * Comments cite the repository, never an issue tracker: no source comment, config `$comment` or SQL
 * comment names an issue number, and every repository path a comment cites exists. The rules and
 * their reasons: docs/testing.md, section "Boundaries and comment rules".
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');

/** Folders holding code, configuration and SQL of ours; the root's own config files are read too. */
const SOURCE_DIRS = ['admin', 'cms', 'plugins', 'config', 'database', 'scripts', 'tests'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '.cache', '.tmp', '.strapi', 'data', 'generated', '.git']);
const SOURCE_FILE = /\.(ts|tsx|js|cjs|mjs|json|sql)$/;

/** Top-level folders of the repository: a comment path starting with one is a citation to check. */
const CITED_PATH =
  /(?<![\w.@/$-])(?:cms|admin|plugins|config|database|docs|scripts|tests)\/[^\s'"`()<>{}[\],;:|\\…]*/g;
/** A markdown document, with or without a folder: documents are cited by their repository path. */
const CITED_DOCUMENT = /(?<![\w.@/$-])(?:[\w.-]+\/)*[\w-]+\.md\b/g;
/** An issue or pull-request number, in the spellings the rule's own tests below list. */
const ISSUE_NUMBER = [/\b(?:issues?|pr|pull request)\s*#\s*\d+/i, /[([]\s*(?:see\s+)?#\d+\b/i];

interface Comment {
  file: string;
  line: number;
  text: string;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED_DIRS.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE_FILE.test(entry.name)) files.push(full);
    }
  };
  SOURCE_DIRS.forEach((dir) => walk(path.join(root, dir)));
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && /\.(js|cjs|mjs|ts)$/.test(entry.name)) files.push(path.join(root, entry.name));
  }
  return files;
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** Every comment of a TypeScript or JavaScript file, found by the TypeScript parser (not by a regex on code). */
function scriptComments(file: string, text: string): Comment[] {
  const kind = /\.tsx$/.test(file) ? ts.ScriptKind.TSX : /\.ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JSX;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found = new Map<number, Comment>();
  const add = (ranges: ts.CommentRange[] | undefined) =>
    ranges?.forEach((r) => found.set(r.pos, { file, line: lineAt(text, r.pos), text: text.slice(r.pos, r.end) }));
  const visit = (node: ts.Node) => {
    add(ts.getLeadingCommentRanges(text, node.pos));
    add(ts.getTrailingCommentRanges(text, node.end));
    node.getChildren(source).forEach(visit);
  };
  visit(source);
  return [...found.values()];
}

/** Every `$comment` value of a JSON file, at any depth. */
function jsonComments(file: string, text: string): Comment[] {
  const found: Comment[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.startsWith('$comment')) {
          const texts = Array.isArray(inner) ? inner : [inner];
          texts.forEach((t) => found.push({ file, line: lineAt(text, Math.max(0, text.indexOf(String(t).slice(0, 40)))), text: String(t) }));
        } else visit(inner);
      }
    }
  };
  visit(JSON.parse(text));
  return found;
}

/** `--` and block comments of an SQL file, outside string literals. */
function sqlComments(file: string, text: string): Comment[] {
  const found: Comment[] = [];
  const pattern = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g;
  for (const match of text.matchAll(pattern)) {
    if (match[0].startsWith("'")) continue;
    found.push({ file, line: lineAt(text, match.index ?? 0), text: match[0] });
  }
  return found;
}

function commentsOf(file: string): Comment[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return jsonComments(file, text);
  if (file.endsWith('.sql')) return sqlComments(file, text);
  return scriptComments(file, text);
}

/** Whether a path (possibly with `*` segments) names something in the repository. */
function existsInRepository(base: string, cited: string): boolean {
  const segments = cited.split('/').filter(Boolean);
  let candidates = [base];
  for (const segment of segments) {
    if (segment.includes('*')) {
      const matcher = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '.*')}$`);
      candidates = candidates.flatMap((dir) =>
        fs.existsSync(dir) && fs.statSync(dir).isDirectory()
          ? fs.readdirSync(dir).filter((name) => matcher.test(name)).map((name) => path.join(dir, name))
          : [],
      );
    } else {
      candidates = candidates.map((dir) => path.join(dir, segment));
    }
  }
  // a module cited without its extension (`cms/src/security/guard`) counts as its source file
  const spellings = (file: string) => [file, ...['.ts', '.tsx', '.js', '.mjs', '.json', '/index.ts'].map((e) => file + e)];
  return candidates.some((file) => spellings(file).some((spelling) => fs.existsSync(spelling)));
}

/** The workspace a file belongs to (cms/, admin/, plugins/<name>/), whose own config/ a comment may cite. */
function workspaceOf(file: string): string | undefined {
  const match = /^(cms|admin|plugins\/[^/]+)\//.exec(path.relative(root, file).split(path.sep).join('/'));
  return match ? path.join(root, match[1]) : undefined;
}

function citationProblems(comment: Comment): string[] {
  const problems: string[] = [];
  const file = path.relative(root, comment.file);
  const where = (index = 0) => `${file}:${comment.line + comment.text.slice(0, index).split('\n').length - 1}`;
  for (const pattern of ISSUE_NUMBER) {
    const match = pattern.exec(comment.text);
    if (match) problems.push(`${where(match.index)} cites an issue number ("${match[0]}"): say what the code does instead`);
  }
  const workspace = workspaceOf(comment.file);
  for (const match of comment.text.matchAll(CITED_PATH)) {
    const next = comment.text[(match.index ?? 0) + match[0].length];
    if (next === '<' || next === '{' || next === '…') continue; // a placeholder such as docs/security/<topic>.md
    const cited = match[0].replace(/[.]+$/, '');
    // build output and runtime data (cms/dist, admin/dist, data/) are made by the build or at start
    if (cited.split('/').some((segment) => SKIPPED_DIRS.has(segment))) continue;
    const found = existsInRepository(root, cited) || (workspace !== undefined && existsInRepository(workspace, cited));
    if (!found) problems.push(`${where(match.index)} cites ${cited}, which is not in the repository`);
  }
  for (const match of comment.text.matchAll(CITED_DOCUMENT)) {
    if (!fs.existsSync(path.join(root, match[0]))) {
      problems.push(`${where(match.index)} cites ${match[0]}: cite a document by its path in the repository (e.g. docs/domain.md)`);
    }
  }
  return problems;
}

describe('comment citations', () => {
  let comments: Comment[];

  beforeAll(() => {
    comments = sourceFiles().flatMap(commentsOf);
  });

  it('finds the comments of each kind of file (a scan that finds nothing checks nothing)', () => {
    const kinds = new Set(comments.map((c) => path.extname(c.file)));
    expect([...kinds].filter((k) => ['.ts', '.tsx', '.json', '.sql', '.mjs'].includes(k)).sort()).toEqual([
      '.json',
      '.mjs',
      '.sql',
      '.ts',
      '.tsx',
    ]);
    expect(comments.length).toBeGreaterThan(500);
  });

  it('no comment cites an issue number, and every repository path a comment cites exists', () => {
    const problems = comments.flatMap(citationProblems);
    if (problems.length > 0) console.error(`Comment citation problems:\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  });

  describe('the rule itself', () => {
    const file = path.join(root, 'cms', 'src', 'example.ts');
    const problemsOf = (text: string) => citationProblems({ file, line: 1, text });

    it('flags issue numbers in their usual spellings', () => {
      for (const text of ['// Audit trail (issue #8): kept', '/* Issue #9 (part 2) */', '// fixed in PR #12', '// see (#5)']) {
        expect([text, problemsOf(text).length]).toEqual([text, 1]);
      }
    });

    it('lets colours, hashes and ordinary numbers pass', () => {
      for (const text of ['// colour #1976d2 and #000', '// the 3rd try', "// password 'Abcdef#1234' is long enough"]) {
        expect([text, problemsOf(text)]).toEqual([text, []]);
      }
    });

    it('flags a cited file that does not exist, and a document cited without its repository path', () => {
      expect(problemsOf('// rules in cms/src/security/no-such-file.ts')).toHaveLength(1);
      expect(problemsOf('// see config/no-such-table.json')).toHaveLength(1);
      expect(problemsOf('// domain.md §5')).toHaveLength(1);
      expect(problemsOf('// shared/domain.md §5')).toHaveLength(1);
    });

    it('accepts cited files, folders, modules without extension, globs and placeholders that resolve', () => {
      for (const text of [
        '// cms/src/security/guard.ts decides.',
        '// config/security.json, database/postgres/ and tests/unit/',
        '// cms/src/security/guard',
        '// plugins/*/server/src and tests/api/*.test.ts',
        '// the page docs/<topic>.md',
        '// README.md',
        '// compiled to cms/dist/src and admin/dist',
      ]) {
        expect([text, problemsOf(text)]).toEqual([text, []]);
      }
    });

    it('reads comments, not code: a path in a string or a URL is not a citation', () => {
      const sample = path.join(root, 'tests', 'fixtures', 'comment-sample.ts');
      const text = "const url = 'https://example.org/config/x.json'; // issue #3\nconst p = 'cms/src/nope.ts';\n";
      const comments = scriptComments(sample, text);
      expect(comments.map((c) => c.text)).toEqual(['// issue #3']);
    });
  });
});
