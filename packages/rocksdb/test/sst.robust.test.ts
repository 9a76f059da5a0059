import { robustSuite } from '../../../fuzz/src/robust-suite.js';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties of the `sst`
// fuzz target over SSTs ldb writes at run time (see fuzz/README.md)
robustSuite(['sst']);
