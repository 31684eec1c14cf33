// The forky test bed lives in scripts/testbed/forky.ts (the benchmarks start it too); the tests import it from here.
export * from "../../scripts/testbed/forky.js";
