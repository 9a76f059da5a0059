import { operatorLabel, type UpgradeReport } from './check.js';

const HEADLINE: Record<UpgradeReport['verdict'], string> = {
  ok: 'OK: nothing in the files stops Flink {t} from restoring this snapshot.',
  warnings: 'OK with warnings: Flink {t} should restore this snapshot; read the warnings.',
  refuses: 'REFUSES: Flink {t} would refuse this snapshot.',
  'fails-while-restoring': 'FAILS: Flink {t} would fail while restoring this snapshot.',
  'loses-state': 'LOSES STATE: Flink {t} would restore this snapshot without some of its state.',
};

/** The report as text lines (what `ckpt upgrade-check` prints). */
export function renderUpgradeReport(r: UpgradeReport): string[] {
  const lines = [HEADLINE[r.verdict].replace('{t}', r.target)];
  lines.push(`written by: Flink ${r.writers.label} (${r.writers.evidence.join(', ')}${r.writers.inconsistent ? '; the files do not fit one release' : ''})`);
  for (const f of r.findings) {
    const where = [f.operator ? `operator ${operatorLabel(f.operator)}` : undefined, f.state !== undefined ? `state ${f.state}` : undefined, f.serializer]
      .filter((x) => x !== undefined)
      .join(', ');
    lines.push('', `${f.severity.toUpperCase()} [${f.rule}]${where ? ` ${where}` : ''}${f.inferred ? ' (inferred from Flink\'s code)' : ''}`);
    lines.push(`  ${f.message}`);
    if (f.flinkMessage) lines.push(`  Flink: ${f.flinkMessage}`);
    lines.push(`  do: ${f.action}`);
  }
  const c = r.coverage;
  const notes: string[] = [];
  if (!c.stateFilesRead) notes.push('state files not read: serializer and state-name checks skipped');
  if (c.unavailableFiles > 0) notes.push(`${c.unavailableFiles} state file(s) could not be opened: their headers were not checked`);
  if (c.changelogIncrements) notes.push('changelog increments are not read');
  const errors = [...new Set(c.partlyRead.map((p) => p.error))];
  if (errors.length) notes.push(`${c.partlyRead.length} state header(s) read only by scanning for snapshot classes (${errors.slice(0, 3).join('; ')}${errors.length > 3 ? '; …' : ''})`);
  if (notes.length) lines.push('', `note: ${notes.join('; ')}`);
  return lines;
}
