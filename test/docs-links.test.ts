import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Every Markdown file a reader of the repository follows links in: the README, docs/ and examples/. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(repoRoot, path)).isDirectory()) return walk(path);
      return name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk('docs'), ...walk('examples')].sort();
}

/** Link targets outside code: inline code and fenced blocks show commands, not links. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function headingAnchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const anchors = new Set<string>();
  for (const [, text] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (text ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

/** What is wrong with one relative link of `file`, or undefined. */
function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, https:, mailto:
  const [path = '', anchor] = target.split('#');
  const resolved = path === '' ? join(repoRoot, file) : join(repoRoot, dirname(file), decodeURIComponent(path));
  if (!existsSync(resolved)) return `${file}: ${target} -> ${relative(repoRoot, resolved)} does not exist`;
  if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) {
    return `${file}: ${target} -> no heading #${anchor} in ${relative(repoRoot, resolved)}`;
  }
  return undefined;
}

describe('documentation links', () => {
  it('finds the Markdown files and their links (the scan is not vacuous)', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/scenario-format.md', 'examples/README.md']));
    const links = files.flatMap((f) => linkTargets(readFileSync(join(repoRoot, f), 'utf8')));
    expect(links.length).toBeGreaterThan(20);
  });

  it('every relative link in README.md, docs/ and examples/ points to an existing file and heading', () => {
    const broken = markdownFiles().flatMap((file) =>
      linkTargets(readFileSync(join(repoRoot, file), 'utf8')).flatMap((target) => brokenLink(file, target) ?? []),
    );
    expect(broken).toEqual([]);
  });

  it('reports a missing file and a missing heading (the checker can fail)', () => {
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toContain('does not exist');
    expect(brokenLink('README.md', 'docs/cli.md#no-such-heading')).toContain('no heading #no-such-heading');
    expect(brokenLink('docs/harness.md', 'control-api.md')).toBeUndefined();
    expect(linkTargets('see `[a](b.md)` and\n```\n[c](d.md)\n```\n[e](f.md#g)')).toEqual(['f.md#g']);
    expect([...headingAnchors('## The `ncmp:` settings\n## Use it from CI (any language)\n## Use it from CI (any language)')]).toEqual([
      'the-ncmp-settings',
      'use-it-from-ci-any-language',
      'use-it-from-ci-any-language-1',
    ]);
  });
});
