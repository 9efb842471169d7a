// Test entry for the packaged extension: the same mocha runner as the integration suite, over
// the *.test.js files beside this one.
export { run } from '../integration/index';
