import { Option, type Command } from 'commander';
import type { HaWriteOptions } from './commands/ha-write.js';
import type { Io } from './context.js';

/** Registers `ckpt ha set-latest|repair|restore-backup` on the `ha` command. */
export function registerHaWrite(ha: Command, common: (c: Command) => Command, io: Io, result: { code: number }): void {
  const write = (c: Command): Command =>
    common(c)
      .option('--apply', 'write the change (default: dry run, print every change)')
      .option('--force', 'change the store even though a JobManager holds the leader lock / entry locks')
      .option('--backup-dir <dir>', 'where the backup of every changed node/key is saved before writing (default: .)')
      .option('--output <file>', 'ConfigMap stores: where the edited ConfigMap goes (default <input>.edited.json|yaml; - for stdout)')
      .addOption(new Option('--format <format>', 'ConfigMap stores: format of the edited ConfigMap (default: that of the input)').choices(['json', 'yaml']));
  const exitOnRun = '\nExit codes: 0 done (or dry run), 2 bad input / store changed meanwhile, 7 refused: the job looks running.';
  write(ha.command('set-latest <checkpoint>'))
    .description('make a failover restore this checkpoint (an id in the store, its chk-<n> or savepoint directory, or a completedCheckpoint file): removes the newer entries, re-adds it if needed (writing its completedCheckpoint file from _metadata when there is none), raises the counter to id+1')
    .option('--ha-dir <uri>', 'high-availability.storageDir/<cluster-id>, searched for the completedCheckpoint file of a checkpoint without entry, and where a new one is written (default: that of the store)')
    .option('--flink-version <version>', "the cluster's Flink version (1.20, 2.0 … 2.3) for a new completedCheckpoint file (default: read from the store's HA files)")
    .addHelpText(
      'after',
      `${exitOnRun}\nExamples:\n  ckpt ha set-latest 41 --zookeeper zk:2181 --cluster-id my-cluster            # dry run\n  ckpt ha set-latest s3://b/ck/3f1e…/chk-41 --zookeeper zk:2181 --cluster-id my-cluster --apply\n  ckpt ha set-latest 41 --configmap cm.json --apply && kubectl replace -f cm.edited.json`,
    )
    .action(async (checkpoint: string, opts: HaWriteOptions) => {
      result.code = await (await import('./commands/ha-write.js')).haSetLatest(checkpoint, opts, io.out, io.err);
    });
  write(ha.command('repair'))
    .description('verify every entry and remove those whose files are missing, short or corrupt, so a failover restores the newest intact checkpoint')
    .option('--allow-empty', 'remove broken entries even when none would remain (Flink then starts the job without state)')
    .addHelpText('after', `${exitOnRun}\nExamples:\n  ckpt ha repair --zookeeper zk:2181 --cluster-id my-cluster --apply`)
    .action(async (opts: HaWriteOptions) => {
      result.code = await (await import('./commands/ha-write.js')).haRepair(opts, io.out, io.err);
    });
  ha.command('restore-backup <file>')
    .description('undo a set-latest/repair from its backup file (ZooKeeper: dry run unless --apply; ConfigMap: prints the original ConfigMap for kubectl replace)')
    .option('--zookeeper <host:port>', 'ZooKeeper connect string')
    .option('--timeout <ms>', 'ZooKeeper connection timeout in ms (default 15000)')
    .option('--apply', 'write the restore (default: dry run)')
    .option('--output <file>', 'ConfigMap backups: write the original ConfigMap here instead of stdout')
    .action(async (file: string, opts: HaWriteOptions) => {
      result.code = await (await import('./commands/ha-write.js')).haRestoreBackup(file, opts, io.out, io.err);
    });
}
