import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { packageRoot } from '../../lib/paths';
import { sourceCommit } from '../../lib/bench/source_commit';

describe('sourceCommit (lib/bench/source_commit.ts)', () => {
  it("gives this checkout's HEAD and whether its tracked files differ from it", function () {
    let head: string;
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, encoding: 'utf8' }).trim();
    } catch {
      this.skip();
    }
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot, encoding: 'utf8' }).trim() !== '';
    assert.deepStrictEqual(sourceCommit(), { commit: head, dirty });
  });
});
