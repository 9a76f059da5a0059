/** Types of build.mjs for the tests. */
export function buildPage(): Promise<{ html: string; app: string; worker: string; csp: string; inputs: string[] }>;
