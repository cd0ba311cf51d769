// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian bookworm's Docker 20.10.
import { engines } from "./sandbox/sandbox";
import { firewallSuite } from "./sandbox/firewallSuite";

describe(engines.docker20.name, () => firewallSuite(engines.docker20));
