import type { Server } from 'node:http';
/** Types of serve.mjs for the tests. */
export function serve(port?: number, dist?: string): Promise<Server>;
