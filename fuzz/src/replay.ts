/** Replays every stored crasher and prints its outcome now: `node --conditions=source --import tsx fuzz/src/replay.ts` (from fuzz/). */
import { storedCrashers, runGuarded, describeError } from './crashers.js';
import { installAllocationGuard } from './alloc-guard.js';
import { prepare, target } from './targets.js';
installAllocationGuard(); await prepare();
for (const c of storedCrashers()) {
  const o = await runGuarded(target(c.target), c.bytes);
  console.log(c.target, c.name, o.kind, o.kind === 'crash' ? describeError(o.error).split('\n').filter(l => !/^\s+at /.test(l)).join(' | ').slice(0, 300) : (o as any).error?.message?.slice(0, 150) ?? '');
}
