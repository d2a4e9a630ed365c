/** The pieces of the conformance runner that need no client: output comparison, placeholders, reports. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDecodedOutput,
  decodedOutputLines,
  fillPlaceholders,
  formatConsoleReport,
  formatHtmlReport,
  formatJsonReport,
  formatJUnitReport,
  formatVerdictLine,
  parseDictPath,
  parseJsonLine,
  reportPassed,
  shellQuote,
  summarize,
  type CaseResult,
  type ConformReport,
} from '../../src/harness/index.js';
import { fcRuns } from '../support/fc-config.js';

function result(name: string, verdict: CaseResult['verdict'], reasons: string[] = []): CaseResult {
  return {
    name,
    title: `checks ${name}`,
    sections: ['§12.1'],
    verdict,
    reasons,
    notes: [],
    durationMs: 12.5,
    journal: ['+0ms #1 -> frame {16,2,<<"a&b">>}'],
    client: { command: "python3 c.py --port 1 --unix ''", exitCode: null, signal: null, stoppedByRunner: true, stderrTail: ['Traceback <&>'], stdoutLines: 1 },
  };
}

function report(cases: CaseResult[]): ConformReport {
  return { client: 'python3 c.py --port {port}', profile: 'nso57', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1234, cases, summary: summarize(cases) };
}

describe('decoded output', () => {
  it('keeps 64-bit integers exact and accepts Python float spellings', () => {
    expect(parseJsonLine('{"cq_id": 18446744073709551615, "x": 1.5e+16, "n": NaN, "s": "\\u00e9"}')).toEqual({
      cq_id: 18446744073709551615n,
      x: 1.5e16,
      n: Number.NaN,
      s: 'é',
    });
    expect(() => parseJsonLine('{"a": 1} trailing')).toThrow(SyntaxError);
  });

  it('takes only JSON objects with an integer type as decoded notifications', () => {
    const stdout = ['{"type": 8192}', 'log line', '{"event": "subscribed"}', '[1]', '{"type": 1, "audit": {"usid": 42}}', '{broken'].join('\n');
    expect(decodedOutputLines(stdout)).toEqual([{ type: 8192 }, { type: 1, audit: { usid: 42 } }]);
  });

  it('reports every differing field with its path, and missing or extra lines', () => {
    const expected = [{ type: 1, audit: { usid: 42, user: 'admin' } }, { type: 8192 }];
    const actual = [{ type: 1, audit: { usid: 0, user: 'admin', extra: true } }];
    expect(compareDecodedOutput(expected, actual)).toEqual([
      { index: 0, path: 'audit.usid', expected: '42', actual: '0' },
      { index: 0, path: 'audit.extra', expected: '(absent)', actual: 'true' },
      { index: 1, path: '', expected: '{"type":8192}', actual: '(no line printed)' },
    ]);
  });

  it("ignores the vectors' explanatory note members, and compares bigints with numbers by value", () => {
    expect(compareDecodedOutput([{ type: 16, commit_diff: { tctx: { th: 17, note: 'library-built context' } } }], [{ type: 16, commit_diff: { tctx: { th: 17 } } }])).toEqual([]);
    expect(compareDecodedOutput([{ type: 1, v: 5n }], [{ type: 1, v: 5 }])).toEqual([]);
  });

  describe('properties', () => {
    it('a dict compared with itself (through JSON text) has no mismatch', () => {
      const dict = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }));
      fc.assert(
        fc.property(dict, (d) => {
          const line = JSON.stringify({ type: 1, ...d });
          const parsed = parseJsonLine(line);
          expect(compareDecodedOutput([parsed as never], decodedOutputLines(line))).toEqual([]);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});

describe('decoded output under a key (--dict-path)', () => {
  const stdout = [
    'starting',
    '{"frame":"8300","python_dict":{"type":16,"commit_diff":{"th":17}}}',
    '{"frame":"8301","python_dict":{"type":1,"audit":{"cq_id":18446744073709551615}}}',
    '{"event":{"a/b":{"type":8192}},"items":[{"type":2}]}',
    '{"frame":"8302","python_dict":"not a dict"}',
  ].join('\n');

  it('reads the dict at a member name or a JSON pointer, integers exact', () => {
    expect(decodedOutputLines(stdout, 'python_dict')).toEqual([{ type: 16, commit_diff: { th: 17 } }, { type: 1, audit: { cq_id: 18446744073709551615n } }]);
    expect(decodedOutputLines(stdout, '/python_dict')).toEqual(decodedOutputLines(stdout, 'python_dict'));
    expect(decodedOutputLines(stdout, '/event/a~1b')).toEqual([{ type: 8192 }]);
    expect(decodedOutputLines(stdout, '/items/0')).toEqual([{ type: 2 }]);
    // Without a path only whole lines count: none of these is a dict with an integer type.
    expect(decodedOutputLines(stdout)).toEqual([]);
  });

  it('parses JSON pointers per RFC 6901 and refuses a bad escape', () => {
    expect(parseDictPath(undefined)).toEqual([]);
    expect(parseDictPath('python_dict')).toEqual(['python_dict']);
    expect(parseDictPath('/a~1b/c~0d/0')).toEqual(['a/b', 'c~d', '0']);
    expect(() => parseDictPath('/a~2')).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });

  it('compares 64-bit integers exactly: a float that rounded is a mismatch, never a match', () => {
    const expected = [{ type: 1, audit: { cq_id: 18446744073709551615n, small: 5n } }];
    expect(compareDecodedOutput(expected, decodedOutputLines('{"type":1,"audit":{"cq_id":18446744073709551615,"small":5}}'))).toEqual([]);
    // jq 1.6 prints 18446744073709552000; a client may print the float 1.8446744073709552e19.
    for (const rounded of ['18446744073709552000', '1.8446744073709552e19', '18446744073709551616']) {
      const mismatches = compareDecodedOutput(expected, decodedOutputLines(`{"type":1,"audit":{"cq_id":${rounded},"small":5}}`));
      expect(mismatches.map((m) => m.path), rounded).toEqual(['audit.cq_id']);
    }
    expect(compareDecodedOutput([{ type: 1, n: 9007199254740993n }], decodedOutputLines('{"type":1,"n":9007199254740992}')).map((m) => m.path)).toEqual(['n']);
  });
});

describe('placeholders', () => {
  it('quotes values for sh and fills absent known placeholders with an empty word', () => {
    expect(fillPlaceholders('c --port {port} --unix {unix} --stream {stream} {unknown}', { port: 4569, stream: "it's" })).toBe(
      "c --port 4569 --unix '' --stream 'it'\\''s' {unknown}",
    );
    expect(shellQuote('/tmp/a b/nso-ipc')).toBe("'/tmp/a b/nso-ipc'");
    expect(shellQuote('2023-11-14T00:00:00.000Z')).toBe('2023-11-14T00:00:00.000Z');
  });
});

describe('reports', () => {
  const cases = [result('decode.audit', 'pass'), result('ack.commit-diff', 'fail', ['no {17,done} within 2000 ms']), result('heartbeat.watchdog', 'non-strict', ['no watchdog']), result('x.skip', 'skipped', ['n/a'])];
  const r = report(cases);

  it('summarises verdicts; only a failed case fails the run', () => {
    expect(r.summary).toEqual({ pass: 1, fail: 1, 'non-strict': 1, 'not-judged': 0, skipped: 1 });
    expect(reportPassed(r)).toBe(false);
    expect(reportPassed(report([result('a', 'pass'), result('b', 'non-strict', ['x'])]))).toBe(true);
  });

  it('counts cases that could not be judged in the verdict line, and fails the run unless they are allowed', () => {
    const unjudged = report([result('decode.audit', 'pass'), ...['decode.daemon', 'decode.netconf'].map((n) => result(n, 'not-judged', ['the client printed no decoded output']))]);
    expect(unjudged.summary).toMatchObject({ pass: 1, 'not-judged': 2 });
    expect(formatVerdictLine(unjudged)).toBe('3 cases: 1 passed, 0 failed, 0 non-strict, 0 skipped; 2 of 3 not judged (no decoded output found: is the dict under a key? --dict-path)');
    expect(reportPassed(unjudged)).toBe(false);
    expect(reportPassed(unjudged, { allowNotJudged: true })).toBe(true);
    expect(formatConsoleReport(unjudged)).toContain('── decode.daemon (§12.1): NOT JUDGED');
    expect(formatJUnitReport(unjudged).match(/<skipped message="not judged: /g)).toHaveLength(2);
    expect(formatVerdictLine(r)).toBe('4 cases: 1 passed, 1 failed, 1 non-strict, 1 skipped');
  });

  it('prints a console table with the details of failing and non-strict cases', () => {
    const text = formatConsoleReport(r);
    expect(text).toMatch(/ack\.commit-diff\s+FAIL\s+13\s+no \{17,done\} within 2000 ms/);
    expect(text).toContain('── heartbeat.watchdog (§12.1): NON-STRICT');
    expect(text).not.toContain('── decode.audit');
    expect(text.trim().split('\n').at(-1)).toBe('4 cases: 1 passed, 1 failed, 1 non-strict, 1 skipped in 1.2 s');
  });

  it('writes JUnit XML: a failure element per failed case, skipped per skipped, everything escaped', () => {
    const xml = formatJUnitReport(r);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('&lt;&lt;&quot;a&amp;b&quot;&gt;&gt;');
    expect(xml).not.toMatch(/<<"a&b">>/);
    expect(xml).toContain('<property name="verdict" value="non-strict"/>');
  });

  it('HTML: opens with the coloured overall verdict, failures first, a CSS-only verdict filter, wrapped journals, the command as run', () => {
    const page = formatHtmlReport(r);
    const body = page.slice(page.indexOf('<body>'));
    // The verdict comes before anything else in the body.
    expect(body).toMatch(/^<body>\n<h1>nso-mock conform<\/h1>\n<p class="verdict failed">FAILED — 4 cases: 1 passed, 1 failed, 1 non-strict, 1 skipped<\/p>/);
    expect(page).toMatch(/\.verdict\.failed\{background:#b00020\}/);
    expect(formatHtmlReport(report([result('a', 'pass')]))).toContain('<p class="verdict passed">PASSED');
    // Rows in attention order: fail, non-strict, skipped, pass (the input order was pass, fail, non-strict, skipped).
    const order = [...page.matchAll(/<tr class="([a-z-]+)">/g)].map((m) => m[1]);
    expect(order).toEqual(['fail', 'non-strict', 'skipped', 'pass']);
    expect(page).toContain('<details open><summary>no {17,done} within 2000 ms</summary>');
    // A filter per verdict present, all checked by default, each hiding the other rows.
    expect(page).toContain('<input type="radio" name="verdict" id="show-all" checked><label for="show-all">all (4)</label>');
    expect(page).toContain('<input type="radio" name="verdict" id="show-fail"><label for="show-fail">fail (1)</label>');
    expect(page).not.toContain('id="show-not-judged"');
    expect(page).toContain('#show-fail:checked~table tbody tr:not(.fail)');
    // The inputs are siblings of the table (the ~ combinator needs that): nothing wraps them.
    expect(page).toMatch(/<label for="show-pass">pass \(1\)<\/label>\n<table>/);
    expect(page).toMatch(/pre\{white-space:pre-wrap;overflow-wrap:anywhere/);
    expect(page).toContain("Client command, as run: <code class=\"cmd\">python3 c.py --port 1 --unix ''</code><br>template: <code class=\"cmd\">python3 c.py --port {port}</code>");
    // Not-judged cases fail the page's verdict unless allowed, like the exit code.
    const unjudged = report([result('a', 'pass'), result('b', 'not-judged', ['no output'])]);
    expect(formatHtmlReport(unjudged)).toContain('<p class="verdict failed">FAILED');
    expect(formatHtmlReport(unjudged, { allowNotJudged: true })).toContain('<p class="verdict passed">PASSED');
  });

  it('writes a self-contained HTML page with escaped content', () => {
    const html = formatHtmlReport(r);
    expect(html).toContain('<tr class="fail">');
    expect(html).toContain('Traceback &lt;&amp;&gt;');
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });

  it('writes JSON that reads back', () => {
    expect(JSON.parse(formatJsonReport(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});
