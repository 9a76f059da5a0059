import { robustSuite } from '../../../fuzz/src/robust-suite.js';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties of the `sst` and `manifest`
// fuzz targets over SSTs and MANIFESTs ldb writes at run time (see fuzz/README.md)
robustSuite(['sst', 'manifest']);
