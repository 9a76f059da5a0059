// Convert a _metadata file to JSON, msgpack and protobuf and back, and check every path back is
// byte-exact.
//   pnpm build && node packages/convert/examples/every-format.mjs fixtures/generated/2.3.0/keyed-hashmap-savepoint/_metadata
import { readFileSync } from 'node:fs';
import { FORMATS, parseMetadata, serializeMetadata, sniffFormat } from '@ckpt/convert';

const file = process.argv[2] ?? new URL('../../../fixtures/generated/2.3.0/keyed-hashmap-savepoint/_metadata', import.meta.url);
const bytes = new Uint8Array(readFileSync(file));
const meta = parseMetadata(bytes, sniffFormat(bytes, 'binary'), String(file));
console.log(`${String(file)}: version ${meta.version}, checkpoint ${meta.checkpointId}, ${meta.operators.length} operators, ${bytes.length} bytes`);

let exact = true;
for (const format of FORMATS) {
  const out = serializeMetadata(meta, format);
  const back = serializeMetadata(parseMetadata(out, format), 'binary');
  const same = back.length === bytes.length && back.every((b, i) => b === bytes[i]);
  exact &&= same;
  console.log(`  ${format.padEnd(8)} ${String(out.length).padStart(8)} bytes, back to _metadata byte-exact: ${same}`);
}
process.exit(exact ? 0 : 1);
