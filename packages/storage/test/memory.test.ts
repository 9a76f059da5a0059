import { contractSuite } from './contract.js';

contractSuite('memory://', async () => ({ base: `memory://contract-${process.pid}/run`, options: {} }));
